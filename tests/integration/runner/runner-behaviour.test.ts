/**
 * The runner's scheduling, caching and failure semantics on hand-made pipelines
 * that follow the step entry contract (so each behaviour is provoked exactly).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';
import { ParameterError, SelectionError } from '../../../kernel-lib/src/runner/errors.js';
import type { RunEvent, StepEvent } from '../../../kernel-lib/src/runner/events.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { type HandStep, writeHandPipeline } from './contract-pipeline.js';

async function run(dir: string | PipelineSpec, options: RunOptions) {
  const handle = runPipeline(dir, { history: false, retryBackoffMs: 50, ...options });
  const events: RunEvent[] = [];
  for await (const e of handle) events.push(e);
  return { events, result: await handle.result };
}

const stepEvents = (events: RunEvent[], step: string) =>
  events.filter((e): e is StepEvent => e.type === 'step' && e.step === step);
const freshHome = () => mkdtempSync(path.join(tmpdir(), 'sw-home-'));

/** a → (b, c) → d over structured-clone values; b and c take ~400 ms each. */
function diamond(overrides: Partial<Record<string, Partial<HandStep>>> = {}): HandStep[] {
  const steps: HandStep[] = [
    { name: 'a', outputs: ['x'], body: 'return { outputs: { x: 10 } };', cell: 1 },
    {
      name: 'b',
      deps: ['a'],
      inputs: [{ name: 'x', from: 'a' }],
      outputs: ['y'],
      body: 'await new Promise((r) => setTimeout(r, 400));\nreturn { outputs: { y: inputs.x * 2 } };',
      cell: 2,
    },
    {
      name: 'c',
      deps: ['a'],
      inputs: [{ name: 'x', from: 'a' }],
      outputs: ['z'],
      parameters: ['k'],
      body: 'await new Promise((r) => setTimeout(r, 400));\nreturn { outputs: { z: inputs.x + Number(params.k ?? 1) } };',
      cell: 3,
    },
    {
      name: 'd',
      deps: ['b', 'c'],
      inputs: [
        { name: 'y', from: 'b' },
        { name: 'z', from: 'c' },
      ],
      metrics: ['total'],
      body: 'return { metrics: { total: inputs.y + inputs.z } };',
      cell: 4,
    },
  ];
  return steps.map((s) => ({ ...s, ...overrides[s.name] }));
}
const params = [{ name: 'k', type: 'number' as const, default: 1, cell: 0 }];

describe('scheduling and results', () => {
  it('runs the two diamond branches concurrently and passes values through the artifact store', async () => {
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    const { events, result } = await run(dir, { home: freshHome(), concurrency: 2 });
    expect(result.status).toBe('done');
    expect(result.metrics).toEqual({ total: 20 + 11 });
    const span = (s: string) => {
      const ev = stepEvents(events, s);
      return [Date.parse(ev.find((e) => e.status === 'running')!.time), Date.parse(ev.at(-1)!.time)] as const;
    };
    const [b0, b1] = span('b');
    const [c0, c1] = span('c');
    expect(b0 < c1 && c0 < b1).toBe(true);
    expect(events[0]!.type).toBe('run-started');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', metrics: { total: 31 } });
  });

  it('accepts a spec object with the folder its bundles are relative to', async () => {
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    const spec = JSON.parse(readFileSync(path.join(dir, 'pipeline.json'), 'utf8'));
    const { result } = await run(spec, { home: freshHome(), pipelineDir: dir, params: { k: 2 } });
    expect(result.metrics).toEqual({ total: 32 });
    await expect(runPipeline(spec, { history: false }).result).rejects.toThrow('needs `pipelineDir`');
  });

  it('a `limit:cpu:2` branch runs alone at concurrency 2; events and records say where steps ran', async () => {
    const dir = writeHandPipeline('diamond', diamond({ b: { limits: { cpu: '2' } } }), { parameters: params });
    const { events, result } = await run(dir, { home: freshHome(), concurrency: 2 });
    expect(result.status).toBe('done');
    const span = (s: string) => {
      const ev = stepEvents(events, s);
      return [Date.parse(ev.find((e) => e.status === 'running')!.time), Date.parse(ev.at(-1)!.time)] as const;
    };
    const [b0, b1] = span('b');
    const [c0, c1] = span('c');
    expect(b1 <= c0 || c1 <= b0).toBe(true);
    const host = hostname();
    for (const step of ['a', 'b', 'c', 'd']) {
      const ev = stepEvents(events, step);
      expect(ev.find((e) => e.status === 'running')?.node).toBe(host);
      expect(ev.find((e) => e.status === 'done')?.node).toBe(host);
    }
    expect(result.stepExecutions.map((r) => r.node)).toEqual([host, host, host, host]);
    expect(result.engine.name).toBe('local');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', engine: { name: 'local' } });
  });

  it('with concurrency 1 runs the branches one after the other', async () => {
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    const { events } = await run(dir, { home: freshHome(), concurrency: 1 });
    const running = events.filter((e) => e.type === 'step' && (e.status === 'running' || e.status === 'done'));
    const order = running.map((e) => `${(e as StepEvent).step}:${(e as StepEvent).status}`);
    const iB = order.indexOf('b:running');
    const iC = order.indexOf('c:running');
    const first = iB < iC ? 'b' : 'c';
    expect(order.indexOf(`${first}:done`)).toBeLessThan(Math.max(iB, iC));
  });
});

