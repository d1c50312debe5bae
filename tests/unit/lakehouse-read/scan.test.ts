/**
 * scan(): partition pruning, stats skipping, type normalisation (ms timestamps → µs UTC,
 * decimals, partition columns typed per schema, columns missing from old files → nulls),
 * row filtering, projection, limit — and typed errors for bad files and bad filters.
 */
import { rmSync, truncateSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataFileError,
  ExpressionError,
  InvalidArgumentError,
  LocalStorage,
  loadSnapshot,
  scan,
  scanWithStats,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { add, metaData, protocolV1, tmpTable, treeState, writeCommit, writeParquetFile } from './helpers.js';

function decimalVector(values: (bigint | null)[], precision: number, scale: number): arrow.Vector {
  const words = new Uint32Array(values.length * 4);
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    bitmap[i >> 3]! |= 1 << (i & 7);
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  const nullCount = values.filter((v) => v === null).length;
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.Decimal(scale, precision, 128),
      length: values.length,
      nullCount,
      nullBitmap: bitmap,
      data: words,
    }),
  );
}

function tsMillis(values: bigint[]): arrow.Vector {
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.TimestampMillisecond('UTC'),
      length: values.length,
      nullCount: 0,
      data: BigInt64Array.from(values),
    }),
  );
}

const T = 1577836800000n; // 2020-01-01T00:00:00Z in ms
let dir: string;
let storage: LocalStorage;

