import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decimalAt, rawInt64, readDecimalWords, writeDecimalWords } from '../../../kernel-lib/src/lakehouse/index.js';

describe('decimal words', () => {
  it('round-trip exact 128- and 256-bit values, negative and beyond 2^53', () => {
    const values = [0n, 1n, -1n, 2n ** 53n + 1n, -(10n ** 37n) + 7n, 10n ** 38n - 1n];
    for (const bitWidth of [128, 256]) {
      const out = new Uint32Array(values.length * (bitWidth / 32));
      values.forEach((v, i) => {
        writeDecimalWords(out, i, v, bitWidth);
      });
      expect(values.map((_, i) => readDecimalWords(out, i, bitWidth))).toEqual(values);
    }
  });

  it('row readers follow Arrow slices (values already start at the slice)', () => {
    const longs = arrow.makeVector(BigInt64Array.from([10n, 20n, 30n, 40n]));
    expect(rawInt64(longs.slice(1), 0)).toBe(20n);
    const words = new Uint32Array(12);
    [5n, -6n, 2n ** 70n].forEach((v, i) => {
      writeDecimalWords(words, i, v);
    });
    const decimals = arrow.makeVector(
      arrow.makeData({ type: new arrow.Decimal(0, 38, 128), length: 3, nullCount: 0, data: words }),
    );
    expect(decimalAt(decimals.slice(1), 0)).toBe(-6n);
    expect(decimalAt(decimals.slice(1), 1)).toBe(2n ** 70n);
    const table = arrow.tableFromArrays({ x: BigInt64Array.from([1n, 2n, 3n]) }).slice(1);
    expect(rawInt64(table.getChild('x')!, 1)).toBe(3n);
  });
});
