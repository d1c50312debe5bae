#!/usr/bin/env node
// Pipeline benchmark (issue 5, acceptance 5): the turbofan example (examples/turbofan/turbofan.ipynb)
// on the embedded simulator data, default parameters. Compiles a copy once (not timed), then
// measures in one run, ROUNDS alternating (rotated) rounds, medians reported:
//
//  1. Cold pipeline run vs tslab (target ≤ 1.0×).
//     pipeline = wall time of `node kernel-lib/dist/cli/main.js run <compiled dir> --no-cache`
//       from spawn to exit, with a fresh Stillwater home (--home) and a fresh lakehouse (the
//       notebook's `lakehouseRoot`, deleted before each run), default concurrency (= cores).
//     tslab = wall time of `.venv/bin/python tests/helpers/run_notebook.py` (nbclient) from spawn to
//       exit: Python start, tslab kernel start, every cell top to bottom, writing the executed
//       notebook; fresh lakehouse through STILLWATER_LAKEHOUSE_ROOT. Reported twice: the notebook as
//       is (it also runs the `skip` exploration cells: tables, SVG charts, a corrupted-batch
//       validation demo) and a copy without the `skip` cells — the same work as the pipeline, the
//       fair comparison.
//
//  2. Runner overhead vs the steps' own compute time (target ≤ 10 %).
//     An extra pipeline run per round, of a copy of the compiled folder whose bundles route their
//     one `await runStep(` call through step-timer.mjs (preloaded into every step process with
//     NODE_OPTIONS=--import; same runner, same bundle code otherwise — see step-timer.mjs).
//     Definitions, on the critical path CP of that run (the chain of steps ending at the step that
//     finished last, each preceded by its dependency that finished last: ingest → prepare → train →
//     evaluate; `validate` runs beside `train`):
//       W        pipeline wall time (spawn of the CLI to its exit);
//       compute  Σ_CP cell-code time: inside the step process, from the start of the generated body
//                to its return, minus the time spent reading inputs (`__sw.input`) — i.e. the time
//                the notebook's own cell code ran (parameter reads included, ≈ 0);
//       overhead W − compute, split into
//         a. step start-up     Σ_CP time from the runner starting the step (its `running` event:
//                              spawn, or for a step launched ahead of its turn — booted while its
//                              upstream ran — handing it its command line) to the body (what is
//                              left of Node boot, loading @stillwater/kernel, apache-arrow,
//                              parquet-wasm/ml-xgboost, the bundle);
//         b. marshalling       Σ_CP input reads (incl. the runtime's lazy import of the deserialiser's
//                              module) + (process.exit − body end) (serialise, write outputs, metrics);
//         c. runner per step   Σ_CP (runner's step durationMs from its events − (process exit − the
//                              `running` event)): spawn, teardown, collecting/hashing outputs into
//                              the artifact store;
//         d. runner fixed      W − Σ_CP durationMs, split by the events' clock into CLI start-up until
//                              `run-started` (Node boot, loading the runner and the pipeline), gaps
//                              between steps (scheduling, cache index writes), and after the last
//                              step (writing the run history as Delta tables, exit).
//     Reported: overhead / compute (total, the headline against the target), and the runner's own
//     part (c + d) / compute separately. Off-path steps (validate) only count through CPU contention.
//     The instrumented run's W is printed next to the clean runs' so the preload's own cost shows.
//     When NODE_EXTRA_CA_CERTS is set, Node 20 parses every certificate it lists at process
//     start-up, before any code runs (the CLI and each step process pay it; the bench prints what
//     one start-up costs with and without it): the instrumented run is repeated each round without
//     that variable and its overhead reported beside, so the machine's share shows apart.
//
// Before the rounds, one untimed warm-up run of each side (OS page cache only).
// The machine may be shared: os.loadavg() is printed with every measurement.
// Usage: node tests/bench/pipeline/bench.mjs [--rounds 3] [--keep] [--overhead-only]
//   --overhead-only: only the instrumented runs of section 2 (no tslab, no section 1 or 3) — for
//   quick iterations on the runner; the acceptance figures come from a full run.
// Needs: `npm run build -w @stillwater/kernel`, and .venv (bash scripts/provision.sh) for tslab.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timedSpawn } from '../spawn.mjs';
import { load, median, nodeBootReport, sec } from '../stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const cli = path.join(repoRoot, 'kernel-lib', 'dist', 'cli', 'main.js');
const python = path.join(repoRoot, '.venv', 'bin', 'python');
const runNotebook = path.join(repoRoot, 'tests', 'helpers', 'run_notebook.py');
const preload = path.join(here, 'step-timer.mjs');
const argValue = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROUNDS = Number(argValue('rounds', 3));
const KEEP = process.argv.includes('--keep');
const OVERHEAD_ONLY = process.argv.includes('--overhead-only');

