/**
 * Rows of a table with deletion vectors, read two independent ways: our reader,
 * and the golden corpus's pyarrow oracle (its own log replay, pyarrow over the
 * live Parquet files, and its own RoaringBitmap/Z85 decoder applying each DV),
 * in the same canonical JSON form so they compare as sorted string lists.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { LocalStorage, loadSnapshot, scan } from '../../../kernel-lib/src/lakehouse/index.js';
import { venvPython } from '../../helpers/paths.js';
import { canonicalRows } from './normalize.js';

const run = promisify(execFile);
const ORACLE = path.join(path.dirname(new URL(import.meta.url).pathname), 'oracle.py');

export async function ourRows(table: string, version?: number): Promise<string[]> {
  const storage = new LocalStorage(table);
  const snap = await loadSnapshot(storage, version === undefined ? {} : { version });
  return canonicalRows(await scan(snap, storage), snap.schema).sort();
}

export async function oracleRows(table: string, version?: number): Promise<string[]> {
  const args = [ORACLE, table, ...(version === undefined ? [] : ['--version', String(version)])];
  const { stdout } = await run(venvPython, args, { maxBuffer: 1 << 28 });
  return stdout
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => JSON.stringify(JSON.parse(l)))
    .sort();
}
