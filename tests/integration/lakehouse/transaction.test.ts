/**
 * Transactions interleaved deterministically in one process: which concurrent
 * commits retry and which conflict (WriteSerializable, as Delta and delta-rs).
 */
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import {
  alignToSchema,
  CommitRetryExhaustedError,
  ConcurrentModificationError,
  DeltaTable,
  Transaction,
  writeDataFiles,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { removeTmpDirs, tmpDir } from './helpers.js';

const rows = (v: number, p = 'a') =>
  new arrow.Table({
    p: arrow.vectorFromArray([p], new arrow.Utf8()),
    v: arrow.vectorFromArray([v], new arrow.Int32()),
  });

/** Stages (but does not commit) an append or overwrite against the current snapshot. */
async function stage(table: DeltaTable, data: arrow.Table, mode: 'append' | 'overwrite', maxRetries?: number) {
  const snap = await table.snapshot();
  const aligned = alignToSchema(data, snap.schema, { tablePath: table.path });
  const { adds } = await writeDataFiles(table.storage, aligned.table, {
    schema: snap.schema,
    partitionColumns: snap.partitionColumns,
  });
  const txn = new Transaction(table.storage, snap, {
    operation: 'WRITE',
    operationParameters: { mode },
    ...(maxRetries !== undefined ? { maxRetries } : {}),
  });
  if (mode === 'overwrite') txn.readWholeTable().removeFiles(snap.files);
  return txn.addFiles(adds);
}

async function values(table: DeltaTable): Promise<number[]> {
  return (await table.read())
    .toArray()
    .map((r) => r.v as number)
    .sort((a, b) => a - b);
}

afterAll(removeTmpDirs);

describe('transactions under concurrency', () => {
  it('two blind appends from the same version: the second retries at the next version', async () => {
    const t = new DeltaTable(tmpDir('txn'));
    await t.write(rows(0), { mode: 'error' });
    const a = await stage(t, rows(1), 'append');
    const b = await stage(t, rows(2), 'append');
    expect(await a.commit()).toMatchObject({ version: 1, attempts: 1 });
    expect(await b.commit()).toMatchObject({ version: 2, attempts: 2 });
    expect(await values(t)).toEqual([0, 1, 2]);
    const h = await t.history();
    expect(h.map((e) => [e.version, e.readVersion, e.isBlindAppend])).toEqual([
      [2, 0, true],
      [1, 0, true],
      [0, undefined, false],
    ]);
  });

  it('an overwrite commits after a concurrent blind append (WriteSerializable) and keeps the appended rows', async () => {
    const t = new DeltaTable(tmpDir('txn'));
    await t.write(rows(0), { mode: 'error' });
    const ow = await stage(t, rows(10), 'overwrite');
    await (await stage(t, rows(1), 'append')).commit();
    expect(await ow.commit()).toMatchObject({ version: 2, attempts: 2 });
    // The overwrite removed what it read (v0's file); the concurrent append is serialised before it.
    expect(await values(t)).toEqual([1, 10]);
  });

  it('a blind append commits after a concurrent overwrite', async () => {
    const t = new DeltaTable(tmpDir('txn'));
    await t.write(rows(0), { mode: 'error' });
    const ap = await stage(t, rows(1), 'append');
    await (await stage(t, rows(10), 'overwrite')).commit();
    expect(await ap.commit()).toMatchObject({ version: 2 });
    expect(await values(t)).toEqual([1, 10]);
  });

  it('a concurrent schema change conflicts with any writer', async () => {
    const t = new DeltaTable(tmpDir('txn'));
    await t.write(rows(0), { mode: 'error' });
    const ap = await stage(t, rows(1), 'append');
    const wider = new arrow.Table({
      p: arrow.vectorFromArray(['a'], new arrow.Utf8()),
      v: arrow.vectorFromArray([5], new arrow.Int32()),
      extra: arrow.vectorFromArray([1.5], new arrow.Float64()),
    });
    await t.append(wider, { mergeSchema: true });
    const err = await ap.commit().catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConcurrentModificationError);
    expect((err as Error).message).toMatch(
      /\(WRITE, read version 0\) conflicts with version 1 committed concurrently: MetadataChanged — the table metadata \(schema, partitioning or properties\) was changed\. Re-read the table and retry the operation\./,
    );
    expect(await t.version()).toBe(1);
  });

  it('the same application id cannot commit twice concurrently', async () => {
    const t = new DeltaTable(tmpDir('txn'));
    await t.write(rows(0), { mode: 'error' });
    const a = (await stage(t, rows(1), 'append')).setTransactionId('job', 1);
    const b = (await stage(t, rows(2), 'append')).setTransactionId('job', 1);
    await a.commit();
    const err = await b.commit().catch((e: Error) => e);
    expect((err as Error).message).toContain(
      'ConcurrentTransaction — application job committed transaction 1 concurrently',
    );
  });

  it('gives up after maxRetries lost races with CommitRetryExhaustedError', async () => {
    const t = new DeltaTable(tmpDir('txn'));
    await t.write(rows(0), { mode: 'error' });
    const slow = await stage(t, rows(1), 'append', 0);
    await t.append(rows(2));
    const err = await slow.commit().catch((e: Error) => e);
    expect(err).toBeInstanceOf(CommitRetryExhaustedError);
    expect((err as Error).message).toMatch(/lost the race for a new version 1 times \(read version 0, last tried 2\)/);
    expect(await slow.commit().catch((e: Error) => e.name)).toBe('CommitRetryExhaustedError');
  });

  it('a concurrent table creation makes a create fail but an append go on top', async () => {
    const dir = tmpDir('txn');
    const a = new DeltaTable(dir);
    const b = new DeltaTable(dir);
    const [ra, rb] = await Promise.allSettled([a.append(rows(1)), b.append(rows(2))]);
    expect([ra.status, rb.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(await values(a)).toEqual([1, 2]);
    const c = new DeltaTable(tmpDir('txn'));
    const created = await Promise.allSettled([
      c.create({ schema: rows(0).schema }),
      new DeltaTable(c.path).create({ schema: rows(0).schema }),
    ]);
    expect(created.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});
