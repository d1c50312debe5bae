/**
 * Table states to pin into a reference: a table's current version, or — for a
 * lakehouse, shared by every step of a pipeline — the versions of the tables
 * committed to since a given moment (what one step produced). The runner's
 * cache keys references on these pins (runner/table-refs.ts); the step runtime
 * writes them into reference outputs, where the tables it just wrote are at hand.
 */
import { Lakehouse } from './lakehouse.js';
import { DeltaTable } from './table.js';

/** The table's latest version, or null when there is no table at `tablePath`. */
export async function tableVersionOrNull(tablePath: string): Promise<number | null> {
  const t = new DeltaTable(tablePath);
  return (await t.exists()) ? t.version() : null;
}

/** Versions of the lakehouse's tables whose latest commit is at or after `sinceMs` (epoch ms). */
export async function tablesCommittedSince(root: string, sinceMs: number): Promise<Record<string, number>> {
  const lh = new Lakehouse(root);
  const snapshots = await Promise.all(
    (await lh.list()).map(async (name) => [name, await lh.table(name).snapshot()] as const),
  );
  const out: Record<string, number> = {};
  for (const [name, snap] of snapshots) if (snap.commitTimestamp >= sinceMs) out[name] = snap.version;
  return out;
}

/** Current versions of the named tables of a lakehouse (null for a table that no longer exists). */
export async function tableVersionsOf(root: string, names: string[]): Promise<Record<string, number | null>> {
  const lh = new Lakehouse(root);
  const versions = await Promise.all(names.map((name) => tableVersionOrNull(lh.table(name).path)));
  return Object.fromEntries(names.map((name, i) => [name, versions[i]!]));
}
