// Lakehouse DML benchmark (issue 15). Not a test: prints times and ratios, measured
// against references taken in the same run, in alternating rounds (the machine is shared).
//  1. MERGE of 100,000 upserts (50,000 matching ids spread over the whole table, 50,000 new)
//     into a 1,000,000-row × 26-column table, copy-on-write — vs pyarrow writing exactly
//     the files the MERGE wrote (the I/O floor).                         Target ≤ 2×.
//  2. DELETE of 1 % of the rows (spread over every file) with deletion vectors — vs the
//     same DELETE rewriting the files (copy-on-write: the table's full rewrite). Target ≤ 0.2×.
//  3. OPTIMIZE of 1,000 small files (1,000 rows each) — vs pyarrow reading the same
//     1,000 files and writing their rows as the same output files.   Target ≤ 1.5×.
// Run: `node tests/bench/lakehouse/dml.mjs` (after `npm run build`), or as part of bench.mjs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { DeltaTable } from '@stillwater/kernel/lakehouse';
import { benchTable } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const python = path.join(here, '..', '..', '..', '.venv', 'bin', 'python');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_DML_REPEATS ?? 3);
const SMALL_FILES = 1000;
const work = mkdtempSync(path.join(tmpdir(), 'sw-bench-dml-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (s) => `${(s * 1000).toFixed(0)} ms`;
const verdict = (ratio, target) => `[target ≤ ${target}: ${ratio <= target ? 'OK' : 'OVER TARGET'}]`;

async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { seconds: (performance.now() - t0) / 1000, result };
}

/** Runs dml_ref.py with a JSON job; returns its {seconds, rows}. */
function pyarrowRef(mode, job) {
  const r = spawnSync(python, [path.join(here, 'dml_ref.py'), mode], { input: JSON.stringify(job), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pyarrow reference (${mode}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The data files a commit added (absolute paths) and their row counts. */
function addedFiles(table, version) {
  const log = readFileSync(path.join(table, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return log
    .split('\n')
    .filter((l) => l.includes('"add"'))
    .map((l) => JSON.parse(l).add)
    .filter((a) => a)
    .map((a) => ({ file: path.join(table, decodeURIComponent(a.path)), rows: JSON.parse(a.stats).numRecords }));
}

function fresh(template, name) {
  const dir = path.join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(template, dir, { recursive: true });
  return new DeltaTable(dir);
}

function report(label, ours, refLabel, ref, target, extra = '') {
  const ratio = median(ours) / median(ref);
  console.log(
    `  ${label.padEnd(8)} stillwater median ${ms(median(ours))} (min ${ms(Math.min(...ours))})${extra}\n` +
      `           ${refLabel} median ${ms(median(ref))} (min ${ms(Math.min(...ref))})   ratio ${ratio.toFixed(2)}× ` +
      `(of minima ${(Math.min(...ours) / Math.min(...ref)).toFixed(2)}×) ${verdict(ratio, target)}`,
  );
  return ratio;
}

console.log(`lakehouse DML bench: ${ROWS} rows × 26 numeric columns, ${REPEATS} alternating rounds`);
const data = benchTable(ROWS);
const cow = path.join(work, 'template-cow');
const dv = path.join(work, 'template-dv');
await new DeltaTable(cow).write(data, { mode: 'error' });
await new DeltaTable(dv).write(data, { mode: 'error', properties: { 'delta.enableDeletionVectors': 'true' } });
// Warm-up outside the timings (WebAssembly, JIT, worker threads).
await fresh(cow, 'warm').delete('f00 < 1');

// ---- 1. MERGE --------------------------------------------------------------------------
const UPSERTS = Math.round(ROWS / 10);
const source = benchTable(UPSERTS);
const ids = BigInt64Array.from({ length: UPSERTS }, (_, j) => (j < UPSERTS / 2 ? BigInt(j * 20) : BigInt(ROWS + j)));
const sourceCols = Object.fromEntries(source.schema.fields.map((f) => [f.name, source.getChild(f.name)]));
sourceCols.id = arrow.makeVector(ids);
const upserts = new arrow.Table(sourceCols);
const merge = { ours: [], ref: [] };
let mergeMetrics;
for (let r = 0; r < REPEATS; r++) {
  const t = fresh(cow, `merge${r}`);
  const { seconds, result } = await timed(() =>
    t.merge(upserts, { on: 't.id = s.id', whenMatchedUpdate: { set: '*' }, whenNotMatchedInsert: { values: '*' } }),
  );
  mergeMetrics = result.metrics;
  if (result.metrics.numTargetRowsUpdated !== UPSERTS / 2 || result.metrics.numTargetRowsInserted !== UPSERTS / 2) {
    throw new Error(`MERGE metrics off: ${JSON.stringify(result.metrics)}`);
  }
  merge.ours.push(seconds);
  const files = addedFiles(t.path, result.version).map((f) => f.file);
  merge.ref.push(pyarrowRef('write', { files, out: path.join(work, `merge-ref${r}`) }).seconds);
  rmSync(t.path, { recursive: true, force: true });
}
const mergeRatio = report(
  'MERGE',
  merge.ours,
  'pyarrow write of the rewritten files',
  merge.ref,
  2,
  ` — ${mergeMetrics.numTargetFilesRemoved} file(s) rewritten, ${mergeMetrics.numOutputRows} rows written`,
);

// ---- 2. DELETE 1 % with deletion vectors vs copy-on-write ---------------------------------
const del = { dv: [], cow: [] };
let dvMetrics;
for (let r = 0; r < REPEATS; r++) {
  const a = fresh(dv, `del-dv${r}`);
  const withDv = await timed(() => a.delete('f00 < 10'));
  dvMetrics = withDv.result.metrics;
  del.dv.push(withDv.seconds);
  const b = fresh(cow, `del-cow${r}`);
  const rewrite = await timed(() => b.delete('f00 < 10'));
  del.cow.push(rewrite.seconds);
  if (withDv.result.metrics.numDeletedRows !== rewrite.result.metrics.numDeletedRows) {
    throw new Error('DELETE with and without deletion vectors deleted different row counts');
  }
  if (withDv.result.metrics.numCopiedRows !== 0) throw new Error('the DV DELETE copied rows');
  rmSync(a.path, { recursive: true, force: true });
  rmSync(b.path, { recursive: true, force: true });
}
const deleteRatio = report(
  'DELETE',
  del.dv,
  'copy-on-write DELETE (full rewrite)',
  del.cow,
  0.2,
  ` — ${dvMetrics.numDeletedRows} rows marked in ${dvMetrics.numDeletionVectorsAdded} deletion vector(s)`,
);

// ---- 3. OPTIMIZE of 1,000 small files ----------------------------------------------------
const small = path.join(work, 'template-small');
{
  // One commit of 1,000 files of ROWS/1000 rows each (what a stream of small appends leaves):
  // 26 columns of 8 bytes but one of 4 are 204 bytes a row, which is how the writer sizes files.
  const t = new DeltaTable(small);
  await t.write(data, { mode: 'error', targetFileSize: Math.ceil(ROWS / SMALL_FILES) * 204 });
  const n = (await t.snapshot()).files.length;
  if (n !== SMALL_FILES) throw new Error(`small-file table has ${n} files, expected ${SMALL_FILES}`);
}
const opt = { ours: [], ref: [] };
let optMetrics;
for (let r = 0; r < REPEATS; r++) {
  const t = fresh(small, `opt${r}`);
  const inputs = (await t.snapshot()).files.map((f) => path.join(t.path, decodeURIComponent(f.path)));
  const { seconds, result } = await timed(() => t.optimize());
  optMetrics = result.metrics;
  opt.ours.push(seconds);
  const outputs = addedFiles(t.path, result.version);
  opt.ref.push(
    pyarrowRef('readwrite', {
      files: inputs,
      rows_out: outputs.map((o) => o.rows),
      out: path.join(work, `opt-ref${r}`),
    }).seconds,
  );
  rmSync(t.path, { recursive: true, force: true });
}
const optimizeRatio = report(
  'OPTIMIZE',
  opt.ours,
  'pyarrow read + write of the same rows',
  opt.ref,
  1.5,
  ` — ${optMetrics.numRemovedFiles} files → ${optMetrics.numAddedFiles}`,
);

rmSync(work, { recursive: true, force: true });
export const ratios = { merge: mergeRatio, delete: deleteRatio, optimize: optimizeRatio };
