/**
 * Arrow stores a decimal as a little-endian two's-complement integer of `bitWidth` bits in
 * 32-bit words. These read and write it as an exact bigint (Arrow JS's own conversion goes
 * through strings and is ~50× slower). `index` counts values from the start of `words`: a
 * sliced Arrow `Data` already has its `values` cut to the slice, so callers pass the row.
 */
export function readDecimalWords(words: Uint32Array, index: number, bitWidth = 128): bigint {
  const stride = bitWidth / 32;
  const base = index * stride;
  if (stride === 4) {
    // Fast path: a non-negative value below 2^53 (the high words are zero).
    const lo = words[base]! + words[base + 1]! * 0x1_0000_0000;
    if (words[base + 2] === 0 && words[base + 3] === 0 && lo <= Number.MAX_SAFE_INTEGER) return BigInt(lo);
  }
  let x = 0n;
  for (let w = stride - 1; w >= 0; w--) x = (x << 32n) | BigInt(words[base + w]!);
  return BigInt.asIntN(bitWidth, x);
}

/** Writes `value` as the `index`-th decimal of `bitWidth` bits into `out`. */
export function writeDecimalWords(out: Uint32Array, index: number, value: bigint, bitWidth = 128): void {
  const stride = bitWidth / 32;
  let x = BigInt.asUintN(bitWidth, value);
  for (let w = 0; w < stride; w++) {
    out[index * stride + w] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
}
