/**
 * Event-stream handling on a real run: the fixture notebook compiled and run by the
 * kernel library (as the kernel snippet does), each event wrapped as the IOPub
 * display_data message tslab sends for `display.raw(RUN_EVENT_MIME, json)`, read back by
 * the extension and folded into the run state the DAG renders.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KernelMessage } from '@jupyterlab/services';
import { afterAll, describe, expect, it } from 'vitest';
import { RunState } from '../../../extension/src/model/run-state.js';
import { RESULT_MIME, RUN_EVENT_MIME, readIOPub } from '../../../extension/src/run/events.js';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/index.js';
import { runPipeline } from '../../../kernel-lib/src/runner/index.js';
import { repoRoot } from '../../helpers/paths.js';

mkdirSync(path.join(repoRoot, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(repoRoot, '.tmp', 'sw-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message tslab's `display.raw(mime, text)` produces (only the fields we read matter). */
function displayMessage(mime: string, text: string): KernelMessage.IIOPubMessage {
  return {
    header: { msg_type: 'display_data', msg_id: 'm', session: 's', username: '', date: '', version: '5.3' },
    parent_header: {},
    metadata: {},
    channel: 'iopub',
    content: { data: { [mime]: text }, metadata: {}, transient: {} },
  } as unknown as KernelMessage.IIOPubMessage;
}

/** A run of steps `a` and `b` that has just started. */
function startedRun() {
  const state = new RunState('Run');
  const t = new Date().toISOString();
  state.apply({
    type: 'run-started',
    runId: 'r',
    time: t,
    pipeline: 'p',
    pipelineHash: 'h',
    pipelineDir: '/x',
    params: {},
    steps: ['a', 'b'],
    concurrency: 1,
  });
  return { state, t };
}

describe('run event stream', () => {
  it('folds a real run’s events into node states, durations and metrics', async () => {
    const notebook = path.join(dir, 'squares.ipynb');
    // The fixture with its summary cell tagged the way the browser test tags it.
    const nb = JSON.parse(readFileSync(path.join(repoRoot, 'tests', 'e2e', 'fixtures', 'squares.ipynb'), 'utf8'));
    nb.cells.find((c: { id: string }) => c.id === 'summary').metadata.tags = [
      'step:summarize',
      'prev:square',
      'prev:cube',
    ];
    writeFileSync(notebook, JSON.stringify(nb));
    const compiled = await compileNotebook(notebook);
    const state = new RunState('Run');
    const snapshots: Record<string, string>[] = [];
    const handle = runPipeline(compiled.outDir, { home: path.join(dir, '.stillwater'), params: { N: '4' } });
    for await (const event of handle) {
      const out = readIOPub(displayMessage(RUN_EVENT_MIME, JSON.stringify(event)));
      expect(out?.kind).toBe('event');
      if (out?.kind === 'event') state.apply(out.event);
      snapshots.push(Object.fromEntries([...state.nodes].map(([k, v]) => [k, v.status])));
    }
    const result = await handle.result;

    expect(state.runId).toBe(result.runId);
    expect(result.status).toBe('done');
    expect(state.status).toBe('done');
    expect(state.finished).toBe(true);
    expect(state.params).toMatchObject({ N: 4 });
    // Every step was queued first, ran, and ended as the runner says.
    for (const step of ['load', 'square', 'cube', 'summarize']) {
      const seen = snapshots.map((s) => s[step]).filter((s, i, all) => s !== all[i - 1]);
      expect(seen[0], step).toBe('queued');
      expect(seen, step).toContain('running');
      expect(state.nodes.get(step)!.status, step).toBe('done');
      expect(state.nodes.get(step)!.durationMs, step).toBeGreaterThan(0);
    }
    // N = 4: Σv² = 30, Σv³ = 100.
    expect(state.metrics).toEqual(result.metrics);
    expect(state.metrics).toEqual({ total: 130, mean_square: 7.5 });
    expect(state.durationMs).toBe(result.durationMs);
  }, 120_000);

  it('ignores other MIME types and events of another run; reads snippet results', () => {
    const state = new RunState('Run');
    const started = {
      type: 'run-started',
      runId: 'r1',
      time: new Date().toISOString(),
      pipeline: 'p',
      pipelineHash: 'h',
      pipelineDir: '/x',
      params: {},
      steps: ['a'],
      concurrency: 1,
    };
    const first = readIOPub(displayMessage(RUN_EVENT_MIME, JSON.stringify(started)));
    if (first?.kind === 'event') state.apply(first.event);
    const stale = { type: 'step', runId: 'r0', time: started.time, step: 'a', status: 'failed' };
    const out = readIOPub(displayMessage(RUN_EVENT_MIME, JSON.stringify(stale)));
    if (out?.kind === 'event') state.apply(out.event);
    expect(state.nodes.get('a')!.status).toBe('queued');
    expect(readIOPub(displayMessage('text/plain', 'hello'))).toBeNull();
    expect(readIOPub(displayMessage(RUN_EVENT_MIME, '{"not":"an event"}'))).toBeNull();
    expect(readIOPub(displayMessage(RESULT_MIME, '{"kind":"compile","ok":true}'))).toEqual({
      kind: 'result',
      value: { kind: 'compile', ok: true },
    });
  });

  it('a failed step carries its notebook cell and line; a lost run ends failed client-side', () => {
    const { state, t } = startedRun();
    state.apply({ type: 'step', runId: 'r', time: t, step: 'a', status: 'running' });
    state.apply({
      type: 'step',
      runId: 'r',
      time: t,
      step: 'a',
      status: 'failed',
      durationMs: 12,
      error: { type: 'TypeError', message: 'x is undefined', cell: 3, line: 2 },
    });
    expect(state.nodes.get('a')).toMatchObject({ status: 'failed', durationMs: 12, error: { cell: 3, line: 2 } });
    state.abort('failed', { type: 'Error', message: 'kernel died' });
    expect(state.status).toBe('failed');
    expect(state.nodes.get('b')!.status).toBe('failed');
    expect(state.error?.message).toBe('kernel died');
  });

  it('a run cancelled client-side ends the step under way cancelled and skips the queued ones', () => {
    const { state, t } = startedRun();
    state.apply({ type: 'step', runId: 'r', time: t, step: 'a', status: 'running' });
    state.abort('cancelled', null);
    expect(state.status).toBe('cancelled');
    expect(state.nodes.get('a')!.status).toBe('cancelled');
    expect(state.nodes.get('b')!.status).toBe('skipped');
  });
});

describe('parameter values from the panel', () => {
  it('unquotes string literals and passes other text to the runner as typed', async () => {
    const { paramText } = await import('../../../extension/src/run/params.js');
    expect(paramText("'FD002'")).toBe('FD002');
    expect(paramText('"FD003"')).toBe('FD003');
    expect(paramText('`FD004`')).toBe('FD004');
    expect(paramText(" 'it\\'s' ")).toBe("it's");
    expect(paramText('42')).toBe('42');
    expect(paramText('true')).toBe('true');
    expect(paramText('{"eta": 0.3}')).toBe('{"eta": 0.3}');
  });
});
