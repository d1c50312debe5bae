/**
 * DELETE and UPDATE, copy-on-write: only touched files are rewritten, the log
 * has proper removes and Spark-named metrics, and pyarrow over the live files
 * (the independent oracle) sees the same rows as our reader.
 */
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable, ExpressionError, InvalidArgumentError } from '../../../kernel-lib/src/lakehouse/index.js';
import { normalisedRows, oracle, removeTmpDirs, sortedJson, tmpDir } from '../lakehouse/helpers.js';
import { lastCommit } from './log.js';

afterAll(removeTmpDirs);

function rows(ids: number[], part: (id: number) => string): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()),
    p: arrow.vectorFromArray(ids.map(part), new arrow.Utf8()),
    v: arrow.vectorFromArray(
      ids.map((i) => (i % 5 === 0 ? null : i * 1.5)),
      new arrow.Float64(),
    ),
  });
}

async function threeFileTable(partitioned: boolean): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('dml'));
  const part = (i: number) => (i < 15 ? 'a' : 'b');
  await t.write(rows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], part), {
    mode: 'append',
    ...(partitioned ? { partitionBy: ['p'] } : {}),
  });
  await t.append(rows([10, 11, 12, 13, 14], part));
  await t.append(rows([20, 21, 22, 23, 24], part));
  return t;
}

async function expectOracleAgrees(t: DeltaTable): Promise<void> {
  const o = await oracle(t.path);
  expect(o.problems).toEqual([]);
  expect(normalisedRows(await t.read(), o.columns)).toEqual(sortedJson(o.rows));
}

describe('DELETE', () => {
  it('rewrites only the file holding matching rows, with Spark metrics and removes', async () => {
    const t = await threeFileTable(false);
    const before = (await t.snapshot()).files;
    const r = await t.delete('id >= 11 and id <= 12');
    expect(r.version).toBe(3);
    expect(r.metrics).toMatchObject({ numDeletedRows: 2, numCopiedRows: 3, numRemovedFiles: 1, numAddedFiles: 1 });
    const c = await lastCommit(t.path);
    expect(c.commitInfo.operation).toBe('DELETE');
    expect(c.commitInfo.operationParameters).toEqual({ predicate: '["id >= 11 and id <= 12"]' });
    expect(c.commitInfo.isBlindAppend).toBe(false);
    expect(c.removes).toHaveLength(1);
    expect(c.removes[0]).toMatchObject({ path: before[1]!.path, dataChange: true, extendedFileMetadata: true });
    expect(typeof c.removes[0]!.deletionTimestamp).toBe('number');
    const ids = (await t.read({ columns: ['id'] })).getChild('id')!.toArray();
    expect([...ids].map(Number).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 20, 21, 22, 23, 24,
    ]);
    await expectOracleAgrees(t);
    // time travel still sees the deleted rows
    expect((await t.read({ version: 2 })).numRows).toBe(20);
  });

  it('a predicate on partition columns removes whole files without reading them', async () => {
    const t = await threeFileTable(true);
    const r = await t.delete("p = 'b'");
    // ids 20..24 are the only rows in partition b: one file, removed from the log alone
    expect(r.metrics).toMatchObject({ numRemovedFiles: 1, numAddedFiles: 0, numDeletedRows: 5, scanTimeMs: 0 });
    expect((await t.read()).numRows).toBe(15);
    await expectOracleAgrees(t);
  });

  it('no match commits nothing; no predicate deletes everything', async () => {
    const t = await threeFileTable(false);
    const none = await t.delete('id > 1000');
    expect(none.version).toBeUndefined();
    expect(await t.version()).toBe(2);
    const all = await t.delete();
    expect(all.metrics.numDeletedRows).toBe(20);
    expect((await t.read()).numRows).toBe(0);
    await expectOracleAgrees(t);
  });

  it('NULL does not match (three-valued logic)', async () => {
    const t = await threeFileTable(false);
    await t.delete('v > 10');
    const left = await t.read();
    // v = 1.5·id is null for multiples of 5: those rows survive, as do ids 1–4 and 6 (v ≤ 10)
    const ids = [...left.getChild('id')!.toArray()].map(Number).sort((a, b) => a - b);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 10, 20]);
  });

  it('refuses append-only tables and bad predicates with typed errors', async () => {
    const t = new DeltaTable(tmpDir('dml'));
    await t.write(
      rows([1, 2], () => 'a'),
      { properties: { 'delta.appendOnly': 'true' } },
    );
    await expect(t.delete('id = 1')).rejects.toThrow(InvalidArgumentError);
    const u = await threeFileTable(false);
    await expect(u.delete('nope = 1')).rejects.toThrow(/unknown column 'nope'/);
  });
});

describe('UPDATE', () => {
  it('sets expressions on matching rows only, copying the rest of touched files', async () => {
    const t = await threeFileTable(false);
    const r = await t.update({ where: 'id < 12', set: { v: 'coalesce(v, 0) * 2 + id', p: "concat(p, '!')" } });
    expect(r.metrics).toMatchObject({ numUpdatedRows: 12, numCopiedRows: 3, numRemovedFiles: 2, numAddedFiles: 1 });
    const c = await lastCommit(t.path);
    expect(c.commitInfo.operation).toBe('UPDATE');
    const got = new Map([...(await t.read()).toArray()].map((row) => [Number(row.id), row.toJSON()]));
    expect(got.get(3)).toMatchObject({ p: 'a!', v: 3 * 1.5 * 2 + 3 });
    expect(got.get(5)).toMatchObject({ p: 'a!', v: 5 });
    expect(got.get(13)).toMatchObject({ p: 'a', v: 13 * 1.5 });
    expect(got.get(20)).toMatchObject({ p: 'b', v: null });
    await expectOracleAgrees(t);
  });

  it('updating a partition column moves rows to the new partition; SET sees old values', async () => {
    const t = await threeFileTable(true);
    await t.update({ where: 'id = 3 or id = 21', set: { p: "'c'" } });
    const snap = await t.snapshot();
    expect(new Set(snap.files.map((f) => f.partitionValues.p))).toEqual(new Set(['a', 'b', 'c']));
    const c = (await t.read({ where: "p = 'c'", columns: ['id'] })).getChild('id')!.toArray();
    expect([...c].map(Number).sort()).toEqual([21, 3]);
    await expectOracleAgrees(t);
  });

  it('keeps long values exact and rejects bad expressions clearly', async () => {
    const t = new DeltaTable(tmpDir('dml'));
    await t.write(rows([1, 2], () => 'a'));
    await t.update({ set: { id: 'id + 9007199254740993' } });
    const ids = [...(await t.read()).getChild('id')!.toArray()].map(String).sort();
    expect(ids).toEqual(['9007199254740994', '9007199254740995']);
    await expect(t.update({ set: { nope: '1' } })).rejects.toThrow(ExpressionError);
    await expect(t.update({ set: { id: 'id +' } })).rejects.toThrow(/UPDATE SET id/);
    await expect(t.update({ set: { id: "'x'" } })).rejects.toThrow(/cannot assign "x" to column id of type long/);
  });
});
