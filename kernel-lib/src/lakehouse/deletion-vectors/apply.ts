/**
 * Applying a deletion vector to a scan: a file's rows arrive in batches; the DV
 * names deleted rows by their position in the file. The rows that remain are
 * returned as zero-copy slices of each batch.
 */
import type * as arrow from 'apache-arrow';

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
  const out: arrow.RecordBatch[] = [];
  let pos = 0;
  while (cursor.i < deleted.length && deleted[cursor.i]! < firstRow) cursor.i++;
  while (cursor.i < deleted.length && deleted[cursor.i]! < firstRow + n) {
    const d = deleted[cursor.i]! - firstRow;
    if (d > pos) out.push(batch.slice(pos, d));
    pos = d + 1;
    cursor.i++;
  }
  if (pos === 0) return [batch];
  if (pos < n) out.push(batch.slice(pos, n));
  return out;
}
