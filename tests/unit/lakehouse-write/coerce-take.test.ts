import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  CoercionError,
  coerceData,
  groupByPartition,
  takeRows,
  TakeError,
} from '../../../kernel-lib/src/lakehouse/index.js';

const vec = (d: arrow.Data) => arrow.makeVector(d);

describe('coerceData', () => {
  it('decodes dictionary strings (what tableFromArrays makes) keeping nulls', () => {
    const t = arrow.tableFromArrays({ s: ['a', 'b', 'a'] });
    expect(arrow.DataType.isDictionary(t.schema.fields[0]!.type)).toBe(true);
    const withNull = arrow.vectorFromArray(['x', null, 'y'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
    const out = vec(coerceData(withNull.data[0]!, new arrow.Utf8(), 's'));
    expect(out.type).toBeInstanceOf(arrow.Utf8);
    expect(out.toArray()).toEqual(['x', null, 'y']);
  });

  it('converts timestamp units exactly (ms → µs, ns → µs floor) and relabels zones to UTC', () => {
    const ms = arrow.vectorFromArray([1_700_000_000_123, null], new arrow.TimestampMillisecond('Europe/Paris'));
    const out = coerceData(ms.data[0]!, new arrow.TimestampMicrosecond('UTC'), 'ts');
    expect([...(out.values as BigInt64Array)][0]).toBe(1_700_000_000_123_000n);
    expect(out.nullCount).toBe(1);
    const ns = arrow.makeData({
      type: new arrow.TimestampNanosecond('UTC'),
      length: 1,
      nullCount: 0,
      data: BigInt64Array.from([-1n]),
    });
    expect((coerceData(ns, new arrow.TimestampMicrosecond('UTC'), 'ts').values as BigInt64Array)[0]).toBe(-1n);
  });

  it('widens unsigned ints and Date64 to their Delta types', () => {
    const u8 = arrow.vectorFromArray([255, 0], new arrow.Uint8());
    expect([...vec(coerceData(u8.data[0]!, new arrow.Int16(), 'u'))]).toEqual([255, 0]);
    const u32 = arrow.vectorFromArray([4_000_000_000], new arrow.Uint32());
    expect((coerceData(u32.data[0]!, new arrow.Int64(), 'u').values as BigInt64Array)[0]).toBe(4_000_000_000n);
    const d64 = arrow.vectorFromArray([new Date(Date.UTC(2024, 0, 2, 13))], new arrow.DateMillisecond());
    expect((coerceData(d64.data[0]!, new arrow.DateDay(), 'd').values as Int32Array)[0]).toBe(19724);
  });

  it('refuses impossible conversions with a CoercionError naming the column', () => {
    const s = arrow.vectorFromArray(['1'], new arrow.Utf8());
    expect(() => coerceData(s.data[0]!, new arrow.Int64(), 'id')).toThrow(CoercionError);
    expect(() => coerceData(s.data[0]!, new arrow.Int64(), 'id')).toThrow(
      'column id: cannot store Arrow Utf8 as Int64',
    );
  });
});

describe('takeRows / groupByPartition', () => {
  it('gathers rows of every layout exactly, across batches', () => {
    const a = new arrow.Table({
      n: arrow.vectorFromArray([1, null, 3], new arrow.Int32()),
      s: arrow.vectorFromArray(['a', 'bb', null], new arrow.Utf8()),
      b: arrow.vectorFromArray([true, false, null], new arrow.Bool()),
      l: arrow.vectorFromArray([[1], [], [2, 3]], new arrow.List(new arrow.Field('element', new arrow.Int32()))),
      st: arrow.vectorFromArray(
        [{ x: 1 }, null, { x: 3 }],
        new arrow.Struct([new arrow.Field('x', new arrow.Int32())]),
      ),
    });
    const two = a.concat(a.slice(1));
    const out = takeRows(two, [4, 0, 2, 3]);
    expect(out.toArray().map((r) => JSON.stringify(r.toJSON()))).toEqual(
      [4, 0, 2, 3].map((i) => JSON.stringify(two.get(i)!.toJSON())),
    );
  });

  it('groups rows by serialised partition values in order of appearance', () => {
    const t = new arrow.Table({
      p: arrow.vectorFromArray(['x', 'y', 'x', null, ''], new arrow.Utf8()),
      v: arrow.vectorFromArray([1, 2, 3, 4, 5], new arrow.Int32()),
    });
    const schema = {
      type: 'struct' as const,
      fields: [
        { name: 'p', type: 'string' as const, nullable: true, metadata: {} },
        { name: 'v', type: 'integer' as const, nullable: true, metadata: {} },
      ],
    };
    expect(groupByPartition(t, ['p'], schema)).toEqual([
      { values: { p: 'x' }, rows: [0, 2] },
      { values: { p: 'y' }, rows: [1] },
      // Spark stores the empty string as null, so both land in one partition
      { values: { p: null }, rows: [3, 4] },
    ]);
    expect(groupByPartition(t, [], schema)).toEqual([{ values: {}, rows: 'all' }]);
  });

  it('names types it cannot gather', () => {
    const u = arrow.makeData({
      type: new arrow.SparseUnion([0], [new arrow.Field('a', new arrow.Int32())]),
      length: 0,
      nullCount: 0,
      typeIds: new Int8Array(0),
      children: [arrow.makeData({ type: new arrow.Int32(), length: 0 })],
    });
    const t = new arrow.Table({ u: arrow.makeVector(u) });
    expect(() => takeRows(t, [])).toThrow(TakeError);
  });
});
