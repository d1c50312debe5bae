/**
 * OPTIMIZE (bin-packing and Z-order, dataChange false), VACUUM (retention,
 * dry run, the 168 h guard, time travel kept within retention), RESTORE
 * (version and timestamp) and exactly-once `txn` writes.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DataFileError,
  DeltaTable,
  InvalidArgumentError,
  UnsupportedFeatureError,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { normalisedRows, oracle, removeTmpDirs, sortedJson, tmpDir } from '../lakehouse/helpers.js';
import { lastCommit } from './log.js';

afterAll(removeTmpDirs);

const WEEK_MS = 7 * 24 * 3_600_000;

function batch(from: number, n: number, part = 'a'): arrow.Table {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  return new arrow.Table({
    id: arrow.vectorFromArray(ids, new arrow.Int32()),
    x: arrow.vectorFromArray(
      ids.map((i) => (i * 7919) % 1000),
      new arrow.Int32(),
    ),
    p: arrow.vectorFromArray(
      ids.map(() => part),
      new arrow.Utf8(),
    ),
  });
}

async function smallFiles(n: number, partitioned = false): Promise<DeltaTable> {
  const t = new DeltaTable(tmpDir('maint'));
  for (let i = 0; i < n; i++) {
    await t.write(batch(i * 10, 10, i % 2 ? 'b' : 'a'), {
      mode: 'append',
      ...(partitioned ? { partitionBy: ['p'] } : {}),
    });
  }
  return t;
}

describe('OPTIMIZE', () => {
  it('bin-packs small files per partition with dataChange false; rows unchanged', async () => {
    const t = await smallFiles(6, true);
    const before = normalisedRows(await t.read(), ['id', 'x', 'p']);
    const r = await t.optimize();
    expect(r.metrics).toMatchObject({ numRemovedFiles: 6, numAddedFiles: 2 });
    const c = await lastCommit(t.path);
    expect(c.commitInfo.operation).toBe('OPTIMIZE');
    expect(c.commitInfo.operationParameters).toMatchObject({ predicate: '[]', zOrderBy: '[]' });
    expect(c.adds.every((a) => a.dataChange === false)).toBe(true);
    expect(c.removes.every((a) => a.dataChange === false)).toBe(true);
    expect(normalisedRows(await t.read(), ['id', 'x', 'p'])).toEqual(before);
    const o = await oracle(t.path);
    expect(o.problems).toEqual([]);
    expect(normalisedRows(await t.read(), o.columns)).toEqual(sortedJson(o.rows));
    // nothing left to compact: no commit
    expect((await t.optimize()).version).toBeUndefined();
    // a partition predicate limits the work; a data column is refused
    await expect(t.optimize({ where: 'id > 3' })).rejects.toThrow(InvalidArgumentError);
  });

  it('Z-order clusters rows so both columns get narrow file ranges', async () => {
    const t = new DeltaTable(tmpDir('maint'));
    const n = 4000;
    const ids = Array.from({ length: n }, (_, i) => i);
    await t.write(
      new arrow.Table({
        a: arrow.vectorFromArray(
          ids.map((i) => i % 64),
          new arrow.Int32(),
        ),
        b: arrow.vectorFromArray(
          ids.map((i) => Math.floor(i / 64) % 64),
          new arrow.Int32(),
        ),
        pad: arrow.vectorFromArray(
          ids.map((i) => `row ${i} ${'x'.repeat(40)}`),
          new arrow.Utf8(),
        ),
      }),
    );
    const r = await t.optimize({ zOrderBy: ['a', 'b'], targetSize: 16 * 1024 });
    expect(r.metrics.numAddedFiles).toBeGreaterThan(3);
    const files = (await t.snapshot()).files.map(
      (f) => JSON.parse(f.stats!) as { minValues: Record<string, number>; maxValues: Record<string, number> },
    );
    const span = (c: string) => files.reduce((s, f) => s + (f.maxValues[c]! - f.minValues[c]!), 0) / files.length;
    // unclustered, every file would span (almost) the whole 0..63 range of a
    expect(span('a')).toBeLessThan(48);
    expect(span('b')).toBeLessThan(48);
    expect((await t.read()).numRows).toBe(n);
    const c = await lastCommit(t.path);
    expect(c.commitInfo.operationParameters.zOrderBy).toBe('["a","b"]');
  });
});

describe('VACUUM', () => {
  it('keeps what time travel within retention needs, deletes the rest, honours dryRun and the 168 h guard', async () => {
    const t = await smallFiles(4);
    await t.optimize();
    const removed = (await t.snapshot({ version: 3 })).files.map((f) => f.path);
    await expect(t.vacuum({ retentionHours: 1 })).rejects.toThrow(/below the table's minimum of 168 h/);
    // within retention: nothing to delete, version 3 still readable
    expect((await t.vacuum()).numDeletedFiles).toBe(0);
    expect((await t.read({ version: 3 })).numRows).toBe(40);
    // a week later
    const later = Date.now() + WEEK_MS + 60_000;
    const dry = await t.vacuum({ dryRun: true, now: later });
    expect(dry.files.sort()).toEqual([...removed].sort());
    expect(removed.every((p) => existsSync(path.join(t.path, p)))).toBe(true);
    const real = await t.vacuum({ now: later });
    expect(real.numDeletedFiles).toBe(4);
    expect(removed.some((p) => existsSync(path.join(t.path, p)))).toBe(false);
    expect((await t.read()).numRows).toBe(40);
    await expect(t.read({ version: 3 })).rejects.toThrow(DataFileError);
    // restore to a vacuumed version fails clearly and commits nothing
    const v = await t.version();
    await expect(t.restore({ version: 2 })).rejects.toThrow(/no longer exist/);
    expect(await t.version()).toBe(v);
    // force allows a short retention
    await t.delete('id < 5');
    expect((await t.vacuum({ retentionHours: 0, force: true, now: Date.now() + 1000 })).numDeletedFiles).toBe(1);
  });

  it('honours vacuumProtocolCheck: vacuums only when it supports the whole protocol', async () => {
    const t = await smallFiles(2);
    await t.optimize();
    const setProtocol = async (features: string[]) => {
      const v = (await t.version()) + 1;
      const protocol = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: features, writerFeatures: features };
      const lines = [{ commitInfo: { timestamp: Date.now(), operation: 'UPGRADE PROTOCOL' } }, { protocol }];
      writeFileSync(
        path.join(t.path, '_delta_log', `${String(v).padStart(20, '0')}.json`),
        lines.map((l) => JSON.stringify(l)).join('\n'),
      );
    };
    const later = Date.now() + WEEK_MS + 60_000;
    await setProtocol(['vacuumProtocolCheck', 'variantType']);
    const err = await t.vacuum({ now: later }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnsupportedFeatureError);
    expect((err as Error).message).toMatch(/variantType/);
    await setProtocol(['vacuumProtocolCheck', 'deletionVectors']);
    expect((await t.vacuum({ now: later })).numDeletedFiles).toBe(2);
    expect((await t.read()).numRows).toBe(20);
  });
});

describe('RESTORE', () => {
  it('by version and by timestamp, with Spark metrics; restore itself can be undone', async () => {
    const t = await smallFiles(3);
    await t.delete('id >= 5');
    expect((await t.read()).numRows).toBe(5);
    const r = await t.restore({ version: 1 });
    expect(r.metrics).toMatchObject({ numRestoredFiles: 2, numRemovedFiles: 1, numOfFilesAfterRestore: 2 });
    expect((await t.read()).numRows).toBe(20);
    const c = await lastCommit(t.path);
    expect(c.commitInfo.operation).toBe('RESTORE');
    expect(c.commitInfo.operationParameters).toEqual({ version: '1', timestamp: 'null' });
    const ts = (await t.history()).find((h) => h.version === 3)!.timestamp;
    await t.restore({ timestamp: new Date(ts + 1) });
    expect((await t.read()).numRows).toBe(5);
    await expect(t.restore({})).rejects.toThrow(/exactly one of version or timestamp/);
  });
});

describe('exactly-once txn', () => {
  it('a repeated (appId, version) is skipped and reported; DML takes txn too', async () => {
    const t = new DeltaTable(tmpDir('maint'));
    const a = await t.write(batch(0, 5), { mode: 'append', txn: { appId: 'ingest', version: 0 } });
    expect(a.version).toBe(0);
    const again = await t.append(batch(0, 5), { txn: { appId: 'ingest', version: 0 } });
    expect(again).toMatchObject({ version: undefined, skipped: 'transaction already applied' });
    expect((await t.read()).numRows).toBe(5);
    const d = await t.delete('id = 1', { txn: { appId: 'fix', version: 7 } });
    expect(d.version).toBe(1);
    expect((await t.delete('id = 2', { txn: { appId: 'fix', version: 7 } })).skipped).toBe(
      'transaction already applied',
    );
    expect((await lastCommit(t.path)).txns).toEqual([expect.objectContaining({ appId: 'fix', version: 7 })]);
  });
});
