// Compile benchmark: a generated 100-cell, 20-step notebook (imports, parameters,
// functions, Arrow tables, typed arrays, Maps, plain data) compiled to
// pipeline.json + 20 bundles. Target: ≤ 1 s for analysis + bundles.
// Prints, each in a fresh process (what `stillwater compile` sees): a cold compile
// (no caches), a compile after an edit (TypeScript's code cache warm, analysis cache
// missed), a warm compile (analysis cache hit), `--check` cold and warm; then
// compiles inside one process (the extension's kernel case) and determinism.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// Inside the repository so the notebook's imports resolve from node_modules, like tslab.
const work = path.join(repoRoot, 'tests', '.out', 'bench-compile');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const STEPS = 20;
const CELLS = 100;
const code = (source, tags = []) => ({
  cell_type: 'code',
  execution_count: null,
  metadata: tags.length ? { tags } : {},
  outputs: [],
  source,
});
const cells = [
  code("import { tableFromArrays, type Table } from 'apache-arrow';", ['imports']),
  code('const rows = 1000;\nconst factor = 1.5;\nconst label = "bench";', ['pipeline-parameters']),
  code(
    'function total(xs: ArrayLike<number>): number {\n  let s = 0;\n  for (let i = 0; i < xs.length; i++) s += xs[i]!;\n  return s;\n}',
    ['functions'],
  ),
];
const perStep = (CELLS - cells.length - 1) / STEPS;
for (let i = 0; i < STEPS; i++) {
  const prev = i === 0 ? [] : i === 1 ? ['prev:s0'] : [`prev:s${i - 1}`, `prev:s${i - 2}`];
  const up = i === 0 ? 'rows' : `v${i - 1}.length + (i${Math.max(i - 2, 0)} ?? 0)`;
  const kind = i % 5 === 0 ? 'table' : i % 5 === 1 ? 'map' : 'array';
  const body =
    kind === 'table'
      ? `const t${i}: Table = tableFromArrays({ x: Float64Array.from({ length: 10 }, (_, k) => k * factor) });`
      : kind === 'map'
        ? `const m${i} = new Map<string, number>([['n', ${i}]]);`
        : `const a${i} = new Float64Array(8).fill(${i});`;
  const n = i < STEPS - 1 ? Math.floor(perStep) : CELLS - 1 - cells.length - 0;
  const stepCells = [];
  stepCells.push(
    code(`const v${i} = new Float64Array(${i + 2}).fill(factor);\nconst i${i} = ${i === 0 ? 'rows' : up};`, [
      `step:s${i}`,
      ...prev,
    ]),
  );
  stepCells.push(code(body));
  stepCells.push(code(`const info${i} = { step: ${i}, label, sum: total(v${i}) };`));
  while (stepCells.length < n)
    stepCells.push(
      code(`// notes for step ${i}\nconst extra${i}_${stepCells.length} = info${i}.sum * ${stepCells.length};`),
    );
  cells.push(...stepCells.slice(0, Math.max(n, 1)));
}
cells.push(code('i19', ['pipeline-metrics']));
while (cells.length > CELLS) cells.splice(cells.length - 2, 1);
const nbPath = path.join(work, 'generated.ipynb');
writeFileSync(
  nbPath,
  JSON.stringify({ cells, metadata: { stillwater: { name: 'bench' } }, nbformat: 4, nbformat_minor: 5 }, null, 1),
);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const outDir = path.join(work, 'generated.pipeline');
const once = path.join(path.dirname(fileURLToPath(import.meta.url)), 'once.mjs');
/**
 * Runs once.mjs in a fresh node process with STILLWATER_CACHE_DIR=`cacheDir`. `noCache`
 * (STILLWATER_NO_CACHE=1) also ignores what the build left in dist/ (the generated spec
 * validator and TypeScript's V8 code cache): the compile as if nothing were precomputed.
 */
