import * as arrow from 'apache-arrow';

/** Raw Arrow data from typed buffers (exact: no builder rounding of µs or decimals). */
export function rawVector<T extends arrow.DataType>(
  type: T,
  values: ArrayBufferView,
  valid: boolean[],
): arrow.Vector<T> {
  const n = valid.length;
  const bitmap = new Uint8Array(((n + 63) & ~63) >> 3);
  let nulls = 0;
  valid.forEach((v, i) => {
    if (v) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  });
  return arrow.makeVector(
    (arrow.makeData as unknown as (p: Record<string, unknown>) => arrow.Data<T>)({
      type,
      length: n,
      nullCount: nulls,
      nullBitmap: nulls ? bitmap : undefined,
      data: values,
    }),
  );
}

/** Unscaled decimal values → 128-bit little-endian words. */
export function decimalWords(values: bigint[]): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  values.forEach((x, i) => {
    const u = BigInt.asUintN(128, x);
    for (let w = 0; w < 4; w++) out[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
  });
  return out;
}
