/**
 * Issue 15: DELETE / UPDATE / MERGE on a table with `delta.enableDeletionVectors=true`
 * mark rows in deletion vectors instead of rewriting files. Every version is read
 * by the pyarrow oracle with its own DV decoder (golden/oracle.py) and must equal
 * our reader; the log must show no rewritten data file, Spark's DV metrics, the
 * protocol feature, and DVs that survive a checkpoint. VACUUM then deletes exactly
 * the DV files no retained version references.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { removeTmpDirs, tmpDir } from '../lakehouse/helpers.js';
import { oracleRows, ourRows } from '../golden/rows-two-ways.js';
import { idRows, range } from './id-rows.js';
import { commitVersions, lastCommit, readCommitFile } from './log.js';

afterAll(removeTmpDirs);

const rows = idRows;
const dvFiles = (dir: string) => readdirSync(dir).filter((f) => /^deletion_vector_.*\.bin$/.test(f));
const parquetFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'));

async function dvTable(): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('dml-dv'));
  await t.write(rows(range(0, 100)), {
    mode: 'append',
    partitionBy: ['p'],
    properties: { 'delta.enableDeletionVectors': 'true', 'delta.checkpointInterval': '4' },
  });
  await t.append(rows(range(100, 150)));
  return t;
}

async function expectOracleAgrees(t: DeltaTable, version?: number): Promise<void> {
  const ours = await ourRows(t.path, version);
  expect(ours).toEqual(await oracleRows(t.path, version));
}

describe('DML with deletion vectors', () => {
  it('DELETE, UPDATE and MERGE mark rows in DVs; pyarrow + an independent DV decoder agree at every version', async () => {
    const t = await dvTable();
    const v0 = readCommitFile(t.path, 0);
    expect(v0.actions.find((a) => a.protocol)?.protocol).toEqual({
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['deletionVectors'],
      writerFeatures: ['deletionVectors'],
    });
    const dataFiles = parquetFiles(t.path).sort();

    const del = await t.delete(
      `id in (${range(0, 22)
        .map((i) => i * 7)
        .join(', ')})`,
    );
    expect(del.metrics).toMatchObject({
      numDeletedRows: 22,
      numCopiedRows: 0,
      numRemovedFiles: 0,
      numAddedFiles: 0,
      numDeletionVectorsAdded: 4,
      numDeletionVectorsUpdated: 0,
    });
    let c = await lastCommit(t.path);
    expect(c.adds.every((a) => a.deletionVector?.storageType === 'u')).toBe(true);
    expect(c.adds.map((a) => a.path).sort()).toEqual(c.removes.map((r) => r.path).sort());
    expect(c.adds.every((a) => JSON.parse(a.stats).tightBounds === false)).toBe(true);
    expect(parquetFiles(t.path).sort()).toEqual(dataFiles); // nothing rewritten
    expect(dvFiles(t.path)).toHaveLength(1);

    // A second DELETE on files that already have a DV: their DVs are replaced by the union.
    const del2 = await t.delete('id < 10');
    expect(del2.metrics).toMatchObject({ numDeletedRows: 8, numDeletionVectorsAdded: 2, numDeletionVectorsUpdated: 2 });
    expect(del2.metrics.numDeletionVectorsRemoved).toBe(2);
    c = await lastCommit(t.path);
    expect(c.removes.every((r) => r.deletionVector)).toBe(true);

    const upd = await t.update({ where: 'id >= 140', set: { v: 'v + 1' } });
    expect(upd.metrics).toMatchObject({ numUpdatedRows: 8, numCopiedRows: 0, numAddedFiles: 2 });

    const source = new arrow.Table({
      id: arrow.vectorFromArray([50n, 51n, 52n, 1000n], new arrow.Int64()),
      p: arrow.vectorFromArray(['even', 'odd', 'even', 'even'], new arrow.Utf8()),
      v: arrow.vectorFromArray([-1, -1, -1, -1], new arrow.Int32()),
    });
    const m = await t.merge(source, {
      on: 't.id = s.id',
      whenMatchedUpdate: { condition: 's.id <> 52', set: { v: 's.v' } },
      whenMatchedDelete: {},
      whenNotMatchedInsert: { values: '*' },
    });
    expect(m.metrics).toMatchObject({
      numTargetRowsUpdated: 2,
      numTargetRowsDeleted: 1,
      numTargetRowsInserted: 1,
      numTargetRowsCopied: 0,
      numTargetFilesRemoved: 0,
    });
    expect(m.metrics.numTargetDeletionVectorsAdded).toBeGreaterThan(0);

    const latest = (await t.snapshot()).version;
    expect(commitVersions(t.path)).toHaveLength(latest + 1);
    expect(existsSync(path.join(t.path, '_delta_log', `${String(4).padStart(20, '0')}.checkpoint.parquet`))).toBe(true);
    for (let v = 0; v <= latest; v++) await expectOracleAgrees(t, v);

    const ids = (await ourRows(t.path)).length;
    expect(ids).toBe(150 - 22 - 8 - 1 + 1);
    // A fresh reader starting from the checkpoint (version 4) sees the DVs the checkpoint carries.
    const described = await t.describe();
    expect(described.numRows).toBe(ids);
  }, 120_000);

  it('a file whose every row is deleted is removed, not given a full DV', async () => {
    const t = await dvTable();
    const r = await t.delete('id >= 100');
    expect(r.metrics).toMatchObject({ numDeletedRows: 50, numRemovedFiles: 2, numDeletionVectorsAdded: 0 });
    const c = await lastCommit(t.path);
    expect(c.adds).toHaveLength(0);
    expect(c.removes).toHaveLength(2);
    await expectOracleAgrees(t);
  }, 60_000);

  it('VACUUM deletes exactly the DV files no retained version references', async () => {
    const t = await dvTable();
    await t.delete('id = 3');
    const first = dvFiles(t.path);
    await t.delete('id = 5'); // same file: its DV moves to a new DV file, the first becomes garbage
    await t.delete('id = 4'); // the other file: the second DV file still holds the first file's DV
    const all = dvFiles(t.path);
    expect(all).toHaveLength(3);
    const referenced = new Set(
      (await t.snapshot()).files.flatMap((f) => (f.deletionVector ? [f.deletionVector.pathOrInlineDv] : [])),
    );
    expect(referenced.size).toBe(2);
    const later = Date.now() + 200 * 3_600_000;
    const dry = await t.vacuum({ dryRun: true, now: later });
    expect(dry.files.filter((f) => f.startsWith('deletion_vector_'))).toEqual(first);
    await t.vacuum({ now: later });
    expect(dvFiles(t.path).sort()).toEqual(all.filter((f) => !first.includes(f)).sort());
    await expectOracleAgrees(t);
    expect((await ourRows(t.path)).length).toBe(147);
  }, 60_000);

  it('RESTORE to a version whose DV file VACUUM deleted fails naming it, though its data files exist', async () => {
    const t = await dvTable();
    await t.delete('id = 3'); // version 2: the file holding 3 gets a DV in the first DV file
    const first = dvFiles(t.path);
    await t.delete('id = 5'); // version 3: that file's DV moves to a new DV file; the first is garbage
    await t.vacuum({ now: Date.now() + 200 * 3_600_000 });
    expect(dvFiles(t.path).some((f) => first.includes(f))).toBe(false);
    const before = await t.version();
    await expect(t.restore({ version: 2 })).rejects.toThrow(
      new RegExp(`no longer exist.*${first[0]!.replace(/\./g, '\\.')} \\(deletion vector of `),
    );
    expect(await t.version()).toBe(before);
    expect((await ourRows(t.path)).length).toBe(148);
    // A version whose files are all there still restores.
    expect((await t.restore({ version: 3 })).version).toBe(before + 1);
  }, 60_000);

  it('turning the property on for an existing table upgrades its protocol in the same commit', async () => {
    const t = new DeltaTable(tmpDir('dml-dv-upgrade'));
    await t.write(rows(range(0, 20)), { mode: 'append' });
    expect((await t.snapshot()).protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    await t.append(rows(range(20, 30)), { properties: { 'delta.enableDeletionVectors': 'true' } });
    expect((await t.snapshot()).protocol).toEqual({
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['deletionVectors'],
      writerFeatures: ['appendOnly', 'invariants', 'deletionVectors'],
    });
    const r = await t.delete('id = 25');
    expect(r.metrics.numDeletionVectorsAdded).toBe(1);
    await expectOracleAgrees(t);
  }, 60_000);
});
