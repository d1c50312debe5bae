/**
 * Big writes encode Parquet on worker threads (built package only: the worker is
 * a compiled module). Files written that way must be as correct as inline ones.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/index.js';
import { oracle, removeTmpDirs, repoRoot, tmpDir } from './helpers.js';

const script = `
import * as arrow from 'apache-arrow';
import { DeltaTable, parquetConcurrency, parquetWorkerJobs } from '@stillwater/kernel/lakehouse';
const rows = 400_000;
const cols = {};
for (let c = 0; c < 4; c++) cols['f' + c] = arrow.makeVector(Float64Array.from({ length: rows }, (_, i) => (i * (c + 1)) % 1000 + 0.5));
cols.id = arrow.makeVector(Int32Array.from({ length: rows }, (_, i) => i));
const r = await new DeltaTable(process.argv[1]).write(new arrow.Table(cols), { mode: 'error', targetFileSize: 4 * 1024 * 1024 });
console.log(JSON.stringify({ threads: parquetConcurrency(), onWorkers: parquetWorkerJobs(), files: r.numFiles, rows: r.numRows }));
`;

afterAll(removeTmpDirs);

describe('parallel Parquet encoding', () => {
  it('writes a 16 MB table as several files on worker threads; pyarrow and our reader agree', async () => {
    if (!existsSync(path.join(repoRoot, 'kernel-lib', 'dist', 'lakehouse', 'parquet-worker.js'))) {
      throw new Error('build @stillwater/kernel first (npm run build -w @stillwater/kernel)');
    }
    const dir = tmpDir('parallel');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, dir], {
      cwd: repoRoot,
      env: { ...process.env, STILLWATER_PARQUET_THREADS: '2' },
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out).toEqual({ threads: 2, onWorkers: 4, files: 4, rows: 400_000 });
    const o = await oracle(dir);
    expect(o.problems).toEqual([]);
    expect(o.files.reduce((a, f) => a + f.numRows, 0)).toBe(400_000);
    const t = await new DeltaTable(dir).read({ columns: ['id', 'f3'] });
    let ids = 0;
    let f3 = 0;
    for (const b of t.batches) {
      for (const x of b.getChild('id')!.data[0]!.values as Int32Array) ids += x;
      for (const x of b.getChild('f3')!.data[0]!.values as Float64Array) f3 += x;
    }
    expect(t.numRows).toBe(400_000);
    expect(ids).toBe((399_999 * 400_000) / 2);
    let want = 0;
    for (let i = 0; i < 400_000; i++) want += ((i * 4) % 1000) + 0.5;
    expect(f3).toBeCloseTo(want, 3);
  }, 120_000);
});
