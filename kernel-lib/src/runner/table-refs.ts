/**
 * Outputs of kind `delta-table` and `lakehouse` are references (a path), not
 * data: the same reference file would hash the same even after the producer
 * rewrote the table, and downstream steps would be served stale results from
 * the cache. So the step runtime writes each reference pinned to the table state
 * it points at (pipeline/runtime/marshal.ts, the one place that pins) — `version`
 * for a table, `tables` (name → version) for a lakehouse, holding only the tables
 * the producing step committed to while it ran — and the hash changes whenever
 * the data does. On a cache hit the pin is checked here: a table that moved on
 * since means the cached outputs no longer exist as recorded.
 */
import { readFile } from 'node:fs/promises';
import type { MarshalKind } from '../pipeline/spec.js';

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

/** Whether the data a stored (pinned) reference points at is still in the pinned state. */
export async function referenceStillCurrent(file: string): Promise<boolean> {
  let ref: TableRef | LakehouseRef;
  try {
    ref = JSON.parse(await readFile(file, 'utf8')) as TableRef | LakehouseRef;
  } catch {
    return false;
  }
  if (ref.kind !== 'delta-table' && ref.kind !== 'lakehouse') return true;
  // Loaded only here: a run that checks no reference never loads the lakehouse.
  const pins = await import('../lakehouse/pins.js');
  if (ref.kind === 'delta-table') return (await pins.tableVersionOrNull(ref.path)) === (ref.version ?? null);
  const pinnedTables = ref.tables ?? {};
  const now = await pins.tableVersionsOf(ref.root, Object.keys(pinnedTables));
  return Object.entries(pinnedTables).every(([name, v]) => now[name] === v);
}
