/**
 * Issue 15, reader features on Spark's own tables, beyond the row-for-row check in
 * golden.test.ts: deletion-vector tables also match the row counts Spark recorded in
 * `commitInfo` (rows written minus rows deleted), and V2 checkpoints are really read —
 * with the commits before them gone, only the checkpoint and its sidecar files
 * can reconstruct the table.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable, LocalStorage, loadSnapshot, scan } from '../../../kernel-lib/src/lakehouse/index.js';
import { sharedDir } from '../../helpers/paths.js';
import { oracleRows } from './rows-two-ways.js';
import { canonicalRows } from './normalize.js';

const _run = promisify(execFile);
const GOLDEN = path.join(sharedDir, 'delta-golden');
const _ORACLE = path.join(path.dirname(new URL(import.meta.url).pathname), 'oracle.py');
const HAVE_GOLDEN = existsSync(GOLDEN);
if (!HAVE_GOLDEN) console.warn(`reader-feature golden tests skipped: ${GOLDEN} is absent`);

async function ourRows(table: string): Promise<string[]> {
  const storage = new LocalStorage(table);
  const snap = await loadSnapshot(storage);
  return canonicalRows(await scan(snap, storage), snap.schema).sort();
}

/** Rows Spark says the table holds: Σ numOutputRows of writes − Σ numDeletedRows of deletes. */
function commitInfoRowCount(table: string): number {
  const log = path.join(table, '_delta_log');
  let rows = 0;
  for (const f of readdirSync(log).filter((n) => /^\d{20}\.json$/.test(n))) {
    for (const line of readFileSync(path.join(log, f), 'utf8').split('\n')) {
      const ci = line
        ? (JSON.parse(line) as { commitInfo?: { operation: string; operationMetrics?: Record<string, string> } })
            .commitInfo
        : undefined;
      if (!ci) continue;
      const m = ci.operationMetrics ?? {};
      if (ci.operation === 'WRITE') rows += Number(m.numOutputRows);
      else if (ci.operation === 'DELETE') rows -= Number(m.numDeletedRows);
      else throw new Error(`${f}: operation ${ci.operation} has no row count rule here`);
    }
  }
  return rows;
}

describe.skipIf(!HAVE_GOLDEN)('reader features on Spark-written golden tables', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'golden-features-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const name of ['dv-partitioned-with-checkpoint', 'dv-with-columnmapping']) {
    it(`${name}: rows left after Spark's DELETEs equal commitInfo's count, and describe agrees`, async () => {
      const table = path.join(GOLDEN, name);
      const expected = commitInfoRowCount(table);
      expect(expected).toBe(35); // 50 written, 15 deleted one by one through deletion vectors
      expect((await ourRows(table)).length).toBe(expected);
      expect((await new DeltaTable(table).describe()).numRows).toBe(expected);
    });
  }

  for (const name of ['v2-checkpoint-json', 'v2-checkpoint-parquet']) {
    it(`${name}: reads from the V2 checkpoint and its sidecars once the earlier commits are gone`, async () => {
      const copy = path.join(tmp, name);
      cpSync(path.join(GOLDEN, name), copy, { recursive: true });
      chmodSync(path.join(copy, '_delta_log'), 0o755);
      for (const v of [0, 1]) rmSync(path.join(copy, '_delta_log', `${String(v).padStart(20, '0')}.json`));
      const expected = await oracleRows(path.join(GOLDEN, name));
      expect(expected.length).toBeGreaterThan(0);
      // With the _last_checkpoint hint (it names the V2 checkpoint) …
      expect(await ourRows(copy)).toEqual(expected);
      // … and by listing the log.
      rmSync(path.join(copy, '_delta_log', '_last_checkpoint'));
      expect(await ourRows(copy)).toEqual(expected);
      const snap = await loadSnapshot(new LocalStorage(copy));
      expect(snap.segment.checkpoint!.files[0]!.path).toMatch(/\.checkpoint\.[0-9a-f-]{36}\.(json|parquet)$/);
      // The sidecars hold the file actions: without them the table cannot be read.
      rmSync(path.join(copy, '_delta_log', '_sidecars'), { recursive: true, force: true });
      await expect(ourRows(copy)).rejects.toThrow(/sidecar file .*_sidecars\/.* cannot be read/);
    });
  }
});