for (const [file, hint] of [
  [cli, 'npm run build -w @stillwater/kernel'],
  [python, 'bash scripts/provision.sh'],
]) {
  if (!existsSync(file)) {
    console.error(`missing ${path.relative(repoRoot, file)}: run \`${hint}\` first`);
    process.exit(1);
  }
}

const msf = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
const pct = (x) => `${(x * 100).toFixed(1)} %`;

// Inside the repository so the notebook (tslab) and the bundles resolve node_modules.
mkdirSync(path.join(repoRoot, 'tests', '.out'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests', '.out', 'bench-pipeline-'));
const nbDir = path.join(work, 'turbofan');
mkdirSync(nbDir);
const notebook = path.join(nbDir, 'turbofan.ipynb');
copyFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), notebook);
const nbJson = JSON.parse(readFileSync(notebook, 'utf8'));
const isSkip = (c) => (c.metadata?.tags ?? []).includes('skip');
const skipCells = nbJson.cells.filter(isSkip).length;
const noSkip = path.join(nbDir, 'turbofan-noskip.ipynb');
writeFileSync(noSkip, JSON.stringify({ ...nbJson, cells: nbJson.cells.filter((c) => !isSkip(c)) }, null, 1));

// Environment for everything: simulator data, no inherited homes/roots.
const baseEnv = { ...process.env, STILLWATER_CMAPSS_DIR: '' };
delete baseEnv.STILLWATER_HOME;
delete baseEnv.STILLWATER_LAKEHOUSE_ROOT;
delete baseEnv.NODE_OPTIONS;

const timed = (cmd, args, { env = baseEnv, cwd = repoRoot } = {}) => timedSpawn(cmd, args, { env, cwd });

// ── compile once (not timed) ─────────────────────────────────────────────────────────
const pipelineDir = path.join(nbDir, 'turbofan.pipeline');
const compiled = JSON.parse(
  (await timed(process.execPath, [cli, 'compile', notebook, '-o', pipelineDir, '--json'])).stdout,
);
if (!compiled.ok) throw new Error(`compile failed: ${JSON.stringify(compiled.diagnostics)}`);
const spec = compiled.spec;
const lakehouse = path.resolve(pipelineDir, path.dirname(spec.notebook), spec.lakehouseRoot);
// The instrumented copy: same folder level (so `notebook` and `lakehouseRoot` resolve the same).
const timedDir = path.join(nbDir, 'turbofan.pipeline-timed');
cpSync(pipelineDir, timedDir, { recursive: true });
for (const step of spec.steps) {
  const file = path.join(timedDir, step.bundle);
  const source = readFileSync(file, 'utf8');
  const call = /^await (runStep\d*)\(/m;
  if (!call.test(source)) throw new Error(`${step.bundle}: no top-level \`await runStep(\` to instrument`);
  writeFileSync(file, source.replace(call, 'await globalThis.__swBenchRunStep($1, '));
}
const deps = Object.fromEntries(spec.steps.map((s) => [s.name, s.deps]));

console.log(
  `turbofan: ${spec.steps.length} steps (${spec.steps.map((s) => s.name).join(', ')}), ${nbJson.cells.length} cells of which ${skipCells} \`skip\`; ` +
    `${availableParallelism()} cores; ${ROUNDS} rounds; ${load()}`,
);
console.log(nodeBootReport());

let round = 0;
async function runPipeline(instrumented, launchAhead = true, { withoutExtraCaCerts = false } = {}) {
  rmSync(lakehouse, { recursive: true, force: true });
  const home = path.join(work, `home-${round}-${instrumented ? 'i' : 'p'}${launchAhead ? '' : 'n'}`);
  const times = path.join(work, `times-${round}`);
  const env = { ...baseEnv };
  if (withoutExtraCaCerts) delete env.NODE_EXTRA_CA_CERTS;
  if (instrumented) {
    mkdirSync(times, { recursive: true });
    env.NODE_OPTIONS = `--import=${preload}`;
    env.SW_BENCH_STEP_TIMES = times;
  }
  const r = await timed(
    process.execPath,
    [
      cli,
      'run',
      instrumented ? timedDir : pipelineDir,
      '--home',
      home,
      '--no-cache',
      '--json',
      ...(launchAhead ? [] : ['--no-launch-ahead']),
    ],
    { env },
  );
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const finished = events.find((e) => e.type === 'run-finished');
  if (finished?.status !== 'done')
    throw new Error(`pipeline run ${finished?.status}: ${JSON.stringify(finished?.error)}`);
  rmSync(home, { recursive: true, force: true });
  const out = { ms: r.ms, metrics: finished.metrics, events, spawnedAt: r.spawnedAt, endedAt: r.endedAt };
  if (instrumented) {
    out.steps = Object.fromEntries(
      readdirSync(times).map((f) => {
        const rec = JSON.parse(readFileSync(path.join(times, f), 'utf8'));
        return [rec.step, rec];
      }),
    );
    rmSync(times, { recursive: true, force: true });
  }
  return out;
}

async function runTslab(file) {
  const lake = path.join(work, `lake-tslab-${round}`);
  rmSync(lake, { recursive: true, force: true });
  const outFile = path.join(work, `executed-${round}.ipynb`);
  const env = {
    ...baseEnv,
    STILLWATER_LAKEHOUSE_ROOT: lake,
    JUPYTER_PATH: path.join(repoRoot, '.venv', 'share', 'jupyter'),
  };
  const r = await timed(python, [runNotebook, file, outFile, '--cwd', nbDir], { env, cwd: nbDir });
  const cells = JSON.parse(readFileSync(outFile, 'utf8')).cells;
  const errors = cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'error'));
  if (errors.length) throw new Error(`tslab: ${errors.map((e) => `${e.ename}: ${e.evalue}`).join('; ')}`);
  const text = cells
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text))
    .join('');
  const m = /f1=([\d.]+) auc=([\d.]+)/.exec(text);
  rmSync(lake, { recursive: true, force: true });
  rmSync(outFile, { force: true });
  return { ms: r.ms, metrics: m ? { f1: Number(m[1]), auc: Number(m[2]) } : null };
}

