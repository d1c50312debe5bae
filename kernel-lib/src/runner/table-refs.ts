/**
 * Outputs of kind `delta-table` and `lakehouse` are references (a path), not
 * data: the same reference file would hash the same even after the producer
 * rewrote the table, and downstream steps would be served stale results from
 * the cache. So a reference filed in the artifact store carries the table state
 * it points at — `version` for a table, `tables` (name → version) for a
 * lakehouse. The step runtime writes references pinned (it has the tables at
 * hand); the runner pins any that arrive without (bundles from before that). A lakehouse is shared by
 * every step (the example's evaluate step appends to `gold/models` on each
 * run), so its pin holds only the tables the producing step committed to
 * while it ran: what it produced, not what later steps add elsewhere. The step runtime ignores
 * extra fields, so consumers are unaffected; the hash now changes whenever
 * the data does. On a cache hit the pin is checked again: a table that moved
 * on since means the cached outputs no longer exist as recorded.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { MarshalKind } from '../pipeline/spec.js';

// The lakehouse (Arrow, parquet-wasm) takes ~170 ms to load. References written by a
// current step runtime arrive pinned already, so a run mostly never needs it here.
let pinsModule: Promise<typeof import('../lakehouse/pins.js')> | undefined;
const pins = () => (pinsModule ??= import('../lakehouse/pins.js'));

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

/**
 * Rewrites a reference output file in place with the table state pinned, unless
 * the step runtime pinned it already (STEP-CONTRACT.md). `stepStartedMs` is when
 * the producing step started: a lakehouse pins the tables committed to since then.
 */
export async function pinReference(file: string, stepStartedMs: number): Promise<void> {
  const ref = JSON.parse(await readFile(file, 'utf8')) as TableRef | LakehouseRef;
  let pin: TableRef | LakehouseRef;
  if (ref.kind === 'delta-table') {
    if (ref.version !== undefined) return;
    pin = { kind: ref.kind, path: ref.path, version: await (await pins()).tableVersionOrNull(ref.path) };
  } else if (ref.kind === 'lakehouse') {
    if (ref.tables !== undefined) return;
    pin = {
      kind: ref.kind,
      root: ref.root,
      tables: await (await pins()).tablesCommittedSince(ref.root, stepStartedMs),
    };
  } else return;
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
  if (ref.kind === 'delta-table') return (await (await pins()).tableVersionOrNull(ref.path)) === (ref.version ?? null);
  if (ref.kind === 'lakehouse') {
    const pinnedTables = ref.tables ?? {};
    const now = await (await pins()).tableVersionsOf(ref.root, Object.keys(pinnedTables));
    return Object.entries(pinnedTables).every(([name, v]) => now[name] === v);
  }
  return true;
}