describe('cache', () => {
  it('serves an unchanged second run from the cache; a changed step re-runs with its descendants only', async () => {
    const home = freshHome();
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    await run(dir, { home });
    const second = await run(dir, { home });
    expect(second.result.steps).toEqual({ a: 'cached', b: 'cached', c: 'cached', d: 'cached' });
    expect(second.result.metrics).toEqual({ total: 31 });

    // Change b's code (and its output): b and d run again, a and c stay cached.
    writeHandPipeline('diamond', diamond({ b: { body: 'return { outputs: { y: inputs.x * 3 } };' } }), {
      parameters: params,
      dir,
    });
    const third = await run(dir, { home });
    expect(third.result.steps).toEqual({ a: 'cached', b: 'done', c: 'cached', d: 'done' });
    expect(third.result.metrics).toEqual({ total: 30 + 11 });
  });

  it('re-runs the steps that use a changed parameter and their descendants', async () => {
    const home = freshHome();
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    await run(dir, { home });
    const changed = await run(dir, { home, params: { k: '5' } });
    expect(changed.result.steps).toEqual({ a: 'cached', b: 'cached', c: 'done', d: 'done' });
    expect(changed.result.metrics).toEqual({ total: 20 + 15 });
    // Back to the default value: everything cached again.
    const back = await run(dir, { home, params: { k: '1' } });
    expect(Object.values(back.result.steps)).toEqual(['cached', 'cached', 'cached', 'cached']);
  });

  it('--no-cache and cache:disabled execute anyway; missing artifacts invalidate a cache entry', async () => {
    const home = freshHome();
    const dir = writeHandPipeline('diamond', diamond({ c: { cache: false } }), { parameters: params });
    await run(dir, { home });
    const again = await run(dir, { home });
    expect(again.result.steps).toEqual({ a: 'cached', b: 'cached', c: 'done', d: 'cached' });
    const noCache = await run(dir, { home, cache: false });
    expect(Object.values(noCache.result.steps)).toEqual(['done', 'done', 'done', 'done']);
    rmSync(path.join(home, 'artifacts'), { recursive: true, force: true });
    const afterLoss = await run(dir, { home });
    // a, b, c lost their outputs and run again; they re-produce the same bytes, so d (which has no
    // outputs to lose) finds the same input hashes and is still served from the cache.
    expect(Object.values(afterLoss.result.steps)).toEqual(['done', 'done', 'done', 'cached']);
  });
});

describe('parameters', () => {
  it('rejects a badly typed or unknown parameter before any step runs', async () => {
    const home = freshHome();
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    const h = runPipeline(dir, { home, history: false, params: { k: 'abc' } });
    await expect(h.result).rejects.toThrow(ParameterError);
    await expect(h.result).rejects.toThrow('parameter `k` expects a number, got `abc`');
    await expect(runPipeline(dir, { home, history: false, params: { nope: '1' } }).result).rejects.toThrow(
      'unknown parameter `nope`; the pipeline declares: k',
    );
    expect(existsSync(path.join(home, 'artifacts'))).toBe(false);
  });

  it('rejects an unknown --only / --from step', async () => {
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    await expect(runPipeline(dir, { home: freshHome(), history: false, only: 'zz' }).result).rejects.toThrow(
      SelectionError,
    );
  });
});

