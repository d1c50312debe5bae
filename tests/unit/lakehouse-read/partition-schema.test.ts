/** Partition value serialisation, Hive path escaping, add.path decoding, and the Delta ↔ Arrow schema mapping. */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  arrowToDelta,
  decodeAddPath,
  deltaToArrow,
  encodeAddPath,
  escapePathName,
  PartitionValueError,
  parseDateDays,
  parsePartitionValue,
  parseTimestampMicros,
  parseSchema,
  partitionPath,
  SchemaError,
  type StructType,
  serializePartitionValue,
  unescapePathName,
} from '../../../kernel-lib/src/lakehouse/index.js';

describe('partition values', () => {
  it('parse the protocol string forms into typed values', () => {
    expect(parsePartitionValue('42', 'integer')).toBe(42);
    expect(parsePartitionValue('-9223372036854775808', 'long')).toBe(-9223372036854775808n);
    expect(parsePartitionValue('1.5', 'float')).toBe(1.5);
    expect(parsePartitionValue('NaN', 'double')).toBeNaN();
    expect(parsePartitionValue('-Infinity', 'double')).toBe(Number.NEGATIVE_INFINITY);
    expect(parsePartitionValue('true', 'boolean')).toBe(true);
    expect(parsePartitionValue('2020-02-29', 'date')).toBe(18321);
    expect(parsePartitionValue('0001-01-01', 'date')).toBe(-719162);
    expect(parsePartitionValue('1970-01-01 00:00:00.123456', 'timestamp')).toBe(123456n);
    expect(parsePartitionValue('2024-01-01T10:00:00.000Z', 'timestamp')).toBe(1704103200000000n);
    expect(parsePartitionValue('2024-01-01T12:00:00+02:00', 'timestamp')).toBe(1704103200000000n);
    expect(parsePartitionValue('-1234.50', 'decimal(10,3)')).toBe(-1234500n);
    expect(parsePartitionValue('\u0001\u00ff', 'binary')).toEqual(new Uint8Array([1, 255]));
    expect(parsePartitionValue(null, 'string')).toBeNull();
    expect(parsePartitionValue('', 'integer')).toBeNull();
  });

  it('reject malformed values with PartitionValueError naming the column', () => {
    expect(() => parsePartitionValue('abc', 'integer', 'year')).toThrow(PartitionValueError);
    expect(() => parsePartitionValue('abc', 'integer', 'year')).toThrow(
      /partition column year: cannot parse "abc" as integer/,
    );
    expect(() => parsePartitionValue('1.234', 'decimal(5,2)', 'p')).toThrow(/as decimal\(5,2\)/);
    expect(() => parsePartitionValue('maybe', 'boolean', 'b')).toThrow(/cannot parse "maybe" as boolean/);
  });

  it('serialise back to the canonical forms', () => {
    expect(serializePartitionValue(18321, 'date')).toBe('2020-02-29');
    expect(serializePartitionValue(new Date(Date.UTC(2020, 1, 29)), 'date')).toBe('2020-02-29');
    expect(serializePartitionValue(123456n, 'timestamp')).toBe('1970-01-01 00:00:00.123456');
    expect(serializePartitionValue(-1n, 'timestamp')).toBe('1969-12-31 23:59:59.999999');
    expect(serializePartitionValue(0n, 'timestamp')).toBe('1970-01-01 00:00:00');
    expect(serializePartitionValue(-1234500n, 'decimal(10,3)')).toBe('-1234.500');
    expect(serializePartitionValue('1.5', 'decimal(10,3)')).toBe('1.500');
    expect(serializePartitionValue(7n, 'long')).toBe('7');
    expect(serializePartitionValue(Number.NaN, 'double')).toBe('NaN');
    expect(serializePartitionValue(null, 'string')).toBeNull();
    expect(serializePartitionValue(new Uint8Array([1, 255]), 'binary')).toBe('\u0001\u00ff');
    expect(() => serializePartitionValue(1.5, 'integer', 'n')).toThrow(
      /partition column n: cannot serialise 1.5 as integer/,
    );
    for (const [s, t] of [
      ['2020-02-29', 'date'],
      ['1999-12-31 23:59:59.5', 'timestamp'],
      ['-0.01', 'decimal(4,2)'],
      ['-128', 'byte'],
    ] as const) {
      const back = serializePartitionValue(parsePartitionValue(s, t), t);
      expect(parsePartitionValue(back, t)).toEqual(parsePartitionValue(s, t));
    }
  });

  it('escape directory names like Spark and build Hive paths', () => {
    expect(escapePathName('a/b:c=d%e')).toBe('a%2Fb%3Ac%3Dd%25e');
    expect(escapePathName('bar+ "#\'*?\\{[]^\u0001\u007f')).toBe('bar+ %22%23%27%2A%3F%5C%7B%5B%5D%5E%01%7F');
    expect(unescapePathName(escapePathName('x/y=z%'))).toBe('x/y=z%');
    expect(partitionPath(['d', 'c'], { d: '2020-01-01', c: 'a/b' })).toBe('d=2020-01-01/c=a%2Fb');
    expect(partitionPath(['d'], { d: null })).toBe('d=__HIVE_DEFAULT_PARTITION__');
  });

  it('decode add.path URIs', () => {
    expect(decodeAddPath('special%20p@%23h')).toEqual({ relative: 'special p@#h' });
    expect(decodeAddPath('_2=bar+%252522/part.parquet')).toEqual({ relative: '_2=bar+%2522/part.parquet' });
    expect(decodeAddPath('file:/some/with%20space/p@%23h')).toEqual({ absolute: '/some/with space/p@#h' });
    expect(decodeAddPath('file:///abs/x')).toEqual({ absolute: '/abs/x' });
    expect(decodeAddPath('/abs/y')).toEqual({ absolute: '/abs/y' });
    expect(decodeAddPath('s3://bucket/k')).toEqual({ uri: 's3://bucket/k' });
    expect(decodeAddPath('odd:name.parquet')).toEqual({ relative: 'odd:name.parquet' });
    expect(decodeAddPath('FILE:/x')).toEqual({ absolute: '/x' });
    const rel = 'c=a%2Fb/part-0 #1.parquet';
    expect(decodeAddPath(encodeAddPath(rel))).toEqual({ relative: rel });
  });
});

