/**
 * Outputs of kind `delta-table` and `lakehouse` are references (a path), not
 * data: the same reference file would hash the same even after the producer
 * rewrote the table, and downstream steps would be served stale results from
 * the cache. So before a reference is filed in the artifact store, the runner
 * pins the table state it points at — `version` for a table, `tables`
 * (name → version) for a lakehouse — into the JSON. A lakehouse is shared by
 * every step (the example's evaluate step appends to `gold/models` on each
 * run), so its pin holds only the tables the producing step committed to
 * while it ran: what it produced, not what later steps add elsewhere. The step runtime ignores
 * extra fields, so consumers are unaffected; the hash now changes whenever
 * the data does. On a cache hit the pin is checked again: a table that moved
 * on since means the cached outputs no longer exist as recorded.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { MarshalKind } from '../pipeline/spec.js';

// The lakehouse (Arrow, parquet-wasm) takes ~170 ms to load; a run needs it only once a
// step has produced a reference, so it is imported then — or earlier, in the background,
// through `preloadTableRefs` while the first step runs.
let lakehouseModules: Promise<[typeof import('../lakehouse/lakehouse.js'), typeof import('../lakehouse/table.js')]>;
const lakehouse = () =>
  (lakehouseModules ??= Promise.all([import('../lakehouse/lakehouse.js'), import('../lakehouse/table.js')]));

/** Starts loading the lakehouse modules pinning needs, in the background. */
export function preloadTableRefs(): void {
  lakehouse().catch(() => {});
}

interface TableRef {
  kind: 'delta-table';
  path: string;
  version?: number | null;
}
interface LakehouseRef {
  kind: 'lakehouse';
  root: string;
  tables?: Record<string, number>;
}

/** True for the marshal kinds whose files are references to mutable data. */
export const isReferenceKind = (k: MarshalKind): boolean => k === 'delta-table' || k === 'lakehouse';

async function tableVersion(p: string): Promise<number | null> {
  const [, { DeltaTable }] = await lakehouse();
  const t = new DeltaTable(p);
  return (await t.exists()) ? t.version() : null;
}

/** Versions of the lakehouse's tables whose latest commit is at or after `sinceMs`. */
async function lakehouseVersionsSince(root: string, sinceMs: number): Promise<Record<string, number>> {
  const [{ Lakehouse }] = await lakehouse();
  const lh = new Lakehouse(root);
  const out: Record<string, number> = {};
  for (const name of await lh.list()) {
    const snap = await lh.table(name).snapshot();
    if (snap.commitTimestamp >= sinceMs) out[name] = snap.version;
  }
  return out;
}

/** Current versions of the named tables (null for a table that no longer exists). */
async function lakehouseVersionsOf(root: string, names: string[]): Promise<Record<string, number | null>> {
  const [{ Lakehouse }] = await lakehouse();
  const lh = new Lakehouse(root);
  const out: Record<string, number | null> = {};
  for (const name of names) out[name] = await tableVersion(lh.table(name).path);
  return out;
}

/**
 * Rewrites a reference output file in place with the table state pinned.
 * `stepStartedMs` is when the producing step started: a lakehouse pins the
 * tables committed to since then.
 */
export async function pinReference(file: string, stepStartedMs: number): Promise<void> {
  const ref = JSON.parse(await readFile(file, 'utf8')) as TableRef | LakehouseRef;
  let pin: TableRef | LakehouseRef;
  if (ref.kind === 'delta-table') pin = { kind: ref.kind, path: ref.path, version: await tableVersion(ref.path) };
  else if (ref.kind === 'lakehouse')
    pin = { kind: ref.kind, root: ref.root, tables: await lakehouseVersionsSince(ref.root, stepStartedMs) };
  else return;
  await writeFile(file, JSON.stringify(pin));
}

/** Whether the data a stored (pinned) reference points at is still in the pinned state. */
export async function referenceStillCurrent(file: string): Promise<boolean> {
  let ref: TableRef | LakehouseRef;
  try {
    ref = JSON.parse(await readFile(file, 'utf8')) as TableRef | LakehouseRef;
  } catch {
    return false;
  }
  if (ref.kind === 'delta-table') return (await tableVersion(ref.path)) === (ref.version ?? null);
  if (ref.kind === 'lakehouse') {
    const pinnedTables = ref.tables ?? {};
    const now = await lakehouseVersionsOf(ref.root, Object.keys(pinnedTables));
    return Object.entries(pinnedTables).every(([name, v]) => now[name] === v);
  }
  return true;
}
