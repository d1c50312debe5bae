/**
 * Snapshot loading must not grow with the number of commits when a checkpoint
 * exists: with a `_last_checkpoint` hint it reads the hint, the checkpoint and
 * only the commits after it, and never lists `_delta_log`.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitPath,
  LocalStorage,
  latestVersion,
  loadSnapshot,
  writeCheckpoint,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { CountingStorage, add, commitName, metaData, protocolV1, tmpTable, treeState, writeCommit } from './helpers.js';

const COMMITS = 1500;
const CHECKPOINT_AT = 1495;
let dir: string;

beforeAll(async () => {
  dir = tmpTable('lh-snapload-');
  writeCommit(dir, 0, [protocolV1, metaData([{ name: 'id', type: 'long' }]), add('f-0.parquet')]);
  for (let v = 1; v < COMMITS; v++) {
    const actions: Record<string, unknown>[] = [add(`f-${v}.parquet`), { commitInfo: { operation: 'WRITE' } }];
    if (v % 7 === 0) actions.push({ remove: { path: `f-${v - 1}.parquet`, dataChange: true, deletionTimestamp: 1 } });
    if (v % 100 === 0) actions.push({ txn: { appId: 'app', version: v } });
    writeCommit(dir, v, actions);
  }
  await writeCheckpoint(new LocalStorage(dir), CHECKPOINT_AT);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expectedLive = (): number => {
  let n = COMMITS;
  for (let v = 1; v < COMMITS; v++) if (v % 7 === 0) n--;
  return n;
};

describe('snapshot load cost', () => {
  it('reads only the hint, the checkpoint and the commits after it (no listing)', async () => {
    const storage = new CountingStorage(new LocalStorage(dir));
    const snap = await loadSnapshot(storage);
    expect(snap.version).toBe(COMMITS - 1);
    expect(snap.files.length).toBe(expectedLive());
    expect(snap.txns.get('app')?.version).toBe(1400);
    expect(storage.ops('list')).toEqual([]);
    expect(storage.ops('listRecursive')).toEqual([]);
    const after = Array.from({ length: COMMITS - 1 - CHECKPOINT_AT }, (_, i) => commitPath(CHECKPOINT_AT + 1 + i));
    expect(storage.ops('read').sort()).toEqual(
      [
        '_delta_log/_last_checkpoint',
        `_delta_log/${String(CHECKPOINT_AT).padStart(20, '0')}.checkpoint.parquet`,
        ...after,
      ].sort(),
    );
    // Probes: the checkpoint, each later commit, the first missing one and the one after it.
    expect(storage.ops('head').length).toBe(1 + after.length + 2);
    expect(storage.ops('write')).toEqual([]);
  });

  it('time travel to a version after the checkpoint also avoids listing', async () => {
    const storage = new CountingStorage(new LocalStorage(dir));
    const snap = await loadSnapshot(storage, { version: CHECKPOINT_AT + 2 });
    expect(snap.version).toBe(CHECKPOINT_AT + 2);
    expect(storage.ops('list')).toEqual([]);
    expect(storage.ops('read').filter((p) => p.endsWith('.json')).length).toBe(2);
  });

  it('without a hint it lists once and still reads only the checkpoint and later commits', async () => {
    const copy = tmpTable('lh-snapload-nohint-');
    try {
      // Same log, hint missing: reuse files by symlink-free copy of the few files that matter.
      const { cpSync } = await import('node:fs');
      cpSync(dir, copy, { recursive: true });
      rmSync(path.join(copy, '_delta_log', '_last_checkpoint'));
      const storage = new CountingStorage(new LocalStorage(copy));
      const snap = await loadSnapshot(storage);
      expect(snap.version).toBe(COMMITS - 1);
      expect(snap.files.length).toBe(expectedLive());
      expect(storage.ops('list')).toEqual(['_delta_log']);
      expect(storage.ops('read').filter((p) => p.endsWith('.json')).length).toBe(COMMITS - 1 - CHECKPOINT_AT);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a hint with garbage, a stale version or a missing checkpoint never breaks the load', async () => {
    const copy = tmpTable('lh-snapload-badhint-');
    try {
      const { cpSync } = await import('node:fs');
      cpSync(dir, copy, { recursive: true });
      const hint = path.join(copy, '_delta_log', '_last_checkpoint');
      for (const content of [
        'garbage{{{',
        '{"version":', // truncated
        '{"version":-3,"size":1}',
        '{"version":"ten"}',
        '{"version":700,"size":3}', // checkpoint 700 does not exist
        `{"version":${CHECKPOINT_AT},"size":3,"parts":4}`, // claims a multi-part checkpoint that is not there
        '',
      ]) {
        writeFileSync(hint, content);
        const before = treeState(copy);
        const snap = await loadSnapshot(new LocalStorage(copy));
        expect(snap.version, content).toBe(COMMITS - 1);
        expect(snap.files.length, content).toBe(expectedLive());
        expect(treeState(copy)).toEqual(before);
      }
      expect(await latestVersion(new LocalStorage(copy))).toBe(COMMITS - 1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a stale hint far behind the newest checkpoint falls back to listing and uses the newest checkpoint', async () => {
    const copy = tmpTable('lh-snapload-stale-');
    try {
      const { cpSync } = await import('node:fs');
      cpSync(dir, copy, { recursive: true });
      await writeCheckpoint(new LocalStorage(copy), 1000);
      // writeCheckpoint keeps the newer hint; force the stale one.
      writeFileSync(path.join(copy, '_delta_log', '_last_checkpoint'), '{"version":1000,"size":1}');
      const storage = new CountingStorage(new LocalStorage(copy));
      const snap = await loadSnapshot(storage);
      expect(snap.version).toBe(COMMITS - 1);
      expect(snap.files.length).toBe(expectedLive());
      expect(snap.segment.checkpoint?.version).toBe(CHECKPOINT_AT);
      expect(storage.ops('read').filter((p) => p.endsWith('.json')).length).toBe(COMMITS - 1 - CHECKPOINT_AT);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a hole in the commits after the checkpoint is reported, not silently cut off', async () => {
    const copy = tmpTable('lh-snapload-hole-');
    try {
      const { cpSync } = await import('node:fs');
      cpSync(dir, copy, { recursive: true });
      rmSync(path.join(copy, '_delta_log', commitName(CHECKPOINT_AT + 2)));
      await expect(loadSnapshot(new LocalStorage(copy))).rejects.toThrow(
        new RegExp(`not contiguous: _delta_log/0*${CHECKPOINT_AT + 2}\\.json is missing`),
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('commit files before the checkpoint are not needed at all', async () => {
    const copy = tmpTable('lh-snapload-cleaned-');
    try {
      const { cpSync } = await import('node:fs');
      cpSync(dir, copy, { recursive: true });
      for (let v = 0; v < CHECKPOINT_AT; v++) rmSync(path.join(copy, '_delta_log', commitName(v)));
      const snap = await loadSnapshot(new LocalStorage(copy));
      expect(snap.version).toBe(COMMITS - 1);
      expect(snap.files.length).toBe(expectedLive());
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
