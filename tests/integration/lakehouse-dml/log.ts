/** Reads a table's commits directly (JSON lines), independent of the library's log code. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: raw JSON actions, checked by the tests field by field
type Json = Record<string, any>;

export interface RawCommit {
  version: number;
  commitInfo: Json;
  adds: Json[];
  removes: Json[];
  txns: Json[];
  actions: Json[];
}

export function readCommitFile(table: string, version: number): RawCommit {
  const file = path.join(table, '_delta_log', `${String(version).padStart(20, '0')}.json`);
  const actions = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Json);
  return {
    version,
    actions,
    commitInfo: actions.find((a) => a.commitInfo)?.commitInfo ?? {},
    adds: actions.filter((a) => a.add).map((a) => a.add),
    removes: actions.filter((a) => a.remove).map((a) => a.remove),
    txns: actions.filter((a) => a.txn).map((a) => a.txn),
  };
}

export function commitVersions(table: string): number[] {
  return readdirSync(path.join(table, '_delta_log'))
    .filter((f) => /^\d{20}\.json$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}

export async function lastCommit(table: string): Promise<RawCommit> {
  const vs = commitVersions(table);
  return readCommitFile(table, vs[vs.length - 1]!);
}
