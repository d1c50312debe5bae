#!/usr/bin/env node
// Ray engine benchmark (issue 14): the turbofan pipeline on an already running two-node Ray
// cluster (loopback, one CPU per node, `train` placed on the second node by `limit:example.com/second:1`)
// against the local engine, both in this run, ROUNDS alternating rounds, medians reported.
//
//   local  wall time of `stillwater run <compiled> --no-cache` (spawn to exit), fresh home and
//          lakehouse, --concurrency 2 (the cluster's two CPUs).
//   ray    the same with `--engine ray --address …`; its wall time minus the driver's setup
//          (the run-finished event's engine.setupMs: Python start, `ray.init`, and starting the
//          run's Ray worker on each node, since Ray workers belong to one driver), which is
//          reported on its own line.
//          Target: ray (excluding connect) ≤ 1.5× local.
//   per-step scheduling overhead: for each step, the Ray attempt's durationMs minus the local
//          one's (median over rounds) — Ray's task scheduling, a worker picking it up, and the
//          node subprocess start — printed per step and as the mean.
//
// The cluster is started before the first round and not timed; the first Ray round also warms
// Ray's workers, so one untimed warm-up run of each engine comes first.
// Usage: node tests/bench/ray/bench.mjs [--rounds 3] [--keep]
// Needs: `npm run build`, and ray in .venv (bash scripts/provision.sh).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rayMissing, rayPython, startRayCluster } from '../../helpers/ray-cluster.mjs';
import { load, median, sec } from '../stats.mjs';
import { timedSpawn } from '../spawn.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const cli = path.join(repoRoot, 'kernel-lib', 'dist', 'cli', 'main.js');
const argValue = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ROUNDS = Number(argValue('rounds', 3));
const KEEP = process.argv.includes('--keep');
const TARGET = 1.5;

const missing = existsSync(cli) ? rayMissing() : 'missing kernel-lib/dist: run `npm run build` first';
if (missing) {
  console.error(`ray bench: ${missing}`);
  process.exit(1);
}

const baseEnv = { ...process.env, STILLWATER_CMAPSS_DIR: '' };
delete baseEnv.STILLWATER_HOME;
delete baseEnv.STILLWATER_LAKEHOUSE_ROOT;
delete baseEnv.NODE_OPTIONS;

/** Runs the CLI to its end: wall ms and its JSON events. */
async function cliRun(args, cwd) {
  const { ms, stdout } = await timedSpawn(process.execPath, [cli, ...args], { cwd, env: baseEnv });
  const events = args.includes('--json')
    ? stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];
  return { ms, events, stdout };
}

// Inside the repository so the bundles resolve node_modules.
mkdirSync(path.join(repoRoot, 'tests', '.out'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests', '.out', 'bench-ray-'));
const notebook = path.join(work, 'turbofan.ipynb');
copyFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), notebook);
const nb = JSON.parse(readFileSync(notebook, 'utf8'));
nb.cells.find((c) => c.metadata?.tags?.includes('step:train')).metadata.tags.push('limit:example.com/second:1');
writeFileSync(notebook, JSON.stringify(nb));

const pipelineDir = path.join(work, 'turbofan.pipeline');
const compiled = JSON.parse((await cliRun(['compile', notebook, '-o', pipelineDir, '--json'], work)).stdout);
if (!compiled.ok) throw new Error(`compile failed: ${JSON.stringify(compiled.diagnostics)}`);
const spec = compiled.spec;
const lakehouse = path.resolve(pipelineDir, path.dirname(spec.notebook), spec.lakehouseRoot);

console.log(`starting a two-node Ray cluster … (${load()})`);
const clusterStarted = performance.now();
const cluster = await startRayCluster();
console.log(`cluster up in ${sec(performance.now() - clusterStarted)} at ${cluster.address} (not timed)`);

let runNo = 0;
async function pipelineRun(engine) {
  rmSync(lakehouse, { recursive: true, force: true });
  const home = path.join(work, `home-${runNo++}`);
  const args = ['run', pipelineDir, '--no-cache', '--concurrency', '2', '--home', home, '--json'];
  if (engine === 'ray') args.push('--engine', 'ray', '--address', cluster.address, '--ray-python', rayPython);
  const { ms, events } = await cliRun(args, work);
  const finished = events.find((e) => e.type === 'run-finished');
  if (finished?.status !== 'done') throw new Error(`${engine} run ended ${finished?.status}`);
  const setupMs = finished.engine?.setupMs ?? 0;
  const stepMs = Object.fromEntries(
    events.filter((e) => e.type === 'step' && e.status === 'done').map((e) => [e.step, e.durationMs]),
  );
  const nodes = Object.fromEntries(
    events.filter((e) => e.type === 'step' && e.status === 'running').map((e) => [e.step, e.node]),
  );
  return { ms, setupMs, stepMs, nodes, metrics: finished.metrics };
}

try {
  console.log('warm-up (untimed): one run of each engine');
  const warmLocal = await pipelineRun('local');
  const warmRay = await pipelineRun('ray');
  if (JSON.stringify(warmLocal.metrics) !== JSON.stringify(warmRay.metrics))
    throw new Error(
      `metrics differ: local ${JSON.stringify(warmLocal.metrics)} ray ${JSON.stringify(warmRay.metrics)}`,
    );
  console.log(
    `placement: ${Object.entries(warmRay.nodes)
      .map(([s, n]) => `${s} → ${n}`)
      .join(', ')}`,
  );

  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which engine goes first, so a drifting machine load does not favour one.
    const order = r % 2 === 0 ? ['local', 'ray'] : ['ray', 'local'];
    const got = {};
    for (const engine of order) got[engine] = await pipelineRun(engine);
    rounds.push(got);
    const { local, ray } = got;
    console.log(
      `round ${r + 1}: local ${sec(local.ms)}  ray ${sec(ray.ms)} (setup ${sec(ray.setupMs)}, without ${sec(ray.ms - ray.setupMs)})  ${load()}`,
    );
  }

  const localMs = median(rounds.map((x) => x.local.ms));
  const rayMs = median(rounds.map((x) => x.ray.ms - x.ray.setupMs));
  const connectMs = median(rounds.map((x) => x.ray.setupMs));
  console.log(`\nlocal engine             ${sec(localMs)} (median of ${ROUNDS})`);
  console.log(`ray engine, w/o setup    ${sec(rayMs)}`);
  console.log(`ray driver setup        ${sec(connectMs)} (connect + worker warm-up, reported separately)`);
  console.log('per-step scheduling overhead (ray step duration − local step duration, medians):');
  const overheads = spec.steps.map((s) => {
    const d = median(rounds.map((x) => x.ray.stepMs[s.name] - x.local.stepMs[s.name]));
    console.log(`  ${s.name.padEnd(10)} ${d.toFixed(0).padStart(6)} ms`);
    return d;
  });
  console.log(`  mean       ${(overheads.reduce((a, b) => a + b, 0) / overheads.length).toFixed(0).padStart(6)} ms`);
  const ratio = rayMs / localMs;
  const ok = ratio <= TARGET;
  console.log(
    `\nray / local wall (excluding driver setup): ${ratio.toFixed(2)}× (target ≤ ${TARGET}×) ${ok ? 'OK' : 'MISSED'}`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await cluster.stop();
  if (!KEEP) rmSync(work, { recursive: true, force: true });
}