/** Critical path and overhead decomposition of one instrumented run. */
function decompose(run) {
  const doneAt = {};
  const durationMs = {};
  const runningAt = {};
  for (const e of run.events) {
    if (e.type === 'step' && e.status === 'running') runningAt[e.step] = Date.parse(e.time);
    if (e.type === 'step' && e.status === 'done') {
      doneAt[e.step] = Date.parse(e.time);
      durationMs[e.step] = e.durationMs;
    }
  }
  const missing = spec.steps.map((s) => s.name).filter((n) => !run.steps[n]?.bodyEnd || durationMs[n] === undefined);
  if (missing.length) throw new Error(`steps not instrumented: ${missing.join(', ')}`);
  const cp = [];
  let s = Object.keys(doneAt).reduce((a, b) => (doneAt[a] >= doneAt[b] ? a : b));
  while (s) {
    cp.unshift(s);
    s = deps[s].length ? deps[s].reduce((a, b) => (doneAt[a] >= doneAt[b] ? a : b)) : undefined;
  }
  const sum = (f) => cp.reduce((acc, n) => acc + f(run.steps[n], durationMs[n], runningAt[n]), 0);
  // Epoch ms of a mark inside a step process (event times are whole ms, so clamp at 0).
  const at = (r, mark) => r.timeOrigin + mark;
  const compute = sum((r) => r.bodyEnd - r.bodyStart - r.inputMs);
  const startup = sum((r, _, running) => Math.max(0, at(r, r.bodyStart) - running));
  const marshal = sum((r) => r.inputMs + (r.exit - r.bodyEnd));
  const perStep = sum((r, d, running) => d - Math.max(0, at(r, r.exit) - running));
  const fixed = run.ms - sum((_, d) => d);
  // d split by the event clock (Date, ms): CLI start → run-started; last CP step done → exit; the rest.
  const started = Date.parse(run.events.find((e) => e.type === 'run-started').time);
  const cliStart = started - run.spawnedAt;
  const tail = run.endedAt - doneAt[cp.at(-1)];
  const gaps = fixed - cliStart - tail;
  return {
    cp,
    compute,
    startup,
    marshal,
    perStep,
    fixed,
    cliStart,
    gaps,
    tail,
    wall: run.ms,
    durationMs,
    runningAt,
    steps: run.steps,
  };
}

