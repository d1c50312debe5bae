/**
 * Outputs of kind `delta-table` and `lakehouse` are references (a path), not
 * data: the same reference file would hash the same even after the producer
 * rewrote the table, and downstream steps would be served stale results from
 * the cache. So before a reference is filed in the artifact store, the runner
 * pins the table state it points at — `version` for a table, `tables`
 * (name → version) for a lakehouse — into the JSON. The step runtime ignores
 * extra fields, so consumers are unaffected; the hash now changes whenever
 * the data does. On a cache hit the pin is checked again: a table that moved
 * on since means the cached outputs no longer exist as recorded.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { MarshalKind } from '../pipeline/spec.js';
import { Lakehouse } from '../lakehouse/lakehouse.js';
import { DeltaTable } from '../lakehouse/table.js';

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
  const t = new DeltaTable(p);
  return (await t.exists()) ? t.version() : null;
}

async function lakehouseVersions(root: string): Promise<Record<string, number>> {
  const lh = new Lakehouse(root);
  const out: Record<string, number> = {};
  for (const name of await lh.list()) out[name] = await lh.table(name).version();
  return out;
}

/** The pinned form of a reference: what it points at plus the state of that data now. */
async function pinned(ref: TableRef | LakehouseRef): Promise<TableRef | LakehouseRef> {
  if (ref.kind === 'delta-table') return { kind: ref.kind, path: ref.path, version: await tableVersion(ref.path) };
  return { kind: ref.kind, root: ref.root, tables: await lakehouseVersions(ref.root) };
}

/** Rewrites a reference output file in place with the current table state pinned. */
export async function pinReference(file: string): Promise<void> {
  const ref = JSON.parse(await readFile(file, 'utf8')) as TableRef | LakehouseRef;
  if (ref.kind !== 'delta-table' && ref.kind !== 'lakehouse') return;
  await writeFile(file, JSON.stringify(await pinned(ref)));
}

/** Whether the data a stored (pinned) reference points at is still in the pinned state. */
export async function referenceStillCurrent(file: string): Promise<boolean> {
  let ref: TableRef | LakehouseRef;
  try {
    ref = JSON.parse(await readFile(file, 'utf8')) as TableRef | LakehouseRef;
  } catch {
    return false;
  }
  if (ref.kind !== 'delta-table' && ref.kind !== 'lakehouse') return true;
  return JSON.stringify(await pinned(ref)) === JSON.stringify(ref);
}
