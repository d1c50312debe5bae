/**
 * The run record alone (run-record.ts): each step's record and the events that say so, the
 * run's record at the end, and recording it in a real Delta history before `run-finished`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { HistoryWithActiveRuns } from '../../../kernel-lib/src/runner/active-runs.js';
import { DeltaRunHistory } from '../../../kernel-lib/src/runner/delta-history.js';
import { HistoryWriteError } from '../../../kernel-lib/src/runner/errors.js';
import type { RunEvent, StepEvent } from '../../../kernel-lib/src/runner/events.js';
import { homeLayout } from '../../../kernel-lib/src/runner/home.js';
import { RunRecorder } from '../../../kernel-lib/src/runner/run-record.js';
import { plainSpec, plainStep } from '../../helpers/sample-spec.js';

const spec: PipelineSpec = plainSpec('two', [plainStep('a', { parameters: ['k'] }), plainStep('b')], {
  hash: 'e'.repeat(64),
  parameters: [{ name: 'k', type: 'number', default: 1, cell: 0 }],
});
const start = (runId: string) => ({
  runId,
  pipeline: 'two',
  pipelineHash: spec.hash,
  pipelineDir: '/p',
  startedAt: new Date().toISOString(),
  params: { k: 2 },
  resumeOf: null,
  selection: 'all',
});

function recorder(runId = 'r1') {
  const events: RunEvent[] = [];
  const r = new RunRecorder(runId, spec, { k: 2 }, (e) => events.push(e));
  const steps = (name: string) => events.filter((e): e is StepEvent => e.type === 'step' && e.step === name);
  return { r, events, steps };
}

describe('the run record', () => {
  it('records each step with its parameters, and says where an executed one ran', () => {
    const { r, steps } = recorder();
    const a = r.state('a');
    expect(a.record).toMatchObject({ status: 'queued', params: { k: 2 }, bundleHash: 'a'.repeat(64), node: null });
    Object.assign(a.record, { attempts: 1, durationMs: 12, node: 'host-1', outputs: { y: 'h' }, cacheKey: 'key' });
    r.finishStep(a, 'done');
    expect(steps('a').at(-1)).toMatchObject({
      status: 'done',
      attempt: 1,
      durationMs: 12,
      node: 'host-1',
      cacheKey: 'key',
    });
    const b = r.state('b');
    Object.assign(b.record, { durationMs: 0, cacheHit: true });
    r.finishStep(b, 'cached', { reason: 'cached from run r0' });
    const cached = steps('b').at(-1)!;
    expect(cached).toMatchObject({ status: 'cached', reason: 'cached from run r0' });
    expect(cached.durationMs).toBeUndefined();
    expect(cached.node).toBeUndefined();
    expect(r.statuses()).toEqual({ a: 'done', b: 'cached' });
  });

  it('a run is failed by its first failed step, cancelled when cancelled', () => {
    const { r } = recorder();
    r.finishStep(r.state('a'), 'failed', { error: { type: 'Error', message: 'boom' } });
    r.finishStep(r.state('b'), 'skipped', { reason: 'upstream step `a` failed' });
    expect(r.runRecord(start('r1'), false)).toMatchObject({
      status: 'failed',
      error: { type: 'Error', message: 'boom', step: 'a' },
    });
    expect(r.runRecord(start('r1'), true)).toMatchObject({ status: 'cancelled', error: { type: 'Cancelled' } });
  });

  it('is in the history before run-finished is emitted, which names the engine', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'sw-record-'));
    const history = new HistoryWithActiveRuns(new DeltaRunHistory(home), homeLayout(home));
    const seen = new DeltaRunHistory(home);
    const events: RunEvent[] = [];
    let readAtFinish: Promise<unknown> | undefined;
    const r = new RunRecorder('r2', spec, { k: 2 }, (e) => {
      events.push(e);
      // Whoever hears run-finished finds the run in the history.
      if (e.type === 'run-finished') readAtFinish = seen.getRun('r2').then((x) => x?.status);
    });
    r.finishStep(r.state('a'), 'done');
    r.finishStep(r.state('b'), 'done');
    await r.finish(r.runRecord(start('r2'), false), history, { name: 'local', setupMs: 0.5 });
    expect(await readAtFinish).toBe('done');
    expect(events.at(-1)).toMatchObject({
      type: 'run-finished',
      status: 'done',
      engine: { name: 'local', setupMs: 0.5 },
    });
    expect((await seen.stepExecutions('r2')).map((s) => [s.step, s.status])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
    ]);
  });

  it('a history that cannot be written still gets run-finished out, then a HistoryWriteError', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-record-'));
    const home = path.join(dir, 'not-a-folder');
    writeFileSync(home, 'a file where the home should be');
    const history = new HistoryWithActiveRuns(new DeltaRunHistory(home), homeLayout(home));
    const { r, events } = recorder('r3');
    r.finishStep(r.state('a'), 'done');
    r.finishStep(r.state('b'), 'done');
    await expect(r.finish(r.runRecord(start('r3'), false), history)).rejects.toThrow(HistoryWriteError);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done' });
  });
});
