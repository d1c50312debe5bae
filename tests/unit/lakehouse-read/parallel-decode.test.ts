/**
 * Big data files decode on the Parquet worker pool (built package only: the
 * worker is a compiled module), several at a time, and are still consumed in
 * log order: rows, limits and the first error reported must be what a
 * one-file-at-a-time scan gives.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpTable } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ROWS = 400_000;

// Writes (inline) 4 files of ~4 MB, then reads them back on 2 worker threads.
const script = `
import * as arrow from 'apache-arrow';
import { DeltaTable, parquetDecodeJobs } from '@stillwater/kernel/lakehouse';
const [dir, mode] = process.argv.slice(1);
process.on('unhandledRejection', (e) => { console.log(JSON.stringify({ unhandled: String(e) })); process.exit(3); });
if (mode === 'write') {
  const rows = ${ROWS};
  const cols = {};
  for (let c = 0; c < 4; c++) cols['f' + c] = arrow.makeVector(Float64Array.from({ length: rows }, (_, i) => i * (c + 1) + 0.25));
  cols.id = arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)));
  const r = await new DeltaTable(dir).write(new arrow.Table(cols), { mode: 'error', targetFileSize: 4 * 1024 * 1024 });
  console.log(JSON.stringify({ files: r.numFiles }));
} else {
  try {
    const t = await new DeltaTable(dir).read(mode === 'limit' ? { limit: 10 } : {});
    let ids = 0n, f3 = 0, ordered = true, prev = -1n;
    for (const b of t.batches) {
      for (const x of b.getChild('id').data[0].values) { ids += x; if (x !== prev + 1n) ordered = false; prev = x; }
      for (const x of b.getChild('f3').data[0].values) f3 += x;
    }
    console.log(JSON.stringify({ rows: t.numRows, ids: String(ids), f3, ordered, onWorkers: parquetDecodeJobs() }));
  } catch (e) {
    console.log(JSON.stringify({ error: e.name, message: e.message }));
  }
}
`;

async function run(dir: string, mode: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, dir, mode], {
    cwd: repoRoot,
    env: { ...process.env, STILLWATER_PARQUET_THREADS: '2' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

let dir = '';
let files: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'kernel-lib', 'dist', 'lakehouse', 'parquet-pool.js'))) {
    throw new Error('build @stillwater/kernel first (npm run build -w @stillwater/kernel)');
  }
  dir = tmpTable('lh-par-decode-');
  expect(await run(dir, 'write')).toEqual({ files: 4 });
  files = readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('parallel Parquet decoding', () => {
  it('reads 4 multi-MB files on worker threads, in log order, with every value intact', async () => {
    const out = await run(dir, 'all');
    let f3 = 0;
    for (let i = 0; i < ROWS; i++) f3 += i * 4 + 0.25;
    expect(out).toMatchObject({ rows: ROWS, ids: String((BigInt(ROWS - 1) * BigInt(ROWS)) / 2n), ordered: true });
    expect(out.f3 as number).toBeCloseTo(f3, 0);
    expect(out.onWorkers).toBe(4);
  }, 120_000);

  it('reports a corrupt file decoded on a worker as a DataFileError, and a limit met earlier never sees it', async () => {
    // The second file in log (= part) order: decoded alongside the first one.
    const victim = path.join(dir, files[1]!);
    writeFileSync(victim, Buffer.alloc(3 * 1024 * 1024, 7));
    const all = await run(dir, 'all');
    expect(all.error).toBe('DataFileError');
    expect(String(all.message)).toContain('is not a readable Parquet file');
    // With a limit met in the first file, the prefetched corrupt file's failure is dropped quietly.
    expect(await run(dir, 'limit')).toMatchObject({ rows: 10, ordered: true });
  }, 120_000);
});
