#!/usr/bin/env node
// Arrow hand-off between two steps, in one process, phase by phase (issue 4, acceptance 5).
// Not a test. `bench.mjs` measures the same end to end through real step processes; this
// splits it into producer write, runner store, consumer read, and runs the previous method
// (whole-buffer `tableToIPC` + `writeFile`, runner re-hash, chunked `readFile`) alternately
// with the current one (runtime's writeVariable/readVariable, sidecar-aware store) so both
// see the same machine load.
// Usage: node tests/bench/runner/transfer.mjs [--repeat 5]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { hashFile, LocalArtifactStore } from '@stillwater/kernel/runner';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { readVariable, writeVariable } = await import(
  path.join(repoRoot, 'kernel-lib', 'dist', 'pipeline', 'runtime', 'marshal.js')
);
const i = process.argv.indexOf('--repeat');
const REPEAT = i > 0 ? Number(process.argv[i + 1]) : 5;
const ROWS = 1_000_000;
const COLS = 26;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const cols = {};
for (let c = 0; c < COLS; c++) {
  const a = new Float64Array(ROWS);
  for (let r = 0; r < ROWS; r++) a[r] = r * 0.5 + c;
  cols[`c${c}`] = a;
}
const table = tableFromArrays(cols);
const work = mkdtempSync(path.join(repoRoot, 'tests', '.out', 'bench-transfer-'));

async function previous(dir) {
  const file = path.join(dir, 'out.arrow');
  const t0 = performance.now();
  await writeFile(file, tableToIPC(table, 'file'));
  const t1 = performance.now();
  const ref = await new LocalArtifactStore(path.join(dir, 'store')).put(file);
  const t2 = performance.now();
  const back = tableFromIPC(await readFile(path.join(dir, 'store', ref.hash.slice(0, 2), ref.hash)));
  const t3 = performance.now();
  if (back.numRows !== ROWS) throw new Error('bad read');
  return { write: t1 - t0, store: t2 - t1, read: t3 - t2, bytes: ref.size };
}

async function current(dir) {
  const file = path.join(dir, 'out.arrow');
  const t0 = performance.now();
  await writeVariable('arrow', file, 'table', table);
  const t1 = performance.now();
  const store = new LocalArtifactStore(path.join(dir, 'store'));
  const ref = await store.put(file);
  const t2 = performance.now();
  const back = await readVariable('arrow', await store.localPath(ref.hash), 'table');
  const t3 = performance.now();
  if (back.numRows !== ROWS) throw new Error('bad read');
  const check = await hashFile(await store.localPath(ref.hash));
  if (check.hash !== ref.hash) throw new Error('sidecar hash differs from the file content');
  return { write: t1 - t0, store: t2 - t1, read: t3 - t2, bytes: ref.size };
}

console.log(`load average ${load()} on ${availableParallelism()} cores; ${ROWS} × ${COLS} float64, ${REPEAT} rounds`);
const res = { previous: [], current: [] };
for (let r = 0; r < REPEAT; r++) {
  for (const [name, fn] of [
    ['previous', previous],
    ['current', current],
  ]) {
    const dir = path.join(work, `${name}-${r}`);
    mkdirSync(dir, { recursive: true });
    res[name].push(await fn(dir));
    rmSync(dir, { recursive: true, force: true });
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, rs] of Object.entries(res)) {
  const total = rs.map((x) => x.write + x.store + x.read);
  const m = (k) => med(rs.map((x) => x[k])).toFixed(0);
  const best = Math.min(...total);
  console.log(
    `  ${name.padEnd(8)} write ${m('write')} ms, store ${m('store')} ms, read ${m('read')} ms  →  total median ${med(total).toFixed(0)} ms (${(rs[0].bytes / 1e6 / (med(total) / 1000)).toFixed(0)} MB/s), best ${best.toFixed(0)} ms (${(rs[0].bytes / 1e6 / (best / 1000)).toFixed(0)} MB/s)`,
  );
}
console.log(`load average ${load()}`);
rmSync(work, { recursive: true, force: true });
