import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFile, LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';
import { CacheIndex, cacheKey } from '../../../kernel-lib/src/runner/cache.js';
import { compareRuns } from '../../../kernel-lib/src/runner/compare.js';
import { ArtifactNotFoundError } from '../../../kernel-lib/src/runner/errors.js';
import { resolveHome } from '../../../kernel-lib/src/runner/home.js';
import type { RunRecord } from '../../../kernel-lib/src/runner/records.js';
import { parseStepError, stepArguments } from '../../../kernel-lib/src/runner/step-contract.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'sw-unit-'));
const parts = {
  step: 's',
  bundleHash: 'h',
  inputs: { a: '1', b: '2' },
  params: { k: 1 },
  outputs: ['x', 'y'],
  packages: { 'apache-arrow': '21.2.0', '@stillwater/kernel': '0.1.0+abc' },
};

describe('cache keys', () => {
  it('are stable under key order and change with every ingredient', () => {
    const k = cacheKey(parts);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(
      cacheKey({
        ...parts,
        inputs: { b: '2', a: '1' },
        outputs: ['y', 'x'],
        packages: { '@stillwater/kernel': '0.1.0+abc', 'apache-arrow': '21.2.0' },
      }),
    ).toBe(k);
    for (const change of [
      { bundleHash: 'h2' },
      { inputs: { a: '1', b: '3' } },
      { params: { k: 2 } },
      { params: { k: '1' } },
      { outputs: ['x'] },
      { step: 't' },
      { packages: { 'apache-arrow': '21.3.0', '@stillwater/kernel': '0.1.0+abc' } },
      { packages: { 'apache-arrow': '21.2.0', '@stillwater/kernel': '0.1.0+abd' } },
    ]) {
      expect(cacheKey({ ...parts, ...change })).not.toBe(k);
    }
  });
});

describe('artifact store and cache index', () => {
  it('files content by sha256, once, read-only; the index needs the outputs to exist', async () => {
    const dir = tmp();
    const store = new LocalArtifactStore(path.join(dir, 'artifacts'));
    const f1 = path.join(dir, 'one');
    const f2 = path.join(dir, 'two');
    writeFileSync(f1, 'same bytes');
    writeFileSync(f2, 'same bytes');
    const r1 = await store.put(f1);
    const r2 = await store.put(f2);
    expect(r1).toEqual(r2);
    expect(r1.hash).toBe(createHash('sha256').update('same bytes').digest('hex'));
    expect(r1.size).toBe(10);
    expect((await hashFile(await store.localPath(r1.hash))).hash).toBe(r1.hash);
    expect(readFileSync(await store.localPath(r1.hash), 'utf8')).toBe('same bytes');
    expect(statSync(await store.localPath(r1.hash)).mode & 0o222).toBe(0);
    await expect(store.localPath('0'.repeat(64))).rejects.toThrow(ArtifactNotFoundError);

    const index = new CacheIndex(path.join(dir, 'cache'));
    const entry = {
      key: cacheKey(parts),
      pipeline: 'p',
      step: 's',
      runId: 'r1',
      finishedAt: new Date().toISOString(),
      outputs: { x: r1.hash },
      metrics: { m: 1 },
    };
    await index.record(entry);
    expect(await index.lookup(entry.key, store)).toEqual(entry);
    expect(await index.lookup('f'.repeat(64), store)).toBeUndefined();
    await index.record({ ...entry, outputs: { x: '0'.repeat(64) } });
    expect(await index.lookup(entry.key, store)).toBeUndefined();
  });
});

describe('step contract (runner side)', () => {
  it('builds the documented command line', () => {
    expect(
      stepArguments({ inputs: { df: '/a' }, outputs: { m: '/b' }, params: { k: '1' }, metricsPath: '/m' }),
    ).toEqual(['--in', 'df=/a', '--out', 'm=/b', '--param', 'k=1', '--metrics', '/m']);
  });

  it('reads the structured last stderr line, or falls back to the last line', () => {
    const line = JSON.stringify({
      stillwaterError: {
        step: 'train',
        phase: 'run',
        name: 'TypeError',
        message: 'x.foo is not a function',
        cell: 7,
        line: 3,
        column: 5,
      },
    });
    expect(parseStepError(`stillwater: step "train" failed at cell 7, line 3\n    at …\n${line}\n`)).toEqual({
      type: 'TypeError',
      message: 'x.foo is not a function',
      cell: 7,
      line: 3,
    });
    const unmapped = JSON.stringify({ stillwaterError: { name: 'Error', message: 'boom', cell: null, line: null } });
    expect(parseStepError(unmapped)).toEqual({ type: 'Error', message: 'boom' });
    expect(parseStepError('Error [ERR_MODULE_NOT_FOUND]: Cannot find package x\n')).toEqual({
      type: 'Error',
      message: 'Error [ERR_MODULE_NOT_FOUND]: Cannot find package x',
    });
  });
});

describe('home and comparison', () => {
  it('resolves --home, then STILLWATER_HOME, then ./.stillwater', () => {
    expect(resolveHome({ home: 'h', cwd: '/w', env: { STILLWATER_HOME: '/e' } })).toBe('/w/h');
    expect(resolveHome({ cwd: '/w', env: { STILLWATER_HOME: '/e' } })).toBe('/e');
    expect(resolveHome({ cwd: '/w', env: {} })).toBe('/w/.stillwater');
  });

  it('diffs parameters and metrics', () => {
    const base = { pipeline: 'p', params: { k: 1, s: 'a' }, metrics: { rmse: 10, n: 3 } } as unknown as RunRecord;
    const c = compareRuns(
      { ...base, runId: 'A' },
      { ...base, runId: 'B', params: { k: 2, s: 'a' }, metrics: { rmse: 7.5, acc: 1 } },
    );
    expect(c.params).toEqual([
      { name: 'k', a: 1, b: 2, changed: true },
      { name: 's', a: 'a', b: 'a', changed: false },
    ]);
    expect(c.metrics).toEqual([
      { name: 'acc', a: undefined, b: 1, delta: null },
      { name: 'n', a: 3, b: undefined, delta: null },
      { name: 'rmse', a: 10, b: 7.5, delta: -2.5 },
    ]);
  });
});
