/**
 * How many rows a snapshot holds without scanning it: each file's `numRecords`
 * from its stats — or, for files written without stats (common in older Spark
 * tables), from the decoded file — minus the rows its deletion vector removes
 * (the DV's `cardinality`; PROTOCOL.md: with a DV, `numRecords` counts the
 * physical rows of the file).
 */
import type { AddFile } from './actions.js';
import { DataFileError } from './errors.js';
import { decodeParquet } from './parquet-read.js';
import { dataFilePath } from './scan.js';
import type { Storage } from './storage/storage.js';

/** `numRecords` from the file's stats, or undefined when it has none. */
export function statsRecordCount(f: AddFile): number | undefined {
  if (!f.stats) return undefined;
  try {
    const n = (JSON.parse(f.stats) as { numRecords?: unknown }).numRecords;
    return typeof n === 'number' ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Live rows in `files`: stats where present, the decoded files otherwise (a few at a time). */
export async function liveRowCount(storage: Storage, files: AddFile[], concurrency = 8): Promise<number> {
  let total = 0;
  const missing: AddFile[] = [];
  for (const f of files) {
    const n = statsRecordCount(f);
    if (n === undefined) missing.push(f);
    else total += n;
    total -= Number(f.deletionVector?.cardinality ?? 0);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const f = missing[next++]!;
      const rel = dataFilePath(storage, f);
      try {
        const n = (await decodeParquet(await storage.read(rel))).numRows; // read before adding: workers interleave
        total += n;
      } catch (e) {
        throw new DataFileError(
          `cannot count the rows of data file ${rel} of table ${storage.root}: ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, missing.length) }, worker));
  return total;
}