beforeAll(() => {
  dir = tmpTable('lh-scan-');
  storage = new LocalStorage(dir);
  const fileA = new arrow.Table({
    id: arrow.vectorFromArray([1n, 2n, 3n, 4n, 5n], new arrow.Int64()),
    name: arrow.vectorFromArray(['a', 'b', 'c', 'd', 'e']),
    v: arrow.vectorFromArray([1.5, null, 3.5, 4.5, 5.5], new arrow.Float64()),
    ts: tsMillis([T, T + 1n, T + 2n, T + 3n, T + 4n]),
    amt: decimalVector([12345n, -1n, null, 0n, 99999999n], 10, 2),
  });
  const fileB = new arrow.Table({
    id: arrow.vectorFromArray([6n, 7n, 8n, 9n, 10n], new arrow.Int64()),
    name: arrow.vectorFromArray(['f', 'g', 'h', 'i', 'j']),
    v: arrow.vectorFromArray([6, 7, 8, 9, 10], new arrow.Float64()),
    ts: tsMillis([T + 86_400_000n, T, T, T, T]),
    amt: decimalVector([1n, 2n, 3n, 4n, 5n], 10, 2),
  });
  // An older file written before `amt` was added to the schema.
  const fileC = new arrow.Table({
    id: arrow.vectorFromArray([11n, 12n], new arrow.Int64()),
    name: arrow.vectorFromArray(['k', null]),
    v: arrow.vectorFromArray([null, 12], new arrow.Float64()),
    ts: tsMillis([T, T]),
  });
  writeParquetFile(dir, 'd=2020-01-01/a.parquet', fileA);
  writeParquetFile(dir, 'd=2020-06-01/b.parquet', fileB);
  writeParquetFile(dir, 'd=__HIVE_DEFAULT_PARTITION__/c.parquet', fileC);
  const fields = [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'v', type: 'double' },
    { name: 'ts', type: 'timestamp' },
    { name: 'amt', type: 'decimal(10,2)' },
    { name: 'd', type: 'date' },
  ];
  writeCommit(dir, 0, [
    protocolV1,
    metaData(fields, ['d']),
    add('d=2020-01-01/a.parquet', {
      partitionValues: { d: '2020-01-01' },
      stats: {
        numRecords: 5,
        minValues: { id: 1, name: 'a' },
        maxValues: { id: 5, name: 'e' },
        nullCount: { id: 0, v: 1 },
      },
    }),
    add('d=2020-06-01/b.parquet', {
      partitionValues: { d: '2020-06-01' },
      stats: {
        numRecords: 5,
        minValues: { id: 6, name: 'f' },
        maxValues: { id: 10, name: 'j' },
        nullCount: { id: 0, v: 0 },
      },
    }),
    // No stats: must never be skipped by data-column predicates.
    add('d=__HIVE_DEFAULT_PARTITION__/c.parquet', { partitionValues: { d: null } }),
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = (t: arrow.Table): number[] =>
  [...(t.getChild('id') as arrow.Vector)].map((x) => Number(x)).sort((a, b) => a - b);

describe('scan', () => {
  it('reads all rows, normalising types to the Delta schema', async () => {
    const snap = await loadSnapshot(storage);
    const t = await scan(snap, storage);
    expect(t.numRows).toBe(12);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'v', 'ts', 'amt', 'd']);
    const ts = t.schema.fields[3]!.type as arrow.Timestamp;
    expect(ts.unit).toBe(arrow.TimeUnit.MICROSECOND);
    expect(ts.timezone).toBe('UTC');
    expect(String(t.schema.fields[4]!.type)).toBe('Decimal[10e+2]');
    expect(arrow.DataType.isDate(t.schema.fields[5]!.type)).toBe(true);
    const rows = t.toArray().map((r) => r.toJSON());
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    // ms → µs exactly: read the raw int64.
    const tsCol = t.getChild('ts')!;
    const raw: bigint[] = [];
    for (const data of tsCol.data)
      for (let i = 0; i < data.length; i++) raw.push((data.values as BigInt64Array)[data.offset + i]!);
    expect(raw).toContain(T * 1000n + 4000n);
    expect(String(byId.get(1)!.amt)).toBe('12345');
    expect(String(byId.get(2)!.amt)).toBe('-1');
    expect(byId.get(3)!.amt).toBeNull();
    expect(byId.get(11)!.amt).toBeNull(); // column absent from the old file
    expect(byId.get(11)!.d).toBeNull(); // null partition
    expect(byId.get(6)!.d).toBe(Date.UTC(2020, 5, 1));
  });

  it('prunes by partition value', async () => {
    const snap = await loadSnapshot(storage);
    const { table, stats } = await scanWithStats(snap, storage, { where: "d = '2020-01-01'" });
    expect(stats).toEqual({ filesTotal: 3, filesPruned: 2, filesRead: 1 });
    expect(ids(table)).toEqual([1, 2, 3, 4, 5]);
    const nulls = await scanWithStats(snap, storage, { where: 'd is null' });
    expect(nulls.stats.filesRead).toBe(1);
    expect(ids(nulls.table)).toEqual([11, 12]);
  });

  it('skips files by min/max stats but keeps files without stats', async () => {
    const snap = await loadSnapshot(storage);
    const { table, stats } = await scanWithStats(snap, storage, { where: 'id > 7' });
    expect(stats).toEqual({ filesTotal: 3, filesPruned: 1, filesRead: 2 });
    expect(ids(table)).toEqual([8, 9, 10, 11, 12]);
    const none = await scanWithStats(snap, storage, { where: 'id between 100 and 200 and d is not null' });
    expect(none.stats.filesRead).toBe(0);
    expect(none.table.numRows).toBe(0);
    expect(none.table.schema.fields.length).toBe(6);
  });

  it('filters rows with SQL null semantics, IN, NOT and timestamps', async () => {
    const snap = await loadSnapshot(storage);
    expect(ids(await scan(snap, storage, { where: "v is null or name = 'b'" }))).toEqual([2, 11]);
    expect(ids(await scan(snap, storage, { where: "id in (1, 6, 11) and not (name = 'a')" }))).toEqual([6, 11]);
    // name is null for 12: `name != 'x'` is unknown there, so 12 is not returned.
    expect(ids(await scan(snap, storage, { where: "name <> 'x' and id >= 11" }))).toEqual([11]);
    expect(
      ids(await scan(snap, storage, { where: "ts between '2020-01-01 00:00:00.001' and '2020-01-01T00:00:00.003Z'" })),
    ).toEqual([2, 3, 4]);
    expect(ids(await scan(snap, storage, { where: 'amt >= 999999.99 or amt < 0' }))).toEqual([2, 5]);
    expect(ids(await scan(snap, storage, { where: "d >= date '2020-03-01'" }))).toEqual([6, 7, 8, 9, 10]);
  });

  it('projects columns in the requested order and applies the limit', async () => {
    const snap = await loadSnapshot(storage);
    const t = await scan(snap, storage, { columns: ['name', 'id'], where: 'v > 4', limit: 3 });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['name', 'id']);
    expect(t.numRows).toBe(3);
    expect(await scan(snap, storage, { limit: 0 }).then((x) => x.numRows)).toBe(0);
    await expect(scan(snap, storage, { limit: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(scan(snap, storage, { limit: Number.NaN })).rejects.toThrow(
      /scan limit must be a number ≥ 0, got NaN/,
    );
  });

  it('rejects bad filters and projections with ExpressionError naming the problem', async () => {
    const snap = await loadSnapshot(storage);
    await expect(scan(snap, storage, { where: 'nope = 1' })).rejects.toThrow(ExpressionError);
    await expect(scan(snap, storage, { where: 'nope = 1' })).rejects.toThrow(
      /unknown column 'nope'.*id, name, v, ts, amt, d/,
    );
    await expect(scan(snap, storage, { columns: ['id', 'zzz'] })).rejects.toThrow(/unknown column 'zzz' in projection/);
    await expect(scan(snap, storage, { where: 'id = ' })).rejects.toThrow(
      /expected a column or literal but found end of input/,
    );
    await expect(scan(snap, storage, { where: "id = 'abc'" })).rejects.toThrow(
      /literal "abc" cannot be compared with column 'id' of type long/,
    );
  });
});

describe('partition columns of every primitive type', () => {
  it('materialises each partition value with its Delta type', async () => {
    const d = tmpTable('lh-scan-ptypes-');
    try {
      const cols = {
        p_long: ['long', '-9223372036854775808'],
        p_int: ['integer', '7'],
        p_short: ['short', '-3'],
        p_byte: ['byte', '5'],
        p_double: ['double', '-0.5'],
        p_float: ['float', '1.25'],
        p_bool: ['boolean', 'false'],
        p_str: ['string', 'a/b=c %d'],
        p_bin: ['binary', '\u0001\u00ff'],
        p_date: ['date', '1969-12-31'],
        p_ts: ['timestamp', '1970-01-01 00:00:00.000001'],
        p_dec: ['decimal(20,3)', '-12345678901234567.891'],
        p_null: ['integer', null],
      } as const;
      writeParquetFile(d, 'f.parquet', new arrow.Table({ id: arrow.vectorFromArray([1n, 2n], new arrow.Int64()) }));
      writeCommit(d, 0, [
        protocolV1,
        metaData(
          [{ name: 'id', type: 'long' }, ...Object.entries(cols).map(([name, [type]]) => ({ name, type }))],
          Object.keys(cols),
        ),
        add('f.parquet', {
          partitionValues: Object.fromEntries(Object.entries(cols).map(([k, [, v]]) => [k, v])),
        }),
      ]);
      const st = new LocalStorage(d);
      const t = await scan(await loadSnapshot(st), st);
      expect(t.numRows).toBe(2);
      const row = t.get(1)!.toJSON() as Record<string, unknown>;
      expect(row.p_long).toBe(-9223372036854775808n);
      expect(row.p_int).toBe(7);
      expect(row.p_short).toBe(-3);
      expect(row.p_byte).toBe(5);
      expect(row.p_double).toBe(-0.5);
      expect(row.p_float).toBe(1.25);
      expect(row.p_bool).toBe(false);
      expect(row.p_str).toBe('a/b=c %d');
      expect([...(row.p_bin as Uint8Array)]).toEqual([1, 255]);
      expect(row.p_date).toBe(-86_400_000);
      expect(String(row.p_dec)).toBe('-12345678901234567891');
      expect(row.p_null).toBeNull();
      const ts = t.getChild('p_ts')!.data[0]!;
      expect((ts.values as BigInt64Array)[ts.offset + 1]).toBe(1n);
      expect(String(t.schema.fields.find((f) => f.name === 'p_dec')!.type)).toBe('Decimal[20e+3]');
      // Pruning on each of them.
      for (const where of [
        'p_long < 0',
        'p_bool = false',
        "p_str = 'a/b=c %d'",
        "p_date = '1969-12-31'",
        "p_ts > '1970-01-01'",
        'p_dec < -12345678901234567.8905',
        'p_null is null',
      ]) {
        expect((await scanWithStats(await loadSnapshot(st), st, { where })).stats.filesRead, where).toBe(1);
      }
      for (const where of ['p_long > 0', 'p_bool', 'p_dec > 0', 'p_null = 1', "p_str = 'a'", 'p_float < 1.25']) {
        expect((await scanWithStats(await loadSnapshot(st), st, { where })).stats.filesPruned, where).toBe(1);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('files whose physical types differ from the table schema', () => {
  it('widens ints and floats, fills nested fields the file lacks with nulls', async () => {
    const d = tmpTable('lh-scan-cast-');
    try {
      const s = new arrow.Struct([new arrow.Field('x', new arrow.Int32())]);
      writeParquetFile(
        d,
        'old.parquet',
        new arrow.Table({
          n: arrow.vectorFromArray([1, -2, null], new arrow.Int32()),
          f: arrow.vectorFromArray([0.5, 1.5, 2.5], new arrow.Float32()),
          s: arrow.vectorFromArray([{ x: 1 }, null, { x: 3 }], s),
        }),
      );
      const structType = {
        type: 'struct',
        fields: [
          { name: 'x', type: 'long', nullable: true, metadata: {} },
          { name: 'y', type: 'string', nullable: true, metadata: {} },
        ],
      };
      writeCommit(d, 0, [
        protocolV1,
        metaData([
          { name: 'n', type: 'long' },
          { name: 'f', type: 'double' },
          { name: 's', type: structType },
        ]),
        add('old.parquet'),
      ]);
      const st = new LocalStorage(d);
      const t = await scan(await loadSnapshot(st), st);
      expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Float64', 'Struct<{x:Int64, y:Utf8}>']);
      expect(
        t
          .toArray()
          .map((r) => r.toJSON())
          .map((r) => [r.n, r.f, r.s === null ? null : { ...r.s.toJSON() }]),
      ).toEqual([
        [1n, 0.5, { x: 1n, y: null }],
        [-2n, 1.5, null],
        [null, 2.5, { x: 3n, y: null }],
      ]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('scan of damaged data files', () => {
  it('missing data file → DataFileError naming the file; nothing written', async () => {
    const d = tmpTable('lh-scan-missing-');
    try {
      writeParquetFile(d, 'x.parquet', new arrow.Table({ id: arrow.vectorFromArray([1n], new arrow.Int64()) }));
      writeCommit(d, 0, [protocolV1, metaData([{ name: 'id', type: 'long' }]), add('x.parquet'), add('gone.parquet')]);
      const before = treeState(d);
      const st = new LocalStorage(d);
      const snap = await loadSnapshot(st);
      const err = await scan(snap, st).catch((e: Error) => e);
      expect(err).toBeInstanceOf(DataFileError);
      expect((err as Error).message).toMatch(/data file gone\.parquet of table .* \(version 0\) is missing/);
      expect(treeState(d)).toEqual(before);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('truncated Parquet file → DataFileError naming the file; nothing written', async () => {
    const d = tmpTable('lh-scan-trunc-');
    try {
      const size = writeParquetFile(
        d,
        'part-0.parquet',
        new arrow.Table({ id: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()) }),
      );
      writeCommit(d, 0, [protocolV1, metaData([{ name: 'id', type: 'long' }]), add('part-0.parquet', { size })]);
      truncateSync(path.join(d, 'part-0.parquet'), Math.floor(size / 2));
      const before = treeState(d);
      const st = new LocalStorage(d);
      const err = await scan(await loadSnapshot(st), st).catch((e: Error) => e);
      expect(err).toBeInstanceOf(DataFileError);
      expect((err as Error).message).toMatch(/data file part-0\.parquet of table .* is not a readable Parquet file/);
      expect(treeState(d)).toEqual(before);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a path escaping the table directory is refused', async () => {
    const d = tmpTable('lh-scan-escape-');
    try {
      writeCommit(d, 0, [protocolV1, metaData([{ name: 'id', type: 'long' }]), add('../../etc/passwd')]);
      const st = new LocalStorage(d);
      await expect(scan(await loadSnapshot(st), st)).rejects.toThrow(/points outside the table directory/);
      unlinkSync(path.join(d, '_delta_log', '00000000000000000000.json'));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
