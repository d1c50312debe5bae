// Read-path A/B for the lakehouse benchmark. Not a test: prints times.
// On a shared machine, runs far apart are not comparable; this alternates, in one run and on
// the same Delta table (1M rows × 26 numeric columns, as bench.mjs), the previous read
// method — each data file read, then decoded on this thread (readParquet → intoIPCStream →
// tableFromIPC), one after the other — with the current `DeltaTable.read()` (decodes on the
// Parquet worker pool, several files at once, fixed-width columns copied out directly).
// Usage: node tests/bench/lakehouse/read-ab.mjs   (BENCH_ROWS, BENCH_REPEATS)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import { DeltaTable, LocalStorage } from '@stillwater/kernel/lakehouse';
import { benchTable } from './data.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(path.join(tmpdir(), 'sw-bench-read-ab-'));
await new DeltaTable(dir).write(benchTable(ROWS), { mode: 'error' });

async function previous() {
  const table = new DeltaTable(dir);
  const snap = await table.snapshot();
  const storage = new LocalStorage(dir);
  const batches = [];
  for (const add of snap.files) {
    const bytes = await storage.read(add.path);
    batches.push(...arrow.tableFromIPC(readParquet(bytes, { batchSize: 1 << 20 }).intoIPCStream()).batches);
  }
  return new arrow.Table(batches).numRows;
}
const current = async () => (await new DeltaTable(dir).read()).numRows;

console.log(`read A/B: ${ROWS} rows × 26 numeric columns, ${REPEATS} alternating rounds; load average ${load()}`);
await previous(); // warm-up: WebAssembly, JIT, worker threads
await current();
// Wall time, and CPU time of the whole process (all threads): on a loaded machine the
// wall time mostly measures the other tenants; the CPU time is the work each method does.
const t = { previous: [], current: [] };
const cpu = { previous: [], current: [] };
for (let r = 0; r < REPEATS; r++) {
  for (const [name, fn] of [
    ['previous', previous],
    ['current', current],
  ]) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if ((await fn()) !== ROWS) throw new Error(`${name}: wrong row count`);
    t[name].push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu[name].push((c.user + c.system) / 1000);
  }
}
for (const [name, xs] of Object.entries(t))
  console.log(
    `  ${name.padEnd(8)} wall median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)} ms; CPU (all threads) median ${median(cpu[name]).toFixed(0)} ms`,
  );
console.log(
  `  current / previous: ${(median(t.current) / median(t.previous)).toFixed(2)}× (medians); load average ${load()}`,
);
rmSync(dir, { recursive: true, force: true });
