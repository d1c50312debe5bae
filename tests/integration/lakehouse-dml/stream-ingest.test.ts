/**
 * Exactly-once ingest: `Lakehouse.streamIngest` takes C-MAPSS files from a
 * folder into bronze. A re-run takes only new files; a process SIGKILLed at
 * random points (before, during or after a commit), then restarted, leaves
 * every file in the table exactly once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCmapss } from '../../../kernel-lib/src/data/cmapss.js';
import { Lakehouse } from '../../../kernel-lib/src/lakehouse/index.js';
import { here as lakehouseDir, removeTmpDirs, repoRoot, tmpDir } from '../lakehouse/helpers.js';

const worker = path.join(lakehouseDir, '..', 'lakehouse-dml', 'stream-worker.mjs');
const ROWS_PER_FILE = 5;

afterAll(removeTmpDirs);
beforeAll(() => {
  if (!existsSync(path.join(repoRoot, 'kernel-lib', 'dist', 'lakehouse', 'index.js'))) {
    throw new Error('build @stillwater/kernel first (npm run build -w @stillwater/kernel)');
  }
});

/** A C-MAPSS file for engine `unit`: cycles 1..5, 26 space-separated fields per line. */
function writeEngine(dir: string, unit: number): void {
  const lines = Array.from({ length: ROWS_PER_FILE }, (_, c) => {
    const sensors = Array.from({ length: 21 }, (_, s) => (500 + s + unit / 1000 + c / 10).toFixed(4));
    return [unit, c + 1, '-0.0007', '-0.0004', '100.0', ...sensors].join(' ');
  });
  // Written beside the folder and renamed in: files appear atomically, as the ingest requires.
  const tmp = path.join(dir, '..', `.engine_${unit}.tmp`);
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  renameSync(tmp, path.join(dir, `engine_${String(unit).padStart(4, '0')}.txt`));
}

async function unitCounts(lh: Lakehouse): Promise<Map<number, number>> {
  const t = await lh.table('bronze/stream').read({ columns: ['unit'] });
  const counts = new Map<number, number>();
  for (const u of t.getChild('unit')!.toArray() as Int32Array) counts.set(u, (counts.get(u) ?? 0) + 1);
  return counts;
}

function runWorker(root: string, dir: string, killAfterMs?: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [worker, root, dir], { cwd: repoRoot });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (killAfterMs !== undefined && out.startsWith('ready') && !p.killed) {
        setTimeout(() => p.kill('SIGKILL'), killAfterMs);
      }
    });
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe('streamIngest', () => {
  it('ingests new files once; a re-run with no new files commits nothing', async () => {
    const root = tmpDir('stream');
    const dir = path.join(root, 'incoming');
    mkdirSync(dir);
    for (let u = 1; u <= 3; u++) writeEngine(dir, u);
    const lh = new Lakehouse(root);
    const first = await lh.streamIngest(dir, 'bronze/engines', { parse: parseCmapss, maxFilesPerBatch: 2 });
    expect(first).toMatchObject({ numFiles: 3, numRows: 15 });
    expect(first.batches.map((b) => b.files.length)).toEqual([2, 1]);
    const v = await lh.table('bronze/engines').version();
    const again = await lh.streamIngest(dir, 'bronze/engines', { parse: parseCmapss });
    expect(again.numFiles).toBe(0);
    expect(again.batches.map((b) => b.skipped)).toEqual([true]);
    expect(await lh.table('bronze/engines').version()).toBe(v);
    writeEngine(dir, 4);
    expect((await lh.streamIngest(dir, 'bronze/engines', { parse: parseCmapss })).numFiles).toBe(1);
    const t = await lh.table('bronze/engines').read();
    expect(t.numRows).toBe(20);
    expect(t.schema.fields.length).toBe(26);
  });

  it('SIGKILLed at random points and restarted: every file exactly once (30 trials)', async () => {
    const root = tmpDir('stream-kill');
    const dir = path.join(root, 'incoming');
    mkdirSync(dir);
    let units = 0;
    let kills = 0;
    for (let trial = 0; trial < 30; trial++) {
      for (let k = 0; k < 3; k++) writeEngine(dir, ++units);
      // Random point within the ingest of the new files (each batch of 2 is one commit).
      const r = await runWorker(root, dir, Math.floor(Math.random() * 400));
      if (r.code === null) kills++;
    }
    const final = await runWorker(root, dir);
    expect(final.out).toContain('done');
    const counts = await unitCounts(new Lakehouse(root));
    const wrong = [...Array(units).keys()].map((i) => i + 1).filter((u) => counts.get(u) !== ROWS_PER_FILE);
    expect(
      wrong,
      `units not ingested exactly once: ${wrong.map((u) => `${u}×${(counts.get(u) ?? 0) / ROWS_PER_FILE}`).join(', ')}`,
    ).toEqual([]);
    expect(counts.size).toBe(units);
    // most trials really were killed mid-way (the rest finished before the kill landed)
    expect(kills).toBeGreaterThan(15);
  }, 600_000);
});
