/** The small partitioned table the DML tests share: `id` (long), `p` ('even' / 'odd' by id), `v` (int, id × 10). */
import * as arrow from 'apache-arrow';

export function idRows(ids: number[]): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()),
    p: arrow.vectorFromArray(
      ids.map((i) => (i % 2 === 0 ? 'even' : 'odd')),
      new arrow.Utf8(),
    ),
    v: arrow.vectorFromArray(
      ids.map((i) => i * 10),
      new arrow.Int32(),
    ),
  });
}

export const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