describe('failures', () => {
  it('a throwing step skips its descendants, lets the sibling finish, and names cell and line', async () => {
    const dir = writeHandPipeline(
      'diamond',
      diamond({ b: { body: "const v = 1;\nthrow new TypeError('bad value ' + v);" } }),
      { parameters: params },
    );
    const { events, result } = await run(dir, { home: freshHome() });
    expect(result.status).toBe('failed');
    expect(result.steps).toEqual({ a: 'done', b: 'failed', c: 'done', d: 'skipped' });
    expect(result.error).toMatchObject({ step: 'b', type: 'TypeError', message: 'bad value 1', cell: 2, line: 2 });
    expect(stepEvents(events, 'd').at(-1)?.reason).toBe('upstream step `b` failed');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed' });
  });

  it('survives a step calling process.exit(1) and one killed by SIGKILL', async () => {
    const dir = writeHandPipeline(
      'diamond',
      diamond({
        b: { body: 'process.exit(1);' },
        c: { body: "process.kill(process.pid, 'SIGKILL');" },
      }),
      { parameters: params },
    );
    const { result } = await run(dir, { home: freshHome() });
    expect(result.steps).toEqual({ a: 'done', b: 'failed', c: 'failed', d: 'skipped' });
    const b = result.stepExecutions.find((s) => s.step === 'b')!;
    const c = result.stepExecutions.find((s) => s.step === 'c')!;
    expect(b.error).toMatchObject({ type: 'Exit', exitCode: 1, message: 'step `b` exited with code 1' });
    expect(c.error).toMatchObject({ type: 'Signal', signal: 'SIGKILL' });
  });

  it('fails the step, not the run machinery, when the artifact store cannot take an output', async () => {
    const home = freshHome();
    const notADir = path.join(home, 'file');
    writeFileSync(notADir, '');
    const dir = writeHandPipeline('diamond', diamond(), { parameters: params });
    const { events, result } = await run(dir, { home, artifactStore: new LocalArtifactStore(notADir) });
    expect(result.status).toBe('failed');
    expect(result.steps).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', d: 'skipped' });
    expect(result.error?.message).toMatch(/^runner: ENOTDIR/);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'failed' });
  });

  it('kills a step that exceeds its timeout', async () => {
    const dir = writeHandPipeline('slow', [
      { name: 'slow', timeoutSeconds: 1, body: 'await new Promise((r) => setTimeout(r, 30000));' },
    ]);
    const t0 = Date.now();
    const { result } = await run(dir, { home: freshHome() });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result.stepExecutions[0]!.error).toMatchObject({
      type: 'Timeout',
      message: 'step `slow` exceeded its timeout of 1s and was killed',
    });
  });

  it('retries a failing step with backoff until it succeeds', async () => {
    const marker = path.join(freshHome(), 'attempted');
    const dir = writeHandPipeline('flaky', [
      {
        name: 'flaky',
        retries: 2,
        outputs: [],
        body: `const fs = await import('node:fs');\nif (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); throw new Error('first attempt fails'); }\nreturn {};`,
      },
    ]);
    const { events, result } = await run(dir, { home: freshHome() });
    expect(result.status).toBe('done');
    expect(stepEvents(events, 'flaky').map((e) => e.status)).toEqual([
      'queued',
      'running',
      'retrying',
      'running',
      'done',
    ]);
    expect(result.stepExecutions[0]!.attempts).toBe(2);
  });

  it('cancelling kills running steps and ends the run cancelled', async () => {
    const dir = writeHandPipeline(
      'diamond',
      diamond({ b: { body: 'await new Promise((r) => setTimeout(r, 30000));' } }),
      {
        parameters: params,
      },
    );
    const ac = new AbortController();
    const h = runPipeline(dir, { home: freshHome(), history: false, signal: ac.signal, killGraceMs: 500 });
    const t0 = Date.now();
    const events: RunEvent[] = [];
    for await (const e of h) {
      events.push(e);
      if (e.type === 'step' && e.step === 'b' && e.status === 'running') ac.abort();
    }
    const result = await h.result;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(result.status).toBe('cancelled');
    expect(result.steps.b).toBe('cancelled');
    expect(result.error).toEqual({ type: 'Cancelled', message: 'the run was cancelled' });
    expect(result.steps.d).toBe('skipped');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'cancelled' });
  });
});
