/**
 * Step execution alone (step-execution.ts): one step from its inputs to its outcome — the
 * cache decision, attempts through an engine (the real local one), outputs into the artifact
 * store — without the scheduler or the rest of a run. The bundles are hand-made ones that
 * follow the step contract (tests/integration/runner/contract-pipeline.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';
import { CacheIndex } from '../../../kernel-lib/src/runner/cache.js';
import { type EngineRun, stepSlots } from '../../../kernel-lib/src/runner/engine/engine.js';
import { LocalEngine } from '../../../kernel-lib/src/runner/engine/local/launcher.js';
import type { RunEvent, StepEvent } from '../../../kernel-lib/src/runner/events.js';
import { RunRecorder } from '../../../kernel-lib/src/runner/run-record.js';
import { StepExecution } from '../../../kernel-lib/src/runner/step-execution.js';
import { StepReuse } from '../../../kernel-lib/src/runner/step-reuse.js';
import { type HandStep, writeHandPipeline } from '../../integration/runner/contract-pipeline.js';

const opened: EngineRun[] = [];
afterEach(async () => {
  for (const e of opened.splice(0)) await e.close();
});

/** One execution context over `dir`'s pipeline, sharing `home` (store, cache) across calls. */
async function context(dir: string, home: string, runId: string) {
  const spec = JSON.parse(readFileSync(path.join(dir, 'pipeline.json'), 'utf8')) as PipelineSpec;
  const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const engine = await new LocalEngine().open({
    runId,
    spec,
    pipelineDir: dir,
    home,
    concurrency: 2,
    steps: spec.steps.map((s) => ({
      name: s.name,
      deps: s.deps,
      bundle: path.join(dir, s.bundle),
      limits: s.limits,
      slots: stepSlots(s.limits, 2),
    })),
    cwd: dir,
    env,
  });
  opened.push(engine);
  const events: RunEvent[] = [];
  const recorder = new RunRecorder(runId, spec, {}, (e) => events.push(e));
  const store = new LocalArtifactStore(path.join(home, 'artifacts'));
  const execution = new StepExecution({
    runId,
    pipeline: spec.name,
    pipelineDir: dir,
    workDir: path.join(home, 'work', runId),
    notebook: spec.notebook,
    artifactsDir: path.join(home, 'run-artifacts', runId),
    params: {},
    store,
    reuse: new StepReuse({ pipelineDir: dir, store, cache: new CacheIndex(path.join(home, 'cache')), cwd: dir, env }),
    engine,
    recorder,
    external: new Map(),
    resumed: new Map(),
    cacheOff: () => false,
    cwd: dir,
    env,
    signal: new AbortController().signal,
    concurrency: 2,
    retryBackoffMs: 10,
    killGraceMs: 200,
  });
  const run = (step: string) => execution.run(recorder.state(step));
  const stepEvents = (step: string) => events.filter((e): e is StepEvent => e.type === 'step' && e.step === step);
  return { run, recorder, stepEvents, store };
}

const steps: HandStep[] = [
  { name: 'make', outputs: ['x'], body: 'return { outputs: { x: 21 } };' },
  {
    name: 'double',
    deps: ['make'],
    inputs: [{ name: 'x', from: 'make' }],
    metrics: ['y'],
    body: 'return { metrics: { y: inputs.x * 2 } };',
  },
];

describe('step execution', () => {
  it('runs a step through the engine, files its outputs, and serves it from the cache next time', async () => {
    const dir = writeHandPipeline('exec', steps);
    const home = mkdtempSync(path.join(tmpdir(), 'sw-exec-'));
    const first = await context(dir, home, 'run-1');
    expect(await first.run('make')).toBe('succeeded');
    const make = first.recorder.state('make').record;
    expect(make).toMatchObject({ status: 'done', attempts: 1, cacheHit: false, node: hostname() });
    expect(await first.store.has(make.outputs.x!)).toBe(true);
    expect(first.stepEvents('make').map((e) => e.status)).toEqual(['running', 'done']);
    expect(first.stepEvents('make')[0]!.node).toBe(hostname());
    expect(await first.run('double')).toBe('succeeded');
    expect(first.recorder.state('double').record.metrics).toEqual({ y: 42 });

    const second = await context(dir, home, 'run-2');
    expect(await second.run('make')).toBe('succeeded');
    expect(second.recorder.state('make').record).toMatchObject({
      status: 'cached',
      cacheHit: true,
      outputs: make.outputs,
      reason: 'cached from run run-1',
    });
  });

  it('retries a failing attempt, and fails a step whose input was never produced without running it', async () => {
    const flaky: HandStep = {
      name: 'make',
      outputs: ['x'],
      retries: 1,
      // Fails on the first attempt (no marker yet), succeeds on the second.
      body: `const fs = await import('node:fs');
if (!fs.existsSync('attempted')) { fs.writeFileSync('attempted', ''); throw new Error('first attempt'); }
return { outputs: { x: 1 } };`,
    };
    const dir = writeHandPipeline('retry', [flaky, steps[1]!]);
    const home = mkdtempSync(path.join(tmpdir(), 'sw-exec-'));
    const c = await context(dir, home, 'run-r');
    expect(await c.run('double')).toBe('failed');
    expect(c.recorder.state('double').record).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { type: 'MissingInput', message: 'input `x` from step `make` was not produced' },
    });
    expect(await c.run('make')).toBe('succeeded');
    expect(c.stepEvents('make').map((e) => e.status)).toEqual(['running', 'retrying', 'running', 'done']);
    expect(c.recorder.state('make').record.attempts).toBe(2);
  });
});
