/**
 * Launching ahead: the runner starts a step's process while its upstream step
 * still computes, and hands it its command line on stdin once the inputs exist
 * (STEP-CONTRACT.md, "Launching ahead"). Observed from inside the steps: each
 * reports `performance.timeOrigin` (when its process started) as a metric.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { ProcessGroups } from '../../../kernel-lib/src/runner/engine/local/process-groups.js';
import { launchStepProcess } from '../../../kernel-lib/src/runner/engine/local/step-process.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';

async function run(target: string, options: RunOptions) {
  const h = runPipeline(target, options);
  const events: RunEvent[] = [];
  for await (const e of h) events.push(e);
  return { result: await h.result, events };
}

/** When the runner saw `step` reach `status` (epoch ms). */
function eventTime(events: RunEvent[], step: string, status: string): number {
  const e = events.find((x) => x.type === 'step' && x.step === step && x.status === status);
  if (!e) throw new Error(`no ${status} event for ${step}`);
  return Date.parse(e.time);
}

const SLOW_MS = 1500;
/** `slow` computes for 1.5 s (or throws), then `next` uses its output. */
function pipeline(name: string, { fail = false } = {}) {
  return writeNotebook(name, [
    code(['pipeline-parameters'], `const slowMs = ${SLOW_MS};`),
    code(
      ['step:slow'],
      `const slowBootedAt = performance.timeOrigin;\nconst t0 = Date.now();\nwhile (Date.now() - t0 < slowMs) {}\n${fail ? "throw new Error('slow broke');\n" : ''}const x = 41;`,
    ),
    code(['step:next', 'prev:slow'], 'const nextBootedAt = performance.timeOrigin;\nconst y = x + 1;'),
    code(['pipeline-metrics'], 'y\nnextBootedAt\nslowBootedAt'),
  ]);
}

/** Processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

/** The process groups of the step processes these tests start directly. */
const groups = new ProcessGroups();
afterAll(() => groups.close());

describe('launching steps ahead of their turn', () => {
  it('boots the downstream process while upstream computes, and it still gets its inputs', async () => {
    const { dir, nb } = pipeline('ahead');
    const { result, events } = await run(nb, { home: path.join(dir, 'home'), cache: false });
    expect(result.status).toBe('done');
    expect(result.metrics.y).toBe(42);
    const slowDone = eventTime(events, 'slow', 'done');
    const nextRunning = eventTime(events, 'next', 'running');
    const booted = result.metrics.nextBootedAt as number;
    // `next`'s process started while `slow` was still busy, long before `slow` finished…
    expect(booted).toBeLessThan(slowDone - SLOW_MS / 2);
    expect(booted).toBeGreaterThanOrEqual((result.metrics.slowBootedAt as number) - 1);
    // …and was only given its turn after `slow` had finished.
    expect(nextRunning).toBeGreaterThanOrEqual(slowDone);
  });

  it('with launchAhead: false, a step process starts only when its inputs are ready', async () => {
    const { dir, nb } = pipeline('plain');
    const { result, events } = await run(nb, { home: path.join(dir, 'home'), cache: false, launchAhead: false });
    expect(result.status).toBe('done');
    expect(result.metrics.y).toBe(42);
    // The events carry whole milliseconds.
    expect(result.metrics.nextBootedAt as number).toBeGreaterThanOrEqual(eventTime(events, 'slow', 'done') - 1);
  });

  it('kills the waiting process when its upstream fails', async () => {
    const { dir, nb } = pipeline('upstream-fails', { fail: true });
    const bundle = path.join(dir, 'upstream-fails.pipeline', 'steps', 'next.mjs');
    const h = runPipeline(nb, { home: path.join(dir, 'home'), cache: false });
    let seenWaiting = false;
    for await (const e of h) {
      // While `slow` runs, `next` is already up, waiting for its command line.
      if (e.type === 'step' && e.step === 'slow' && e.status === 'running') {
        await new Promise((r) => setTimeout(r, 300));
        seenWaiting = processesMentioning(bundle).length > 0;
      }
    }
    const result = await h.result;
    expect(seenWaiting).toBe(true);
    expect(result.status).toBe('failed');
    expect(result.steps).toEqual({ slow: 'failed', next: 'skipped' });
    expect(result.error?.message).toContain('slow broke');
    let left = processesMentioning(bundle);
    for (let i = 0; i < 20 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesMentioning(bundle);
    }
    expect(left).toEqual([]);
  });
});

describe('a step reading its command line from stdin (--args-from-stdin)', () => {
  async function compiled() {
    const { dir, nb } = writeNotebook('stdin-args', [
      code(['step:make'], 'const n = 20 + 1;'),
      code(['step:double', 'prev:make'], 'const twice = n * 2;'),
      code(['pipeline-metrics'], 'twice'),
    ]);
    const outDir = path.join(dir, 'compiled');
    await compileNotebook(nb, { outDir });
    return { dir, bundle: (s: string) => path.join(outDir, 'steps', `${s}.mjs`) };
  }

  function stepWithStdin(bundle: string, stdin: string | null) {
    return new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bundle, '--args-from-stdin'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('close', (c) => resolve({ code: c, stderr }));
      if (stdin === null) child.stdin.end();
      else child.stdin.end(stdin);
    });
  }

  it('runs with the arguments given as one JSON line', async () => {
    const { dir, bundle } = await compiled();
    const out = path.join(dir, 'n.v8');
    const make = await stepWithStdin(bundle('make'), `${JSON.stringify(['--out', `n=${out}`])}\n`);
    expect(make).toEqual({ code: 0, stderr: '' });
    const metrics = path.join(dir, 'metrics.json');
    const twice = await stepWithStdin(
      bundle('double'),
      `${JSON.stringify(['--in', `n=${out}`, '--metrics', metrics])}\n`,
    );
    expect(twice.code).toBe(0);
    expect(JSON.parse(readFileSync(metrics, 'utf8'))).toEqual({ twice: 42 });
  });

  it('says it is ready once its imports are loaded, before its command line arrives', async () => {
    const { dir, bundle } = await compiled();
    const waiting = launchStepProcess({ script: bundle('make'), cwd: dir }, groups);
    expect(await waiting.ready).toBe(true);
    const out = path.join(dir, 'ready.v8');
    const done = await waiting.run(['--out', `n=${out}`]);
    expect(done.exitCode).toBe(0);
    expect(readFileSync(out).length).toBeGreaterThan(0);
    // A script without the step runtime never says so: `ready` settles false when it ends.
    const script = path.join(dir, 'plain.mjs');
    writeFileSync(script, 'console.log("hi")');
    const plain = launchStepProcess({ script, cwd: dir }, groups, []);
    expect(await plain.ready).toBe(false);
    expect((await plain.run([])).exitCode).toBe(0);
  });

  it('rejects stdin that is not a JSON array of strings, or that ends first, with exit 2', async () => {
    const { bundle } = await compiled();
    const notJson = await stepWithStdin(bundle('make'), 'not json\n');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('step "make": --args-from-stdin: stdin is not a JSON array');
    const numbers = await stepWithStdin(bundle('make'), '[1, 2]\n');
    expect(numbers.code).toBe(2);
    expect(numbers.stderr).toContain('expected a JSON array of strings');
    const closed = await stepWithStdin(bundle('make'), null);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('stdin ended before the command line arrived');
    // The arguments themselves are checked as on the command line.
    const unknown = await stepWithStdin(bundle('make'), '["--out", "nope=/tmp/x"]\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('step "make" has no output "nope"');
  });
});
