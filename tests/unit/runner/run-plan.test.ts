/**
 * The run plan alone (run-plan.ts): parameters, selection, inputs from earlier executions and
 * the resumed run, decided before any step starts — against a real Delta run history and a
 * real artifact store in a temporary home.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineSpec, PipelineStep } from '../../../kernel-lib/src/pipeline/spec.js';
import { LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';
import { DeltaRunHistory } from '../../../kernel-lib/src/runner/delta-history.js';
import { ParameterError, RunNotFoundError, SelectionError } from '../../../kernel-lib/src/runner/errors.js';
import type { RunRecord, StepExecutionRecord } from '../../../kernel-lib/src/runner/records.js';
import { planRun } from '../../../kernel-lib/src/runner/run-plan.js';
import { plainSpec, plainStep } from '../../helpers/sample-spec.js';

const step = (name: string, deps: string[], out: string | null): PipelineStep =>
  plainStep(name, {
    deps,
    inputs: deps.map((d) => ({ name: `${d}_out`, from: d, marshal: 'structured-clone' as const })),
    outputs: out ? [{ name: out, marshal: 'structured-clone' as const }] : [],
    parameters: ['rate'],
  });
/** a → b → c */
const spec: PipelineSpec = plainSpec(
  'chain',
  [step('a', [], 'a_out'), step('b', ['a'], 'b_out'), step('c', ['b'], null)],
  {
    parameters: [
      { name: 'rate', type: 'number', default: 0.1, cell: 0 },
      { name: 'label', type: 'string', default: 'x', cell: 0 },
    ],
  },
);

function home() {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-plan-'));
  return { dir, store: new LocalArtifactStore(path.join(dir, 'artifacts')), history: new DeltaRunHistory(dir) };
}

const runRecord = (runId: string, status: RunRecord['status'], params: Record<string, unknown> = {}): RunRecord => ({
  runId,
  pipeline: 'chain',
  pipelineHash: spec.hash,
  pipelineDir: '/p',
  status,
  startedAt: new Date().toISOString(),
  endedAt: new Date().toISOString(),
  durationMs: 1,
  params,
  metrics: {},
  resumeOf: null,
  selection: 'all',
  error: null,
});
const execution = (
  runId: string,
  name: string,
  outputs: Record<string, string>,
  status = 'done',
): StepExecutionRecord => ({
  runId,
  pipeline: 'chain',
  step: name,
  status: status as StepExecutionRecord['status'],
  cacheHit: false,
  attempts: 1,
  startedAt: null,
  endedAt: null,
  durationMs: 1,
  bundleHash: spec.steps.find((s) => s.name === name)!.hash,
  cacheKey: `key-${name}`,
  params: {},
  inputs: {},
  outputs,
  metrics: {},
  error: null,
  reason: null,
});

describe('the run plan', () => {
  it('types parameters over their defaults and checks the concurrency', async () => {
    const { store } = home();
    const plan = await planRun(spec, { params: { rate: '0.5' }, concurrency: 3 }, undefined, store);
    expect(plan.params).toEqual({ rate: 0.5, label: 'x' });
    expect([...plan.selected]).toEqual(['a', 'b', 'c']);
    expect(plan.forced.size).toBe(0);
    expect(plan.selection).toBe('all');
    expect(plan.concurrency).toBe(3);
    await expect(planRun(spec, { params: { rate: 'fast' } }, undefined, store)).rejects.toThrow(ParameterError);
    await expect(planRun(spec, { params: { nope: '1' } }, undefined, store)).rejects.toThrow(
      'unknown parameter `nope`',
    );
    await expect(planRun(spec, { concurrency: 0 }, undefined, store)).rejects.toThrow(
      '--concurrency expects a positive integer',
    );
  });

  it('--from selects the step and its descendants; their outside inputs come from the history', async () => {
    const { store, history, dir } = home();
    await expect(planRun(spec, { from: 'b' }, undefined, store)).rejects.toThrow(SelectionError);
    await expect(planRun(spec, { from: 'b' }, history, store)).rejects.toThrow('no successful execution of `a`');
    const file = path.join(dir, 'a.v8');
    writeFileSync(file, 'a output');
    const { hash } = await store.put(file);
    await history.recordRun(runRecord('r1', 'done'), [execution('r1', 'a', { a_out: hash })]);
    const plan = await planRun(spec, { from: 'b' }, history, store);
    expect([...plan.selected].sort()).toEqual(['b', 'c']);
    expect([...plan.forced].sort()).toEqual(['b', 'c']);
    expect(plan.selection).toBe('from:b');
    expect(plan.notSelectedReason).toBe('not selected (--from b)');
    expect(plan.external.get('a')).toEqual({ a_out: hash });
    await expect(planRun(spec, { from: 'b', only: 'c' }, history, store)).rejects.toThrow('either --from or --only');
    await expect(planRun(spec, { only: 'zz' }, history, store)).rejects.toThrow('--only zz: no such step');
  });

  it('--resume takes the run’s parameters (overridable) and its successful steps', async () => {
    const { store, history } = home();
    await expect(planRun(spec, { resume: 'missing' }, history, store)).rejects.toThrow(RunNotFoundError);
    await history.recordRun(runRecord('failed-run', 'failed', { rate: 0.7, label: 'y' }), [
      execution('failed-run', 'a', { a_out: 'h'.repeat(64) }),
      execution('failed-run', 'b', {}, 'failed'),
    ]);
    const plan = await planRun(spec, { resume: 'failed-run', params: { label: 'z' } }, history, store);
    expect(plan.params).toEqual({ rate: 0.7, label: 'z' });
    expect(plan.prior?.runId).toBe('failed-run');
    expect([...plan.resumed.keys()]).toEqual(['a']);
    await history.recordRun(runRecord('good-run', 'done'), []);
    await expect(planRun(spec, { resume: 'good-run' }, history, store)).rejects.toThrow('already succeeded');
  });
});
