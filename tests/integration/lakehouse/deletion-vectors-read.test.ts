/**
 * Deletion vectors we encode are read back by us and by an independent decoder:
 * a table written by our writer gets DVs (one DV file holding the DVs of two
 * data files, and an inline DV for a third) committed by hand exactly as Spark commits them (remove + add with
 * `deletionVector`, protocol reader 3 / writer 7). The golden oracle (pyarrow
 * over the live files, DVs applied by its own Python decoder) must return the
 * same rows, and describe must count them from stats minus cardinalities.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Action,
  commitPath,
  DeltaTable,
  inlineDeletionVector,
  LocalStorage,
  loadSnapshot,
  scan,
  writeDeletionVectorFile,
} from '../../../kernel-lib/src/lakehouse/index.js';
import { oracleRows } from '../golden/rows-two-ways.js';
import { canonicalRows } from '../golden/normalize.js';
import { here, removeTmpDirs, tmpDir } from './helpers.js';

const _run = promisify(execFile);
const _ORACLE = path.join(here, '..', 'golden', 'oracle.py');

afterAll(removeTmpDirs);

describe('deletion vectors written with our codec', () => {
  it('read the same through our scan and an independent decoder, and count right', async () => {
    const dir = tmpDir('dv-read');
    const t = new DeltaTable(dir);
    const n = 100_000;
    const ids = (from: number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i));
    await t.write(new arrow.Table({ id: arrow.makeVector(ids(0)) }), { mode: 'error' });
    await t.append(new arrow.Table({ id: arrow.makeVector(ids(n)) }));
    await t.append(new arrow.Table({ id: arrow.makeVector(ids(2 * n)) }));
    const storage = new LocalStorage(dir);
    const before = await loadSnapshot(storage);
    const [f1, f2, f3] = before.files;
    // File 1: every third row (a bitmap container) and a run; file 2: a run; file 3: a few rows, inline.
    const scattered = Array.from({ length: n / 3 }, (_, i) => i * 3);
    const runOf = (from: number) => Array.from({ length: 5000 }, (_, i) => from + i);
    const [dv1, dv2] = await writeDeletionVectorFile(storage, [[...scattered, ...runOf(70_000)], runOf(0)]);
    expect(dv2!.offset).toBeGreaterThan(1);
    const inline = inlineDeletionVector([0, 1, 99_999, 42]);
    const now = Date.now();
    const actions: Action[] = [
      {
        protocol: {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors'],
          writerFeatures: ['deletionVectors'],
        },
      },
      { remove: { path: f1!.path, deletionTimestamp: now, dataChange: true } },
      { add: { ...f1!, dataChange: true, deletionVector: dv1! } },
      { remove: { path: f2!.path, deletionTimestamp: now, dataChange: true } },
      { add: { ...f2!, dataChange: true, deletionVector: dv2! } },
      { remove: { path: f3!.path, deletionTimestamp: now, dataChange: true } },
      { add: { ...f3!, dataChange: true, deletionVector: inline } },
      { commitInfo: { timestamp: now, operation: 'DELETE', operationMetrics: { numDeletedRows: '0' } } },
    ];
    const text = `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`;
    expect(await storage.putIfAbsent(commitPath(before.version + 1), new TextEncoder().encode(text))).toBe(true);

    const snap = await loadSnapshot(storage);
    const ours = canonicalRows(await scan(snap, storage), snap.schema).sort();
    const expectedCount = 3 * n - dv1!.cardinality - dv2!.cardinality - inline.cardinality;
    expect(ours.length).toBe(expectedCount);
    expect(await oracleRows(dir)).toEqual(ours);
    expect((await t.describe()).numRows).toBe(expectedCount);
    // The deleted ids are gone (our writer keeps row order within a file).
    const got = new Set(ours.map((r) => Number(JSON.parse(r)[0])));
    const gone = [0, 3, 70_000, 74_999, n, n + 4999, 2 * n, 2 * n + 1, 2 * n + 42, 3 * n - 1];
    for (const id of gone) expect(got.has(id), String(id)).toBe(false);
    for (const id of [1, 2, 4, 69_998, 75_001, n + 5000, 2 * n + 2, 2 * n + 43])
      expect(got.has(id), String(id)).toBe(true);
    // Predicates and limits see only live rows.
    const some = await scan(snap, storage, { where: 'id < 10 OR id >= 299995', limit: 100 });
    expect(canonicalRows(some, snap.schema).map((r) => Number(JSON.parse(r)[0]))).toEqual([
      1, 2, 4, 5, 7, 8, 299995, 299996, 299997, 299998,
    ]);
  }, 120_000);
});
