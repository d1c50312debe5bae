/**
 * `stillwater run --engine ray` on a real two-node Ray cluster on loopback: the turbofan
 * example gives the local engine's metrics, with its `train` step placed on the second
 * node by a `limit:example.com/second:1` tag and the events saying so; the cache works across
 * engines; cancelling a run stops its Ray work; killing the second node under a step fails
 * the step with an error naming the node; `limit:memory` is enforced on the node as locally.
 * Nothing is left running.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath, freshOutDir, repoRoot } from '../../helpers/paths.js';
import { processAlive, processGoneWithin } from '../../helpers/processes.js';
import { type RayCluster, rayMissing, rayPython, startRayCluster } from '../../helpers/ray-cluster.mjs';

const execFileAsync = promisify(execFile);
const missing = rayMissing();
if (missing) console.warn(`skipped "stillwater run --engine ray": ${missing}`);

// biome-ignore lint/suspicious/noExplicitAny: run events as parsed JSON
type RunEvent = Record<string, any>;

const workspaces: string[] = [];

/** A copy of the turbofan notebook whose `train` step asks for the second node's resource. */
function turbofanOnTwoNodes(): string {
  const dir = freshOutDir('ray-turbofan-');
  workspaces.push(dir);
  const nb = JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), 'utf8'));
  const train = nb.cells.find((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes('step:train'));
  train.metadata.tags.push('limit:example.com/second:1');
  writeFileSync(path.join(dir, 'turbofan.ipynb'), JSON.stringify(nb));
  return dir;
}

/** `stillwater run … --json` to its end: every event, and the exit code. */
async function runJson(cwd: string, args: string[]): Promise<{ events: RunEvent[]; code: number; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cliPath, 'run', ...args, '--json'], {
      cwd,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { events: parse(stdout), code: 0, stderr };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { events: parse(e.stdout), code: e.code, stderr: e.stderr };
  }
}

