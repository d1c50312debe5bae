import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { computeStats, formatDecimal } from '../../../kernel-lib/src/lakehouse/index.js';
import { decimalWords, rawVector as raw } from '../../helpers/arrow.js';

describe('computeStats', () => {
  it('numbers: exact longs beyond 2^53, nulls skipped, nullCount per column', () => {
    const t = new arrow.Table({
      i: arrow.vectorFromArray([3, null, -7, 10], new arrow.Int32()),
      l: raw(new arrow.Int64(), BigInt64Array.from([2n ** 62n + 1n, -(2n ** 63n), 0n]), [true, true, true]),
      d: arrow.vectorFromArray([0.1, 2.5, null, -1e-9], new arrow.Float64()).slice(0, 3),
    });
    const s = computeStats(t.slice(0, 3));
    expect(s.numRecords).toBe(3);
    expect(s.json).toBe(
      '{"numRecords":3,"minValues":{"i":-7,"l":-9223372036854775808,"d":0.1},' +
        '"maxValues":{"i":3,"l":4611686018427387905,"d":2.5},"nullCount":{"i":1,"l":0,"d":1}}',
    );
  });

  it('floats with NaN or Infinity keep only nullCount (no JSON form, stays conservative)', () => {
    const t = new arrow.Table({
      a: arrow.vectorFromArray([1, Number.NaN, 3], new arrow.Float64()),
      b: arrow.vectorFromArray([1, Number.POSITIVE_INFINITY], new arrow.Float32()),
      c: arrow.vectorFromArray([null, null], new arrow.Float64()),
    });
    const s = JSON.parse(computeStats(t.slice(0, 2)).json);
    expect(s).toEqual({ numRecords: 2, nullCount: { a: 0, b: 0, c: 2 } });
  });

  it('decimals exact, dates ISO, timestamps ms-rounded outward, strings truncated with an upper bound', () => {
    // 12345678901234567890.123456789012345678 and -0.000000000000000001 at scale 18
    const words = decimalWords([12345678901234567890123456789012345678n, -1n]);
    const long = 'x'.repeat(40);
    const t = new arrow.Table({
      dec: raw(new arrow.Decimal(18, 38, 128), words, [true, true]),
      day: raw(new arrow.DateDay(), Int32Array.from([19000, -1]), [true, true]),
      ts: raw(new arrow.TimestampMicrosecond('UTC'), BigInt64Array.from([1_700_000_000_123_456n, -1n]), [true, true]),
      s: arrow.vectorFromArray([long, 'a'], new arrow.Utf8()),
    });
    const s = JSON.parse(computeStats(t).json.replace(/(-?\d+\.\d{10,})/g, '"$1"'));
    expect(s.minValues).toEqual({
      dec: '-0.000000000000000001',
      day: '1969-12-31',
      ts: '1969-12-31T23:59:59.999Z',
      s: 'a',
    });
    expect(s.maxValues).toEqual({
      dec: '12345678901234567890.123456789012345678',
      day: '2022-01-08',
      ts: '2023-11-14T22:13:20.124Z',
      s: `${'x'.repeat(32)}\u{10FFFF}`,
    });
    expect(formatDecimal(-5n, 3)).toBe('-0.005');
  });

  it('strings compare by UTF-8 bytes (code points), like Spark', () => {
    // U+FF5E (3 UTF-8 bytes, 0xEF…) sorts below U+1F600 (4 bytes, 0xF0…), unlike UTF-16 order.
    const t = new arrow.Table({ s: arrow.vectorFromArray(['\u{1F600}', '\uFF5E', 'z'], new arrow.Utf8()) });
    const s = JSON.parse(computeStats(t).json);
    expect(s.minValues.s).toBe('z');
    expect(s.maxValues.s).toBe('\u{1F600}');
  });

  it('nested structs become nested objects; a null struct makes its leaves null', () => {
    const inner = new arrow.Struct([new arrow.Field('a', new arrow.Int32()), new arrow.Field('b', new arrow.Utf8())]);
    const v = arrow.vectorFromArray([{ a: 1, b: 'x' }, null, { a: 5, b: null }], inner);
    const t = new arrow.Table({ st: v, flag: arrow.vectorFromArray([true, null, false], new arrow.Bool()) });
    const s = JSON.parse(computeStats(t).json);
    expect(s).toEqual({
      numRecords: 3,
      minValues: { st: { a: 1, b: 'x' } },
      maxValues: { st: { a: 5, b: 'x' } },
      nullCount: { st: { a: 1, b: 2 }, flag: 1 },
    });
  });

  it('honours delta.dataSkippingNumIndexedCols', () => {
    const t = new arrow.Table({
      a: arrow.vectorFromArray([1], new arrow.Int32()),
      b: arrow.vectorFromArray([2], new arrow.Int32()),
    });
    expect(JSON.parse(computeStats(t, { numIndexedCols: 1 }).json)).toEqual({
      numRecords: 1,
      minValues: { a: 1 },
      maxValues: { a: 1 },
      nullCount: { a: 0 },
    });
    expect(JSON.parse(computeStats(t, { numIndexedCols: 0 }).json)).toEqual({ numRecords: 1, nullCount: {} });
  });
});