function fresh(cacheDir, mode = 'compile', noCache = false) {
  const r = spawnSync(process.execPath, [once, nbPath, outDir, mode], {
    env: { ...process.env, STILLWATER_CACHE_DIR: cacheDir, STILLWATER_NO_CACHE: noCache ? '1' : '' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`once.mjs failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const caches = [];
const newCache = () => {
  caches.push(mkdtempSync(path.join(os.tmpdir(), 'stillwater-bench-cache-')));
  return caches.at(-1);
};
const row = (label, runs) =>
  console.log(
    `${label.padEnd(52)} ${median(runs.map((r) => r.compileMs)).toFixed(0)} ms (CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms; module load ${median(runs.map((r) => r.loadMs)).toFixed(0)} ms) [${runs.map((r) => r.compileMs.toFixed(0)).join(', ')}]`,
  );
const notebookText = readFileSync(nbPath, 'utf8');
/** The notebook with one cell's comment changed: same pipeline, new analysis key. */
const edit = (n) =>
  writeFileSync(nbPath, notebookText.replace('// notes for step 3', `// notes for step 3 (edit ${n})`));

console.log(`fresh processes, median of 3 — load average before: ${load()} on ${os.cpus().length} cores`);
const cold = [];
const coldCheck = [];
const bare = [];
for (let i = 0; i < 3; i++) {
  cold.push(fresh(newCache()));
  coldCheck.push(fresh(newCache(), 'check'));
  bare.push(fresh(newCache(), 'compile', true));
}
const cache = newCache();
fresh(cache);
const edited = [];
for (let i = 0; i < 3; i++) {
  edit(i);
  edited.push(fresh(cache));
}
writeFileSync(nbPath, notebookText);
fresh(cache);
const warmFresh = [];
const warmCheck = [];
for (let i = 0; i < 3; i++) {
  warmFresh.push(fresh(cache));
  warmCheck.push(fresh(cache, 'check'));
}
row('cold compile (no runtime caches; build artifacts):', cold);
row('cold compile, build artifacts ignored too:', bare);
row('compile after an edit (code cache, analysis miss):', edited);
row('warm compile (analysis cache hit):', warmFresh);
row('--check cold (no runtime caches):', coldCheck);
row('--check warm (analysis cache hit):', warmCheck);
console.log(`load average after: ${load()}`);
for (const c of caches) rmSync(c, { recursive: true, force: true });
const freshFigures = { cold, bare, edited, warmFresh };

// In one process, caches off: TypeScript's parsed declarations stay in memory.
process.env.STILLWATER_NO_CACHE = '1';
const t0 = performance.now();
const { compileNotebook, checkNotebook } = await import('@stillwater/kernel/pipeline');
const loadMs = performance.now() - t0;

const t1 = performance.now();
const cpu1 = process.cpuUsage();
const first = await compileNotebook(nbPath, { outDir });
const coldMs = performance.now() - t1;
const coldCpu = process.cpuUsage(cpu1);
const coldCpuMs = (coldCpu.user + coldCpu.system) / 1000;
const spec = first.spec;
const snapshot = () =>
  Object.fromEntries(
    ['pipeline.json', ...readdirSync(path.join(outDir, 'steps')).map((f) => `steps/${f}`)].map((f) => [
      f,
      readFileSync(path.join(outDir, f), 'utf8'),
    ]),
  );
const before = snapshot();

const warm = [];
const warmCpu = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  await compileNotebook(nbPath, { outDir });
  warm.push(performance.now() - t);
  const d = process.cpuUsage(c);
  warmCpu.push((d.user + d.system) / 1000);
}
const checks = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await checkNotebook(nbPath);
  checks.push(performance.now() - t);
}
rmSync(outDir, { recursive: true, force: true });
await compileNotebook(nbPath, { outDir });
const after = snapshot();
const identical = JSON.stringify(before) === JSON.stringify(after);

const edges = spec.steps.reduce((n, s) => n + s.deps.length, 0);
const crossing = spec.steps.reduce((n, s) => n + s.inputs.length, 0);
console.log(
  `notebook: ${cells.length} cells, ${spec.steps.length} steps, ${edges} edges, ${crossing} variables crossing steps`,
);
console.log('in one process, caches off:');
console.log(`load @stillwater/kernel/pipeline (esbuild, ajv; TypeScript on demand): ${loadMs.toFixed(0)} ms`);
console.log(
  `compile, first in process (loads TypeScript, parses libs): ${coldMs.toFixed(0)} ms (CPU ${coldCpuMs.toFixed(0)} ms; wall > CPU = waiting for a core)`,
);
console.log(
  `compile, again in process (median of 5):              ${median(warm).toFixed(0)} ms (CPU ${median(warmCpu).toFixed(0)} ms) [${warm.map((x) => x.toFixed(0)).join(', ')}]`,
);
console.log(
  `load average now: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`,
);
console.log(`check only, again in process (median of 3):          ${median(checks).toFixed(0)} ms`);
console.log(
  `deterministic (byte-identical after clean recompile): ${identical ? 'yes' : 'NO'} (${Object.keys(after).length} files)`,
);
const verdict = (ms) => (ms <= 1000 ? 'PASS' : 'FAIL');
const m = (runs) => median(runs.map((r) => r.compileMs));
console.log(
  `target ≤ 1000 ms (analysis + bundles, fresh process): cold ${verdict(m(freshFigures.cold))} (without build artifacts ${verdict(m(freshFigures.bare))}), after an edit ${verdict(m(freshFigures.edited))}, warm ${verdict(m(freshFigures.warmFresh))}`,
);
if (!identical || spec.steps.length !== STEPS || cells.length !== CELLS) process.exit(1);