// ── rounds ───────────────────────────────────────────────────────────────────────────
const series = { pipeline: [], tslab: [], noskip: [], instrumented: [], plain: [], noca: [] };
const decompositions = [];
const plainDecompositions = [];
const nocaDecompositions = [];
// With NODE_EXTRA_CA_CERTS set, Node parses every certificate it lists at start-up (see
// nodeBootReport): the instrumented run is repeated without it, to show that share apart.
const CA_SET = !!process.env.NODE_EXTRA_CA_CERTS;
const kinds = [
  ...(OVERHEAD_ONLY ? ['instrumented'] : ['pipeline', 'tslab', 'noskip', 'instrumented', 'plain']),
  ...(CA_SET ? ['noca'] : []),
];
const label = {
  pipeline: 'pipeline cold (stillwater run --no-cache)',
  tslab: 'tslab, notebook as is',
  noskip: 'tslab, without `skip` cells',
  instrumented: 'pipeline cold, step-timer preloaded',
  plain: 'same, --no-launch-ahead',
  noca: 'same, without NODE_EXTRA_CA_CERTS',
};
let reference;
// One untimed warm-up of each side first, so neither pays for a cold OS page cache (the first
// read of node_modules, the WASM files, the Python packages) — "cold" here means no Stillwater
// cache, home or lakehouse, not a cold disk.
round = -1;
for (const [what, r] of [
  ['pipeline', await runPipeline(false)],
  ...(OVERHEAD_ONLY ? [] : [['tslab without skip', await runTslab(noSkip)]]),
]) {
  console.log(`  warm-up ${what.padEnd(40)} ${sec(r.ms).padStart(9)}  (not counted)  ${load()}`);
}
for (round = 0; round < ROUNDS; round++) {
  const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
  for (const kind of order) {
    const r =
      kind === 'pipeline' || kind === 'instrumented' || kind === 'plain' || kind === 'noca'
        ? await runPipeline(kind !== 'pipeline', kind !== 'plain', { withoutExtraCaCerts: kind === 'noca' })
        : await runTslab(kind === 'tslab' ? notebook : noSkip);
    series[kind].push(r.ms);
    const f1 = r.metrics?.f1;
    reference ??= f1;
    if (f1 === undefined || Math.abs(f1 - reference) > 1e-4) throw new Error(`${kind}: f1 ${f1} ≠ ${reference}`);
    let extra = '';
    if (kind === 'instrumented' || kind === 'plain' || kind === 'noca') {
      const d = decompose(r);
      (({ plain: plainDecompositions, noca: nocaDecompositions })[kind] ?? decompositions).push(d);
      extra = `  overhead ${pct((d.wall - d.compute) / d.compute)} of compute ${sec(d.compute)}`;
    }
    console.log(
      `  round ${round + 1} ${label[kind].padEnd(42)} ${sec(r.ms).padStart(9)}  f1=${f1.toFixed(4)}  ${load()}${extra}`,
    );
  }
}

// ── report ───────────────────────────────────────────────────────────────────────────
if (!OVERHEAD_ONLY) {
  const P = median(series.pipeline);
  const T = median(series.tslab);
  const N = median(series.noskip);
  console.log(`\n1. cold pipeline run vs tslab (median of ${ROUNDS}; ${load()})`);
  console.log(`  pipeline cold, fresh home + lakehouse        ${sec(P)}`);
  console.log(
    `  tslab via nbclient, notebook as is          ${sec(T)}   (incl. ${skipCells} \`skip\` cells: charts, tables, demo)`,
  );
  console.log(`  tslab via nbclient, without \`skip\` cells    ${sec(N)}`);
  console.log(`  ratio pipeline / tslab as is               ${(P / T).toFixed(2)}×   (target ≤ 1.0×)`);
  console.log(`  ratio pipeline / tslab without skip        ${(P / N).toFixed(2)}×   (target ≤ 1.0×; same work)`);
  console.log(
    `  per round (pipeline / tslab as is, / without skip): ${series.pipeline
      .map((p, i) => `${(p / series.tslab[i]).toFixed(2)}×, ${(p / series.noskip[i]).toFixed(2)}×`)
      .join('; ')}`,
  );
}

