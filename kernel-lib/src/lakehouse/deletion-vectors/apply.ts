/**
 * Applying a deletion vector to a scan: a file's rows arrive in batches; the DV
 * names deleted rows by their position in the file. The rows that remain are
 * returned as zero-copy slices of each batch when they form a few long runs,
 * and gathered into one compact batch when deletions are scattered (slicing
 * around every third row would hand the caller tens of thousands of tiny batches).
 */
import * as arrow from 'apache-arrow';
import { takeRows } from '../take.js';

/** Above this many kept runs in a batch, gather instead of slicing. */
const MAX_SLICES = 16;

/**
 * The rows of `batch` (file rows `firstRow` … `firstRow + numRows - 1`) that `deleted`
 * (sorted ascending) does not name. `cursor.i` carries the position in `deleted`
 * from one batch of a file to the next.
 */
export function withoutDeletedRows(
  batch: arrow.RecordBatch,
  firstRow: number,
  deleted: readonly number[],
  cursor: { i: number },
): arrow.RecordBatch[] {
  const n = batch.numRows;
  const runs: [number, number][] = [];
  let pos = 0;
  while (cursor.i < deleted.length && deleted[cursor.i]! < firstRow) cursor.i++;
  while (cursor.i < deleted.length && deleted[cursor.i]! < firstRow + n) {
    const d = deleted[cursor.i]! - firstRow;
    if (d > pos) runs.push([pos, d]);
    pos = d + 1;
    cursor.i++;
  }
  if (pos === 0) return [batch];
  if (pos < n) runs.push([pos, n]);
  if (runs.length <= MAX_SLICES) return runs.map(([a, b]) => batch.slice(a, b));
  const kept = new Int32Array(runs.reduce((acc, [a, b]) => acc + b - a, 0));
  let k = 0;
  for (const [a, b] of runs) for (let i = a; i < b; i++) kept[k++] = i;
  return takeRows(new arrow.Table([batch]), kept).batches;
}
