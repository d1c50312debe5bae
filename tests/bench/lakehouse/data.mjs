// The lakehouse benchmarks' data: `rows` × 26 numeric columns (24 float64 from a fixed-seed
// LCG, an int32 `cycle`, an int64 `id`), identical in every benchmark and every run.
import * as arrow from 'apache-arrow';

export function benchTable(rows) {
  let s = 42;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const cols = {};
  for (let c = 0; c < 24; c++) {
    const a = new Float64Array(rows);
    for (let i = 0; i < rows; i++) a[i] = rand() * 1000;
    cols[`f${String(c).padStart(2, '0')}`] = arrow.makeVector(a);
  }
  cols.cycle = arrow.makeVector(Int32Array.from({ length: rows }, (_, i) => i % 365));
  cols.id = arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)));
  return new arrow.Table(cols);
}
