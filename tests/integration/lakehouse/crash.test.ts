/**
 * Acceptance 4 (and issue 12's writer fault): kill -9 a writer at random points, 30 times.
 * Each kill waits for a random number of the writer's own commits and then a random
 * delay, so kills land inside later appends, not only during start-up. After every kill the
 * table opens and reads, every append the writer reported as committed is there,
 * and no partial version is visible (each batch is all-or-nothing, the log is
 * contiguous and every commit file parses). Kills land during start-up, Parquet
 * writes, commits and checkpoint writes (checkpoint interval 3).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { here, oracle, removeTmpDirs, repoRoot, tmpDir } from './helpers.js';

const worker = path.join(here, 'writer-worker.mjs');

/**
 * Starts an endless appender and SIGKILLs it `delayMs` after it has reported `afterCommits`
 * commits; returns the seqs it reported committed.
 */
function killAfter(dir: string, trial: number, afterCommits: number, delayMs: number): Promise<number[]> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [worker, 'append-forever', dir, String(trial)], { cwd: repoRoot });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    p.stdout.on('data', (d) => {
      out += d;
      const committed = out.split('\n').filter((l) => l.endsWith('}')).length;
      if (!timer && out.includes('ready\n') && committed >= afterCommits) {
        timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    });
    p.on('close', () => {
      clearTimeout(timer);
      const lines = out.split('\n').filter((l) => l.endsWith('}'));
      resolve(lines.map((l) => JSON.parse(l).seq as number));
    });
  });
}

afterAll(removeTmpDirs);

describe('crash safety', () => {
  it('30 random kill -9 of a writer never lose committed data or expose a partial version', async () => {
    const dir = tmpDir('crash');
    const table = new DeltaTable(dir);
    await table.create({
      schema: new arrow.Schema([
        new arrow.Field('worker', new arrow.Int32()),
        new arrow.Field('seq', new arrow.Int32()),
        new arrow.Field('r', new arrow.Int32()),
      ]),
      properties: { 'delta.checkpointInterval': '3' },
    });
    let rng = 12345;
    const random = (): number => {
      rng = (rng * 1103515245 + 12345) % 2 ** 31;
      return rng / 2 ** 31;
    };
    let totalCommitted = 0;
    const trials = 30;
    let killedAfterACommit = 0;
    for (let trial = 0; trial < trials; trial++) {
      const afterCommits = Math.floor(random() * 4);
      const delay = Math.floor(random() * 250);
      const reported = await killAfter(dir, trial, afterCommits, delay);
      if (reported.length > 0) killedAfterACommit++;
      totalCommitted += reported.length;

      // The log is contiguous and every commit file is complete JSON.
      const log = path.join(dir, '_delta_log');
      const versions = readdirSync(log)
        .filter((f) => /^\d{20}\.json$/.test(f))
        .map((f) => Number(f.slice(0, 20)))
        .sort((a, b) => a - b);
      expect(versions).toEqual(versions.map((_, i) => i));
      for (const v of versions) {
        const text = readFileSync(path.join(log, `${String(v).padStart(20, '0')}.json`), 'utf8');
        expect(text.endsWith('\n')).toBe(true);
        for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
      }

      // The table opens and reads; this trial's batches are whole, and every reported one is there.
      const rows = await table.read({ where: `worker = ${trial}`, columns: ['seq'] });
      const perSeq = new Map<number, number>();
      for (const r of rows) perSeq.set(r!.seq as number, (perSeq.get(r!.seq as number) ?? 0) + 1);
      for (const n of perSeq.values()) expect(n).toBe(4);
      for (const seq of reported) expect(perSeq.get(seq)).toBe(4);
      // At most one batch committed after the last line the writer managed to print.
      expect(perSeq.size - reported.length).toBeGreaterThanOrEqual(0);
      expect(perSeq.size - reported.length).toBeLessThanOrEqual(1);
      expect([...perSeq.keys()].sort((a, b) => a - b)).toEqual([...perSeq.keys()].map((_, i) => i));
    }
    // Most kills land inside a later append, not during start-up or the first write.
    expect(killedAfterACommit).toBeGreaterThanOrEqual(trials / 2);
    console.info(
      `crash test: ${trials} kills, ${killedAfterACommit} after the writer's own commits; ${totalCommitted} reported appends, final version ${await table.version()}`,
    );
    // Independent check at the end: pyarrow reads every file the log lists; stats and fields hold.
    const o = await oracle(dir);
    expect(o.problems).toEqual([]);
    expect(o.rows.length).toBe((await table.describe()).numRows);
  }, 180_000);
});
