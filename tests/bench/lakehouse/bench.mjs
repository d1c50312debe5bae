// Lakehouse benchmark (issue 2, acceptance 6). Not a test: prints times and ratios.
//  1. write + read 1,000,000 rows × 26 numeric columns as a Delta table, vs pyarrow
//     writing/reading the same shape of data as one Parquet file (snappy both), in the same run;
//  2. snapshot load of a table with 10,000 commits vs 100 commits (checkpoints on);
//  3. MERGE, DELETE with deletion vectors, OPTIMIZE (dml.mjs; BENCH_SKIP_DML=1 skips it).
// Targets: write and read ≤ 1.5× pyarrow; snapshot ratio ≤ 1.5 and ≤ 100 ms.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeltaTable, LocalStorage, writeCheckpoint } from '@stillwater/kernel/lakehouse';
import { benchTable } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const python = path.join(repoRoot, '.venv', 'bin', 'python');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const work = mkdtempSync(path.join(tmpdir(), 'sw-bench-lakehouse-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
const verdict = (ratio, target) => (ratio <= target ? 'OK' : 'OVER TARGET');

// ---- 1. write / read vs pyarrow -------------------------------------------------------
console.log(`lakehouse bench: ${ROWS} rows × 26 numeric columns, ${REPEATS} alternating rounds`);
const data = benchTable(ROWS);
// Warm-up outside the timings (WebAssembly instantiation, JIT), as pyarrow's import is outside its own.
await new DeltaTable(path.join(work, 'warm')).write(benchTable(1000), { mode: 'error' });
await new DeltaTable(path.join(work, 'warm')).read();
const writes = [];
const reads = [];
const py = { write: [], read: [], bytes: 0 };
let written;
// Rounds alternate ours and pyarrow's so both see the same machine load (the machine is shared).
for (let r = 0; r < REPEATS; r++) {
  const dir = path.join(work, `t${r}`);
  let t0 = performance.now();
  written = await new DeltaTable(dir).write(data, { mode: 'error' });
  writes.push((performance.now() - t0) / 1000);
  t0 = performance.now();
  const back = await new DeltaTable(dir).read();
  reads.push((performance.now() - t0) / 1000);
  if (back.numRows !== ROWS) throw new Error(`read ${back.numRows} rows, expected ${ROWS}`);
  const ref = spawnSync(python, [path.join(here, 'pyarrow_ref.py'), work, String(ROWS), '1'], { encoding: 'utf8' });
  if (ref.status !== 0) throw new Error(`pyarrow reference failed: ${ref.stderr}`);
  const one = JSON.parse(ref.stdout);
  py.write.push(one.write[0]);
  py.read.push(one.read[0]);
  py.bytes = one.bytes;
}
const min = (xs) => Math.min(...xs);
const wRatio = median(writes) / median(py.write);
const rRatio = median(reads) / median(py.read);
console.log(
  `  write  stillwater median ${ms(median(writes))} min ${ms(min(writes))} (${written.numFiles} file(s), ${written.numBytes} bytes, stats + commit included)`,
);
console.log(
  `         pyarrow    median ${ms(median(py.write))} min ${ms(min(py.write))} (${py.bytes} bytes)   ratio ${wRatio.toFixed(2)}× (of minima ${(min(writes) / min(py.write)).toFixed(2)}×) [target ≤ 1.5: ${verdict(wRatio, 1.5)}]`,
);
console.log(
  `  read   stillwater median ${ms(median(reads))} min ${ms(min(reads))} (snapshot + scan to one Arrow table)`,
);
console.log(
  `         pyarrow    median ${ms(median(py.read))} min ${ms(min(py.read))}   ratio ${rRatio.toFixed(2)}× (of minima ${(min(reads) / min(py.read)).toFixed(2)}×) [target ≤ 1.5: ${verdict(rRatio, 1.5)}]`,
);

// ---- 2. snapshot load: 100 vs 10,000 commits --------------------------------------------
/**
 * Builds a table log directly (JSON commits, like our writer produces them) and then
 * checkpoints it with our checkpoint writer, as the commit path would every 10 commits.
 * `style`:
 *  - 'progress': 100 data files, then commits that each record a txn (streaming-style
 *    progress commits) — table state is the same size whatever the commit count;
 *  - 'tiny-adds': every commit adds one tiny file — the live file count grows with commits.
 */
async function buildLog(commits, style) {
  const dir = path.join(work, `log-${style}-${commits}`);
  const log = path.join(dir, '_delta_log');
  mkdirSync(log, { recursive: true });
  const schemaString = JSON.stringify({
    type: 'struct',
    fields: [{ name: 'x', type: 'double', nullable: true, metadata: {} }],
  });
  const now = Date.now();
  const line = (o) => JSON.stringify(o);
  const add = (v) =>
    line({
      add: {
        path: `part-${String(v).padStart(5, '0')}-0000.snappy.parquet`,
        partitionValues: {},
        size: 500,
        modificationTime: now,
        dataChange: true,
        stats: '{"numRecords":1,"minValues":{"x":1.5},"maxValues":{"x":1.5},"nullCount":{"x":0}}',
      },
    });
  for (let v = 0; v < commits; v++) {
    const lines = [line({ commitInfo: { timestamp: now + v, operation: v ? 'WRITE' : 'CREATE TABLE' } })];
    if (v === 0) {
      lines.push(line({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }));
      lines.push(
        line({
          metaData: {
            id: 'bench',
            format: { provider: 'parquet', options: {} },
            schemaString,
            partitionColumns: [],
            configuration: {},
            createdTime: now,
          },
        }),
      );
    } else if (style === 'tiny-adds' || v <= 100) {
      lines.push(add(v));
    } else {
      lines.push(line({ txn: { appId: 'stream', version: v, lastUpdated: now + v } }));
    }
    writeFileSync(path.join(log, `${String(v).padStart(20, '0')}.json`), `${lines.join('\n')}\n`);
  }
  const last = commits - 1;
  await writeCheckpoint(new LocalStorage(dir), last - (last % 10));
  return dir;
}

/** Median snapshot-load times of two tables, measured alternately so machine load hits both alike. */
async function loadTimes(dirA, dirB, n = 41) {
  const a = new DeltaTable(dirA);
  const b = new DeltaTable(dirB);
  await a.snapshot(); // warm-up (module init, JIT)
  await b.snapshot();
  const ta = [];
  const tb = [];
  let snapA;
  let snapB;
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    snapA = await a.snapshot();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    snapB = await b.snapshot();
    tb.push(performance.now() - t0);
  }
  return [
    { ms: median(ta), snap: snapA },
    { ms: median(tb), snap: snapB },
  ];
}

for (const style of ['progress', 'tiny-adds']) {
  const [small, big] = await loadTimes(await buildLog(100, style), await buildLog(10_000, style));
  const ratio = big.ms / small.ms;
  console.log(
    `  snapshot (${style}) 100 commits: ${small.ms.toFixed(2)} ms (${small.snap.files.length} files, ` +
      `checkpoint ${small.snap.segment.checkpoint?.version}), 10,000 commits: ${big.ms.toFixed(2)} ms ` +
      `(${big.snap.files.length} files, checkpoint ${big.snap.segment.checkpoint?.version}, ` +
      `${big.snap.segment.commits.length} commits replayed)  ratio ${ratio.toFixed(2)} ` +
      `[target ≤ 1.5 and ≤ 100 ms: ${ratio <= 1.5 && big.ms <= 100 ? 'OK' : 'OVER TARGET'}]`,
  );
}
rmSync(work, { recursive: true, force: true });
if (process.env.BENCH_SKIP_DML !== '1') await import('./dml.mjs');