const allTypes: StructType = {
  type: 'struct',
  fields: [
    ...[
      'string',
      'long',
      'integer',
      'short',
      'byte',
      'float',
      'double',
      'boolean',
      'binary',
      'date',
      'timestamp',
      'timestamp_ntz',
      'decimal(38,18)',
      'decimal(5,0)',
    ].map((t, i) => ({ name: `c${i}`, type: t as never, nullable: i % 2 === 0, metadata: {} })),
    {
      name: 'nested',
      type: {
        type: 'struct',
        fields: [
          {
            name: 'arr',
            type: { type: 'array', elementType: 'long', containsNull: false },
            nullable: true,
            metadata: {},
          },
          {
            name: 'm',
            type: {
              type: 'map',
              keyType: 'string',
              valueType: { type: 'array', elementType: 'decimal(10,2)', containsNull: true },
              valueContainsNull: true,
            },
            nullable: false,
            metadata: { comment: 'x' },
          },
        ],
      },
      nullable: true,
      metadata: { 'delta.columnMapping.id': 5 },
    },
  ],
};

describe('calendar dates and times (issue 12 item 10)', () => {
  it('reads real dates and times, including 29 February of leap years', () => {
    expect(parseDateDays('2024-02-29')).toBe(19782);
    expect(parseDateDays('2000-02-29')).toBe(11016);
    expect(parseTimestampMicros('2026-12-31T23:59:59.999999Z')).toBe(1_798_761_599_999_999n);
    expect(parseTimestampMicros('2026-01-01 00:00:00+18:00')).toBe(1_767_160_800_000_000n);
  });

  it('refuses what the calendar does not have instead of rolling it over', () => {
    for (const d of [
      '2026-02-30',
      '2025-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ]) {
      expect(parseDateDays(d), d).toBeUndefined();
      expect(parseTimestampMicros(`${d}T00:00:00Z`), d).toBeUndefined();
    }
    for (const t of [
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T00:00:00+19:00',
    ]) {
      expect(parseTimestampMicros(t), t).toBeUndefined();
    }
    expect(() => parsePartitionValue('2026-02-30', 'date', 'd')).toThrow(PartitionValueError);
  });
});

describe('schema', () => {
  it('maps every Delta type to Arrow exactly and back', () => {
    const a = deltaToArrow(allTypes);
    const types = a.fields.map((f) => String(f.type));
    expect(types.slice(0, 14)).toEqual([
      'Utf8',
      'Int64',
      'Int32',
      'Int16',
      'Int8',
      'Float32',
      'Float64',
      'Bool',
      'Binary',
      'Date32<DAY>',
      'Timestamp<MICROSECOND, UTC>',
      'Timestamp<MICROSECOND>',
      'Decimal[38e+18]',
      'Decimal[5e0]',
    ]);
    expect(arrowToDelta(a)).toEqual(allTypes);
    expect(parseSchema(JSON.stringify(allTypes))).toEqual(allTypes);
  });

  it('widens unsigned Arrow ints and refuses types Delta cannot hold', () => {
    const s = new arrow.Schema([
      new arrow.Field('u8', new arrow.Uint8()),
      new arrow.Field('u32', new arrow.Uint32()),
      new arrow.Field('ms', new arrow.TimestampMillisecond('UTC')),
      new arrow.Field('dict', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    ]);
    expect(arrowToDelta(s).fields.map((f) => f.type)).toEqual(['short', 'long', 'timestamp', 'string']);
    expect(() => arrowToDelta(new arrow.Schema([new arrow.Field('u', new arrow.Uint64())]))).toThrow(
      /column u: Arrow uint64 has no lossless Delta type/,
    );
    expect(() => arrowToDelta(new arrow.Schema([new arrow.Field('n', new arrow.Null())]))).toThrow(SchemaError);
  });

  it('rejects malformed schema strings with SchemaError naming the place', () => {
    expect(() => parseSchema('{')).toThrow(/schemaString is not valid JSON/);
    expect(() => parseSchema('"long"')).toThrow(/must describe a struct/);
    expect(() =>
      parseSchema(
        JSON.stringify({ type: 'struct', fields: [{ name: 'a', type: 'uint', nullable: true, metadata: {} }] }),
      ),
    ).toThrow(/unknown Delta type "uint" at a/);
    expect(() =>
      parseSchema(
        JSON.stringify({
          type: 'struct',
          fields: [{ name: 'a', type: 'decimal(40,2)', nullable: true, metadata: {} }],
        }),
      ),
    ).toThrow(/invalid decimal type decimal\(40,2\) at a/);
    expect(
      parseSchema(
        JSON.stringify({ type: 'struct', fields: [{ name: 'a', type: 'decimal', nullable: true, metadata: {} }] }),
      ).fields[0]!.type,
    ).toBe('decimal(10,0)');
  });
});