const d = [...decompositions].sort((a, b) => a.wall - b.wall)[Math.floor(decompositions.length / 2)];
const over = d.wall - d.compute;
console.log(`\n2. runner overhead vs the steps' own compute (instrumented run with the median wall time; ${load()})`);
console.log(
  `  critical path ${d.cp.join(' → ')}; instrumented W ${sec(d.wall)}${OVERHEAD_ONLY ? '' : ` vs clean median ${sec(median(series.pipeline))}`}`,
);
console.log(`  W  pipeline wall time                          ${msf(d.wall)}`);
console.log(`  compute: Σ_CP cell code (body − input reads)   ${msf(d.compute)}`);
console.log(
  `  overhead = W − compute                         ${msf(over)}  = ${pct(over / d.compute)} of compute   (target ≤ 10 %)`,
);
console.log(`    a. step start-up (boot, imports, bundle)     ${msf(d.startup)}  ${pct(d.startup / d.compute)}`);
console.log(`    b. marshalling (inputs read, outputs written) ${msf(d.marshal)}  ${pct(d.marshal / d.compute)}`);
console.log(`    c. runner per step (spawn, exit, collect)    ${msf(d.perStep)}  ${pct(d.perStep / d.compute)}`);
console.log(`    d. runner fixed (CLI, load, history, gaps)   ${msf(d.fixed)}  ${pct(d.fixed / d.compute)}`);
console.log(`       CLI start-up to run-started (boot, load)    ${msf(d.cliStart)}`);
console.log(`       between steps on the CP (scheduling)        ${msf(d.gaps)}`);
console.log(`       after the last step (run history, exit)     ${msf(d.tail)}`);
console.log(
  `  the runner's own part (c + d)                  ${msf(d.perStep + d.fixed)}  = ${pct((d.perStep + d.fixed) / d.compute)} of compute`,
);
console.log('  per step on the CP (ms): step  runner-duration  start-up  inputs  cell-code  outputs  runner');
for (const n of d.cp) {
  const r = d.steps[n];
  const running = d.runningAt[n];
  const cols = [
    d.durationMs[n],
    Math.max(0, r.timeOrigin + r.bodyStart - running),
    r.inputMs,
    r.bodyEnd - r.bodyStart - r.inputMs,
    r.exit - r.bodyEnd,
    d.durationMs[n] - Math.max(0, r.timeOrigin + r.exit - running),
  ];
  const widths = [15, 9, 7, 10, 8, 7];
  console.log(`    ${n.padEnd(9)} ${cols.map((c, i) => c.toFixed(0).padStart(widths[i])).join(' ')}`);
}
console.log(
  `  all rounds: overhead/compute ${decompositions.map((x) => pct((x.wall - x.compute) / x.compute)).join(', ')}`,
);
if (CA_SET) {
  const overheadOf = (x) => (x.wall - x.compute) / x.compute;
  const startupOf = (x) => x.cliStart + x.startup;
  console.log(
    `  the same runs without NODE_EXTRA_CA_CERTS: overhead/compute ${pct(median(nocaDecompositions.map(overheadOf)))} ` +
      `(rounds: ${nocaDecompositions.map((x) => pct(overheadOf(x))).join(', ')}); CLI start-up + step start-up ` +
      `${msf(median(nocaDecompositions.map(startupOf)))} against ${msf(median(decompositions.map(startupOf)))} with it`,
  );
}

if (!OVERHEAD_ONLY) {
  // The decomposition above takes compute from the same run. Launching ahead boots the next steps'
  // processes beside the running ones, and on a small machine that slows the running ones down:
  // part of what it saves in start-up comes back as longer "compute". So also compare against the
  // cell code's time in runs without launching ahead, where nothing boots beside a step.
  const laW = median(decompositions.map((x) => x.wall));
  const plW = median(plainDecompositions.map((x) => x.wall));
  const laC = median(decompositions.map((x) => x.compute));
  const plC = median(plainDecompositions.map((x) => x.compute));
  console.log(`\n3. launching ahead vs not (instrumented runs, medians of ${ROUNDS}; ${load()})`);
  console.log(`  W           with ${sec(laW)}   without ${sec(plW)}   (${pct((plW - laW) / plW)} shorter with)`);
  console.log(
    `  Σ_CP cell code  with ${sec(laC)}   without ${sec(plC)}   (${pct((laC - plC) / plC)} longer with: CPU contention on ${availableParallelism()} cores)`,
  );
  const cellCode = (x, n) => x.steps[n].bodyEnd - x.steps[n].bodyStart - x.steps[n].inputMs;
  console.log(
    `  cell code per step, with / without (ms): ${spec.steps
      .map((s) =>
        `${s.name} ${msf(median(decompositions.map((x) => cellCode(x, s.name))))} / ${msf(median(plainDecompositions.map((x) => cellCode(x, s.name))))}`.replace(
          / +ms/g,
          '',
        ),
      )
      .join(', ')}`,
  );
  console.log(`  overhead/compute without launching ahead            ${pct((plW - plC) / plC)}`);
  console.log(
    `  W(with) − cell code(without), against the latter    ${msf(laW - plC)}  = ${pct((laW - plC) / plC)}   (the strictest reading of the target)`,
  );
}

if (!KEEP) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
