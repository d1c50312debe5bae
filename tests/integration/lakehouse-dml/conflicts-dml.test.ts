/**
 * Issue 15 item 2, deterministically: a DML operation that read version N loses
 * the race to a commit that lands first (a real commit on real files; the DML
 * runs on the snapshot it read before), and the rules of the table's isolation
 * level decide: retry past it, or fail with ConcurrentModificationError naming
 * the reason — leaving the winner's commit and nothing else in the log.
 */
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteRows } from '../../../kernel-lib/src/lakehouse/dml/delete.js';
import { mergeInto } from '../../../kernel-lib/src/lakehouse/dml/merge.js';
import { updateRows } from '../../../kernel-lib/src/lakehouse/dml/update.js';
import {
  ConcurrentModificationError,
  DeltaTable,
  InvalidArgumentError,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { removeTmpDirs, tmpDir } from '../lakehouse/helpers.js';
import { commitVersions, lastCommit } from './log.js';

afterAll(removeTmpDirs);

const rows = (p: string, ks: number[]) =>
  new arrow.Table({
    p: arrow.vectorFromArray(
      ks.map(() => p),
      new arrow.Utf8(),
    ),
    k: arrow.vectorFromArray(ks, new arrow.Int32()),
  });

async function table(properties: Record<string, string> = {}): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('dml-conflicts'));
  await t.write(rows('a', [1, 2, 3]), { mode: 'append', partitionBy: ['p'], properties });
  await t.append(rows('b', [1, 2, 3]));
  return t;
}

const keys = async (t: DeltaTable) => [...(await t.read()).toArray()].map((r) => `${r.p}${r.k}`).sort();

describe('DML conflict rules by isolation level', () => {
  it('WriteSerializable: a blind append into the partition a DELETE read is ordered after it', async () => {
    const t = await table();
    const stale = await t.snapshot();
    await t.append(rows('a', [2])); // the winner, version 2
    const r = await deleteRows(t.storage, stale, "p = 'a' and k = 2");
    expect(r).toMatchObject({ version: 3, attempts: 2, metrics: { numDeletedRows: 1 } });
    expect((await lastCommit(t.path)).commitInfo.isolationLevel).toBe('WriteSerializable');
    // Serial order DELETE then append: the appended a2 survives.
    expect(await keys(t)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
  });

  it('Serializable: the same append conflicts, a disjoint one does not', async () => {
    const t = await table({ 'delta.isolationLevel': 'Serializable' });
    let stale = await t.snapshot();
    await t.append(rows('b', [9])); // partition b: outside what the DELETE read
    const ok = await deleteRows(t.storage, stale, "p = 'a' and k = 2");
    expect(ok.version).toBe(3);
    expect((await lastCommit(t.path)).commitInfo.isolationLevel).toBe('Serializable');

    stale = await t.snapshot();
    await t.append(rows('a', [3])); // into partition a: the DELETE's read
    const err = await deleteRows(t.storage, stale, "p = 'a' and k = 3").catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConcurrentModificationError);
    expect((err as Error).message).toMatch(/conflicts with version 4 committed concurrently: ConcurrentAppend/);
    expect((err as Error).message).toContain('partition p=a');
    expect(commitVersions(t.path)).toEqual([0, 1, 2, 3, 4]);
    expect(await keys(t)).toEqual(['a1', 'a3', 'a3', 'b1', 'b2', 'b3', 'b9']);
  });

  it('a concurrent DELETE of a file an UPDATE read conflicts at every level', async () => {
    const t = await table();
    const stale = await t.snapshot();
    await t.delete("p = 'a' and k = 1"); // rewrites partition a's file
    const err = await updateRows(t.storage, stale, { where: "p = 'a'", set: { k: 'k + 10' } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConcurrentModificationError);
    // Spark checks the winner's adds before its removes: its rewritten file in partition a is reported first.
    expect((err as Error).message).toMatch(/ConcurrentAppend — it added p=a\/.*\.parquet \(partition p=a\)/);
    expect(await keys(t)).toEqual(['a2', 'a3', 'b1', 'b2', 'b3']);
  });

  it('with deletion vectors: two DELETEs marking the same file cannot both commit; disjoint files can', async () => {
    const t = await table({ 'delta.enableDeletionVectors': 'true' });
    const stale = await t.snapshot();
    await t.delete("p = 'a' and k = 1"); // a DV on partition a's file
    const sameFile = await deleteRows(t.storage, stale, "p = 'a' and k = 2").catch((e: Error) => e);
    expect(sameFile).toBeInstanceOf(ConcurrentModificationError);
    // The winner re-added the file with its DV (an add of data this DELETE read) and removed the old entry.
    expect((sameFile as Error).message).toMatch(/ConcurrentAppend — it added p=a\//);
    const other = await deleteRows(t.storage, stale, "p = 'b' and k = 2");
    expect(other.version).toBe(3);
    expect(await keys(t)).toEqual(['a2', 'a3', 'b1', 'b3']);
  });

  it('a MERGE whose key range a concurrent MERGE wrote into conflicts (not a blind append)', async () => {
    const t = await table();
    const stale = await t.snapshot();
    const source = rows('a', [2, 7]);
    const merge = {
      on: 't.p = s.p and t.k = s.k',
      whenMatchedDelete: {},
      whenNotMatchedInsert: { values: '*' as const },
    };
    await t.merge(rows('a', [5]), merge);
    const err = await mergeInto(t.storage, stale, source, merge).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConcurrentModificationError);
    expect(await keys(t)).toEqual(['a1', 'a2', 'a3', 'a5', 'b1', 'b2', 'b3']);
  });

  it('rejects an unknown isolation level by name', async () => {
    const t = new DeltaTable(tmpDir('dml-iso'));
    const err = await t
      .write(rows('a', [1]), { mode: 'append', properties: { 'delta.isolationLevel': 'SnapshotIsolation' } })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain('delta.isolationLevel must be Serializable or WriteSerializable');
  });
});
