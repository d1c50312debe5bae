/**
 * Run history in Delta tables and what builds on it: `--resume`, `--only`,
 * `--from`. Each step appends its name to a log file when it really executes,
 * so "not re-executed" is checked directly, not inferred from events.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeltaRunHistory } from '../../../kernel-lib/src/runner/delta-history.js';
import { SelectionError } from '../../../kernel-lib/src/runner/errors.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { type HandStep, writeHandPipeline } from './contract-pipeline.js';

const freshDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

function loggedDiamond(log: string, gate: string): HandStep[] {
  const note = (s: string) => `(await import('node:fs')).appendFileSync(${JSON.stringify(log)}, '${s}\\n');`;
  return [
    { name: 'a', outputs: ['x'], cache: false, body: `${note('a')}\nreturn { outputs: { x: 2 } };` },
    {
      name: 'b',
      deps: ['a'],
      inputs: [{ name: 'x', from: 'a' }],
      outputs: ['y'],
      body: `${note('b')}\nif (!(await import('node:fs')).existsSync(${JSON.stringify(gate)})) throw new Error('gate closed');\nreturn { outputs: { y: inputs.x * 10 } };`,
      cell: 5,
    },
    {
      name: 'c',
      deps: ['a'],
      inputs: [{ name: 'x', from: 'a' }],
      outputs: ['z'],
      body: `${note('c')}\nreturn { outputs: { z: inputs.x + 1 } };`,
    },
    {
      name: 'd',
      deps: ['b', 'c'],
      inputs: [
        { name: 'y', from: 'b' },
        { name: 'z', from: 'c' },
      ],
      metrics: ['sum'],
      body: `${note('d')}\nreturn { metrics: { sum: inputs.y + inputs.z } };`,
    },
  ];
}

async function run(dir: string, options: RunOptions) {
  const h = runPipeline(dir, { retryBackoffMs: 10, ...options });
  for await (const _ of h) {
    // drain
  }
  return h.result;
}

const executed = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').sort() : []);

describe('run history', () => {
  it('records runs and step executions as Delta tables and reads them back', async () => {
    const home = freshDir('sw-home-');
    const work = freshDir('sw-work-');
    const gate = path.join(work, 'gate');
    writeFileSync(gate, '');
    const dir = writeHandPipeline('logged', loggedDiamond(path.join(work, 'log'), gate));
    const r1 = await run(dir, { home });
    const r2 = await run(dir, { home });
    const history = new DeltaRunHistory(home);
    const runs = await history.listRuns();
    expect(runs.map((r) => r.runId)).toEqual([r2.runId, r1.runId]);
    expect(runs[1]).toMatchObject({ status: 'done', pipeline: 'logged', metrics: { sum: 23 }, selection: 'all' });
    const steps = await history.stepExecutions(r2.runId);
    expect(steps.map((s) => [s.step, s.status, s.cacheHit])).toEqual([
      ['a', 'done', false],
      ['b', 'cached', true],
      ['c', 'cached', true],
      ['d', 'cached', true],
    ]);
    const d1 = (await history.stepExecutions(r1.runId)).find((s) => s.step === 'd')!;
    expect(Object.keys(d1.inputs).sort()).toEqual(['y', 'z']);
    expect(d1.metrics).toEqual({ sum: 23 });
    // Version 0 creates the table (in the background, while the first run's steps ran); then one append per run.
    expect(await history.runs.version()).toBe(2);
  });

  it('--resume completes a failed run without re-executing the steps that succeeded', async () => {
    const home = freshDir('sw-home-');
    const work = freshDir('sw-work-');
    const log = path.join(work, 'log');
    const gate = path.join(work, 'gate');
    const dir = writeHandPipeline('logged', loggedDiamond(log, gate));
    const failed = await run(dir, { home });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ step: 'b', message: 'gate closed', cell: 5, line: 2 });
    expect(executed(log)).toEqual(['a', 'b', 'c']);

    writeFileSync(gate, '');
    writeFileSync(log, '');
    const resumed = await run(dir, { home, resume: failed.runId });
    expect(resumed.status).toBe('done');
    expect(resumed.run.resumeOf).toBe(failed.runId);
    // `a` has cache:disabled, so only the resume (not the cache) can explain it not running again.
    expect(executed(log)).toEqual(['b', 'd']);
    expect(resumed.steps).toEqual({ a: 'cached', b: 'done', c: 'cached', d: 'done' });
    expect(resumed.stepExecutions.find((s) => s.step === 'a')!.reason).toBe(`resumed from run ${failed.runId}`);
    expect(resumed.metrics).toEqual({ sum: 23 });

    await expect(run(dir, { home, resume: resumed.runId })).rejects.toThrow('already succeeded');
    await expect(run(dir, { home, resume: 'nope' })).rejects.toThrow('no run with id nope');
  });

  it('--only and --from take outside inputs from the newest successful executions', async () => {
    const home = freshDir('sw-home-');
    const work = freshDir('sw-work-');
    const log = path.join(work, 'log');
    const gate = path.join(work, 'gate');
    writeFileSync(gate, '');
    const dir = writeHandPipeline('logged', loggedDiamond(log, gate));

    await expect(run(dir, { home, only: 'd' })).rejects.toThrow(SelectionError);
    await expect(run(dir, { home, only: 'd' })).rejects.toThrow(
      '--only d: step `d` needs `y` from step `b`, but no successful execution of `b`',
    );

    await run(dir, { home });
    writeFileSync(log, '');
    const only = await run(dir, { home, only: 'd' });
    expect(executed(log)).toEqual(['d']);
    expect(only.steps).toEqual({ a: 'skipped', b: 'skipped', c: 'skipped', d: 'done' });
    expect(only.metrics).toEqual({ sum: 23 });

    writeFileSync(log, '');
    const from = await run(dir, { home, from: 'b' });
    expect(executed(log)).toEqual(['b', 'd']);
    expect(from.steps).toEqual({ a: 'skipped', b: 'done', c: 'skipped', d: 'done' });
  });
});