const parse = (text: string): RunEvent[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const finished = (events: RunEvent[]): RunEvent => events.find((e) => e.type === 'run-finished')!;
const rayArgs = (cluster: RayCluster) => ['--engine', 'ray', '--address', cluster.address, '--ray-python', rayPython];

/** Starts `stillwater run --json` and hands back its events as they come. */
function startRun(cwd: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [cliPath, 'run', ...args, '--json'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: RunEvent[] = [];
  const waiters: Array<{ test: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = JSON.parse(line) as RunEvent;
    events.push(e);
    for (const w of waiters.filter((w) => w.test(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitFor = (test: (e: RunEvent) => boolean) =>
    new Promise<RunEvent>((resolve) => {
      const seen = events.find(test);
      if (seen) resolve(seen);
      else waiters.push({ test, resolve });
    });
  return { child, events, exited, waitFor };
}

/** A one-step pipeline whose step prints its pid, then runs until stopped, on the second node. */
function foreverOnSecond(name: string) {
  return writeNotebook(name, [
    code(
      ['step:forever', 'limit:example.com/second:1'],
      "console.log('pid ' + process.pid);\nawait new Promise((resolve) => setTimeout(resolve, 600_000));",
    ),
  ]);
}

const pidOf = (e: RunEvent) => Number(/pid (\d+)/.exec(e.text)![1]);

/** `foreverOnSecond` started on the cluster, once its step says its process id. */
async function runForeverOnSecond(name: string, cluster: RayCluster) {
  const { dir, nb } = foreverOnSecond(name);
  workspaces.push(dir);
  const run = startRun(dir, [nb, '--home', path.join(dir, 'home'), ...rayArgs(cluster)]);
  const pid = pidOf(await run.waitFor((e) => e.type === 'log' && /pid \d+/.test(e.text)));
  return { run, pid };
}

describe.skipIf(missing !== undefined)('stillwater run --engine ray on a two-node cluster', () => {
  let cluster: RayCluster;

  beforeAll(async () => {
    cluster = await startRayCluster();
  }, 400_000);

  afterAll(async () => {
    await cluster?.stop();
    for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs turbofan with the local engine’s metrics, train on the second node, and serves a rerun from the cache as the local engine does', async () => {
    const localDir = turbofanOnTwoNodes();
    const rayDir = turbofanOnTwoNodes();
    const local = await runJson(localDir, ['turbofan.ipynb', '--home', 'home']);
    const ray = await runJson(rayDir, ['turbofan.ipynb', '--home', 'home', ...rayArgs(cluster)]);
    expect(finished(local.events)?.status, local.stderr).toBe('done');
    expect(finished(ray.events)?.status, ray.stderr).toBe('done');
    expect(finished(ray.events).metrics).toEqual(finished(local.events).metrics);
    expect(Object.keys(finished(ray.events).metrics)).toContain('f1');

    const running = ray.events.filter((e) => e.type === 'step' && e.status === 'running');
    expect(running.map((e) => e.step).sort()).toEqual(['evaluate', 'ingest', 'prepare', 'train', 'validate']);
    for (const e of running) expect(e.node).toMatch(/^ray:[^/ ]+\/[0-9a-f]{8} \[example\.com\/(head|second)\]$/);
    expect(running.find((e) => e.step === 'train')?.node).toContain('[example.com/second]');
    expect(finished(ray.events).engine).toMatchObject({ name: 'ray', setupMs: expect.any(Number) });
    expect(finished(local.events).engine).toMatchObject({ name: 'local' });

    // A rerun reuses exactly what a local rerun reuses (validate and evaluate read tables the
    // first run's evaluate changed — the blessed baseline and the registry — so they run again).
    const localAgain = await runJson(localDir, ['turbofan.ipynb', '--home', 'home']);
    const again = await runJson(rayDir, ['turbofan.ipynb', '--home', 'home', ...rayArgs(cluster)]);
    expect(finished(again.events).status).toBe('done');
    expect(finished(again.events).steps).toEqual(finished(localAgain.events).steps);
    expect(finished(again.events).steps).toMatchObject({ ingest: 'cached', prepare: 'cached', train: 'cached' });
    expect(finished(again.events).metrics).toEqual(finished(localAgain.events).metrics);
  }, 600_000);

  it('cancelling the run stops its step on the cluster', async () => {
    const { run, pid } = await runForeverOnSecond('ray_cancel', cluster);
    expect(processAlive(pid)).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(finished(run.events).status).toBe('cancelled');
    expect(await processGoneWithin(pid, 5000)).toBe(true);
    expect(cluster.pids()).not.toContain(pid);
  }, 300_000);

  it('retries a failed attempt and enforces a step timeout, as the local engine does', async () => {
    const { dir, nb } = writeNotebook('ray_retry_timeout', [
      code(
        ['step:flaky', 'retries:1'],
        "import { existsSync, writeFileSync } from 'node:fs';\nif (!existsSync('tried')) { writeFileSync('tried', ''); throw new Error('first attempt fails'); }\nconst ok = 1;",
      ),
      code(['step:slow', 'timeout:3'], 'await new Promise((resolve) => setTimeout(resolve, 600_000));'),
    ]);
    workspaces.push(dir);
    const run = await runJson(dir, [nb, '--home', path.join(dir, 'home'), ...rayArgs(cluster)]);
    const steps = run.events.filter((e) => e.type === 'step');
    expect(steps.find((e) => e.step === 'flaky' && e.status === 'retrying')?.error.message).toContain(
      'first attempt fails',
    );
    expect(steps.find((e) => e.step === 'flaky' && e.status === 'done')?.attempt).toBe(2);
    const slow = steps.find((e) => e.step === 'slow' && e.status === 'failed');
    expect(slow?.error).toMatchObject({ type: 'Timeout', message: expect.stringContaining('timeout of 3s') });
    expect(finished(run.events).status).toBe('failed');
  }, 300_000);

  it('enforces limit:memory on the cluster as the local engine does: resident memory and the heap', async () => {
    const { dir, nb } = writeNotebook('ray_memory_limit', [
      code(['step:hog', 'limit:memory:300Mi'], 'const held: Buffer[] = [];\nconsole.log("allocating");'),
      // Cell 1 (joins `hog`): 16 MB at a time, touched so it is resident, until 2 GB.
      code(
        [],
        'for (let i = 0; i < 128; i++) {\n  held.push(Buffer.alloc(16 * 2 ** 20, i));\n  await new Promise((r) => setTimeout(r, 5));\n}\nconst total = held.length;',
      ),
      code(
        ['step:greedy', 'limit:memory:160Mi'],
        'const kept: unknown[] = [];\nconst v8 = await import("node:v8");\nconsole.log("heap limit " + Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20) + " MB");',
      ),
      code([], 'for (;;) kept.push({ n: Math.random(), s: "x" + Math.random() });\nconst never = kept.length;'),
      code(['pipeline-metrics'], 'total\nnever'),
    ]);
    workspaces.push(dir);
    const started = Date.now();
    const run = await runJson(dir, [nb, '--home', path.join(dir, 'home'), ...rayArgs(cluster)]);
    expect(finished(run.events)).toMatchObject({ status: 'failed', steps: { hog: 'failed', greedy: 'failed' } });
    const failed = (step: string) =>
      run.events.find((e) => e.type === 'step' && e.step === step && e.status === 'failed')!;
    const hog = failed('hog');
    expect(hog.node).toMatch(/^ray:/);
    expect(hog.error).toMatchObject({ type: 'MemoryLimitExceeded', cell: 1, signal: 'SIGKILL' });
    const reached = Number(/resident memory reached (\d+) MB/.exec(hog.error.message)?.[1]);
    expect(reached).toBeGreaterThan(300);
    expect(reached).toBeLessThan(600);
    expect(hog.error.message).toBe(
      `step \`hog\` exceeded memory limit 300Mi (resident memory reached ${reached} MB) in cell 1`,
    );
    // The heap is bounded by the limit on the node too (Node's default would be ~2 GB).
    const log = run.events
      .filter((e) => e.type === 'log' && e.step === 'greedy')
      .map((e) => e.text)
      .join('');
    const heapMb = Number(/heap limit (\d+) MB/.exec(log)?.[1]);
    expect(heapMb).toBeGreaterThanOrEqual(160);
    expect(heapMb).toBeLessThan(240);
    expect(failed('greedy').error.message).toMatch(
      /^step `greedy` exceeded memory limit 160Mi \((JavaScript heap full at \d+ MB|resident memory reached \d+ MB)\) in cell 3$/,
    );
    // Killed while allocating, long before 2 GB.
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 300_000);

  it('a second node killed under its step fails the step with an error naming the node, leaving nothing running', async () => {
    const { run, pid } = await runForeverOnSecond('ray_node_lost', cluster);
    const node = run.events.find((e) => e.type === 'step' && e.status === 'running')?.node as string;
    cluster.killSecondNode();
    expect(await run.exited).toBe(1);
    const failed = run.events.find((e) => e.type === 'step' && e.status === 'failed')!;
    expect(failed.error.type).toBe('RayNodeLostError');
    expect(failed.error.message).toContain(`Ray node ${node}`);
    expect(finished(run.events).status).toBe('failed');
    expect(await processGoneWithin(pid, 5000)).toBe(true);
  }, 300_000);
});
