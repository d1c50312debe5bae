/**
 * The fast paths copy-on-write DML and deletion-vector DELETE take on big
 * tables (bench: tests/bench/lakehouse/dml.mjs), each against the plain
 * result it must equal: in-place patching of updated rows, the integer-key
 * hash the MERGE join probes, column-projected Parquet reads, and the row
 * sink that writes while the next files are read (and cleans up on failure).
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { indexSource, keyColumn } from '../../../kernel-lib/src/lakehouse/dml/merge-join.js';
import { RowSink } from '../../../kernel-lib/src/lakehouse/dml/row-sink.js';
import {
  DataFileError,
  DeltaTable,
  LocalStorage,
  patchColumn,
  takeRows,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { removeTmpDirs, tmpDir } from '../../integration/lakehouse/helpers.js';

afterAll(removeTmpDirs);

const values = (d: arrow.Data) => [...arrow.makeVector(d)].map((v) => (typeof v === 'bigint' ? String(v) : v));

describe('patchColumn', () => {
  it('replaces rows in place across chunks for 64-bit ints, doubles, decimals and strings, keeping nulls exact', () => {
    const cases: [arrow.DataType, unknown[], unknown[]][] = [
      [new arrow.Int64(), [1n, null, -3n, 2n ** 60n, 5n], [9n, null]],
      [new arrow.Float64(), [1.5, 2.5, null, Number.NaN, -0], [null, 7.25]],
      [new arrow.Int32(), [1, 2, 3, 4, 5], [40, 50]],
      [new arrow.Utf8(), ['a', null, 'ccc', '', 'ee'], ['ZZ', null]],
    ];
    for (const [type, base, patch] of cases) {
      const whole = arrow.vectorFromArray(base, type);
      const chunks = [whole.data[0]!.slice(0, 2), whole.data[0]!.slice(2, 3)];
      const positions = [4, 1];
      const out = patchColumn(chunks, [{ positions, data: arrow.vectorFromArray(patch, type).data[0]! }])!;
      const expected = [...base];
      positions.forEach((p, k) => {
        expected[p] = patch[k];
      });
      expect(out.length).toBe(5);
      expect(values(out), String(type)).toEqual(values(arrow.vectorFromArray(expected, type).data[0]!));
      expect(out.nullCount).toBe(expected.filter((v) => v === null).length);
    }
    const dec = new arrow.Decimal(2, 10, 128);
    const words = (xs: number[]) => Uint32Array.from(xs.flatMap((x) => [x, 0, 0, 0]));
    const d = arrow.makeData({ type: dec, length: 3, data: words([100, 200, 300]) });
    const p = arrow.makeData({ type: dec, length: 1, data: words([999]) });
    const out = patchColumn([d], [{ positions: [1], data: p }])!;
    expect([...(out.values as Uint32Array)].filter((_, i) => i % 4 === 0)).toEqual([100, 999, 300]);
  });

  it('gives up (undefined) on layouts it cannot patch, so callers gather instead', () => {
    const bools = arrow.vectorFromArray([true, false], new arrow.Bool()).data[0]!;
    expect(patchColumn([bools], [{ positions: [0], data: bools.slice(1, 1) }])).toBeUndefined();
    const ints = arrow.vectorFromArray([1, 2], new arrow.Int32()).data[0]!;
    const longs = arrow.vectorFromArray([1n], new arrow.Int64()).data[0]!;
    expect(patchColumn([ints], [{ positions: [0], data: longs }])).toBeUndefined();
  });

  it('takeRows of 64-bit columns copies the exact bits (no BigInt or double round trip)', () => {
    const nanBits = new Float64Array(new BigInt64Array([0x7ff8_dead_beef_0001n]).buffer);
    const t = new arrow.Table({
      l: arrow.makeVector(BigInt64Array.from([1n, -(2n ** 63n), 2n ** 63n - 1n])),
      f: arrow.makeVector(Float64Array.from([1, nanBits[0]!, -0])),
    });
    const out = takeRows(t, [2, 1, 0]);
    expect([...out.getChild('l')!]).toEqual([2n ** 63n - 1n, -(2n ** 63n), 1n]);
    const bits = new BigInt64Array((out.getChild('f')!.data[0]!.values as Float64Array).slice().buffer);
    expect(bits[1]).toBe(0x7ff8_dead_beef_0001n);
    expect(Object.is(out.getChild('f')!.get(0), -0)).toBe(true);
  });
});

describe('MERGE join keys', () => {
  const pairs = [
    {
      target: { index: 0, name: 'id', type: 'long' as const },
      source: { index: 0, name: 'id', type: 'long' as const },
    },
  ];

  it('the integer hash finds every key, duplicates as lists, and keys beyond ±2^53 exactly', () => {
    const big = 2n ** 60n + 1n;
    const ids = [5n, -7n, big, 5n, null, 0n, big - 1n];
    const source = new arrow.Table({ id: arrow.vectorFromArray(ids, new arrow.Int64()) });
    const index = indexSource(source, pairs);
    expect(index.byKey.get(5)).toEqual([0, 3]);
    expect(index.byKey.get(-7)).toBe(1);
    expect(index.byKey.get(0)).toBe(5);
    expect(index.byKey.get(6)).toBeUndefined();
    const keys = keyColumn(source, [pairs[0]!.source]);
    expect(index.byKey.get(keys[2]!)).toBe(2);
    expect(index.byKey.get(keys[6]!)).toBe(6);
    expect(keys[4]).toBeUndefined();
    expect(keys[2]).not.toEqual(keys[6]);
    // The range used to prune target files covers every key.
    expect(Number(index.ranges[0]!.min)).toBe(-7);
    expect(Number(index.ranges[0]!.max)).toBeGreaterThan(2 ** 59);
  });

  it('many keys (the typed-array hash, duplicates included): every key found, absent keys not', () => {
    const n = 20_000;
    const ids = BigInt64Array.from({ length: n + 1 }, (_, i) => BigInt((i % n) * 7919 - 50_000));
    const index = indexSource(new arrow.Table({ id: arrow.makeVector(ids) }), pairs);
    expect(index.byKey).not.toBeInstanceOf(Map);
    expect(index.byKey.get(-50_000)).toEqual([0, n]);
    expect(index.ranges[0]).toEqual({ min: -50_000, max: (n - 1) * 7919 - 50_000 });
    for (let i = 1; i < n; i++) expect(index.byKey.get(i * 7919 - 50_000)).toBe(i);
    for (let i = 0; i < 1000; i++) expect(index.byKey.get(i * 7919 - 50_000 + 1)).toBeUndefined();
  });
});

describe('column-projected reads', () => {
  it('a projection decodes only its columns and equals the full read projected; missing columns read as NULL', async () => {
    const dir = tmpDir('proj');
    const t = new DeltaTable(dir);
    await t.write(
      new arrow.Table({
        id: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()),
        name: arrow.vectorFromArray(['a', null, 'c'], new arrow.Utf8()),
        v: arrow.vectorFromArray([0.5, 1.5, null], new arrow.Float64()),
      }),
      { mode: 'error' },
    );
    await t.write(
      new arrow.Table({
        id: arrow.vectorFromArray([4n], new arrow.Int64()),
        name: arrow.vectorFromArray(['d'], new arrow.Utf8()),
        v: arrow.vectorFromArray([2.5], new arrow.Float64()),
        extra: arrow.vectorFromArray([7], new arrow.Int32()),
      }),
      { mode: 'append', mergeSchema: true },
    );
    const full = (await t.read()).toArray().map((r) => [String(r.id), r.v, r.extra]);
    const projected = await t.read({ columns: ['id', 'v', 'extra'] });
    expect(projected.schema.fields.map((f) => f.name)).toEqual(['id', 'v', 'extra']);
    expect(projected.toArray().map((r) => [String(r.id), r.v, r.extra])).toEqual(full);
    expect((await t.read({ columns: ['v'], where: 'id > 1' })).toArray().map((r) => r.v)).toEqual([1.5, null, 2.5]);
  });

  it('a missing or corrupt file read through a projection is the same DataFileError as a full read', async () => {
    const dir = tmpDir('proj-bad');
    const t = new DeltaTable(dir);
    await t.write(
      new arrow.Table({
        a: arrow.vectorFromArray([1, 2], new arrow.Int32()),
        b: arrow.vectorFromArray([3, 4], new arrow.Int32()),
      }),
      { mode: 'error' },
    );
    const file = readdirSync(dir).find((f) => f.endsWith('.parquet'))!;
    writeFileSync(path.join(dir, file), 'not parquet');
    await expect(t.read({ columns: ['a'] })).rejects.toThrow(/is not a readable Parquet file/);
    rmSync(path.join(dir, file));
    const err = await t.read({ columns: ['a'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toMatch(new RegExp(`${file}.*is missing`));
  });
});

describe('RowSink', () => {
  it('abort deletes the files already written; finish returns them all', async () => {
    const dir = tmpDir('sink');
    const t = new DeltaTable(dir);
    const rows = (n: number) => new arrow.Table({ x: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => i)) });
    await t.write(rows(1), { mode: 'error' });
    const storage = new LocalStorage(dir);
    const snap = await t.snapshot();
    const before = readdirSync(dir)
      .filter((f) => f.endsWith('.parquet'))
      .sort();
    const sink = new RowSink(storage, snap);
    sink.add(rows(9_000_000)); // 72 MB: starts a write at once
    sink.add(rows(10));
    await sink.abort();
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.parquet'))
        .sort(),
    ).toEqual(before);
    const ok = new RowSink(storage, snap);
    ok.add(rows(5), undefined, rows(3));
    const written = await ok.finish();
    expect(written.numOutputRows).toBe(8);
    expect(written.adds.length).toBe(1);
  }, 120_000);
});
