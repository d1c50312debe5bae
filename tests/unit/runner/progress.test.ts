import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { JsonProgress, PlainProgress, TtyProgress } from '../../../kernel-lib/src/runner/progress.js';

const t = '2026-11-26T06:00:00.000Z';
const runId = 'r1';
const events: RunEvent[] = [
  {
    type: 'run-started',
    runId,
    time: t,
    pipeline: 'p',
    pipelineHash: 'h',
    pipelineDir: '/p',
    params: {},
    steps: ['load', 'train'],
    concurrency: 2,
  },
  { type: 'step', runId, time: t, step: 'load', status: 'queued' },
  { type: 'step', runId, time: t, step: 'load', status: 'running', attempt: 1 },
  { type: 'log', runId, time: t, step: 'load', stream: 'stdout', text: 'read 10 ro' },
  { type: 'log', runId, time: t, step: 'load', stream: 'stdout', text: 'ws\n' },
  { type: 'step', runId, time: t, step: 'load', status: 'done', durationMs: 1234 },
  {
    type: 'step',
    runId,
    time: t,
    step: 'train',
    status: 'failed',
    durationMs: 50,
    error: { type: 'TypeError', message: 'x is not a function', cell: 7, line: 3 },
  },
  {
    type: 'run-finished',
    runId,
    time: t,
    status: 'failed',
    durationMs: 1300,
    steps: { load: 'done', train: 'failed' },
    metrics: { rmse: 1.5 },
    error: { step: 'train', type: 'TypeError', message: 'x is not a function', cell: 7, line: 3 },
  },
];

function capture() {
  const chunks: string[] = [];
  return { out: { write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
}

describe('progress renderers', () => {
  it('JSON: one event per line, unchanged', () => {
    const c = capture();
    const r = new JsonProgress(c.out);
    for (const e of events) r.onEvent(e);
    expect(
      c
        .text()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(events);
  });

  it('plain: a line per status change, whole log lines, error with cell and line', () => {
    const c = capture();
    const r = new PlainProgress(c.out);
    for (const e of events) r.onEvent(e);
    expect(c.text()).toBe(
      [
        'run r1: pipeline p, 2 steps, concurrency 2',
        'load running',
        '  load │ read 10 rows',
        'load done in 1.23s',
        'train failed in 0.05s: TypeError: x is not a function (cell 7, line 3)',
        'run r1 failed in 1.30s; metrics: rmse=1.5',
        '  step train: TypeError: x is not a function (cell 7, line 3)',
        '',
      ].join('\n'),
    );
  });

  it('TTY: redraws a status block in place and ends with the summary', () => {
    const c = capture();
    const r = new TtyProgress(c.out);
    for (const e of events) r.onEvent(e);
    r.close();
    const text = c.text();
    expect(text).toContain('\x1b[3F\x1b[0J');
    expect(text).toContain(' ✔ load  done 1.23s');
    expect(text).toContain(' ✖ train failed 0.05s  TypeError: x is not a function (cell 7, line 3)');
    expect(text.trimEnd().endsWith('  step train: TypeError: x is not a function (cell 7, line 3)')).toBe(true);
  });

  it('TTY: cuts lines to the terminal width so redraws stay aligned', () => {
    const c = capture();
    const r = new TtyProgress({ ...c.out, columns: 40 });
    for (const e of events) r.onEvent(e);
    r.close();
    const block = c.text().split('\x1b[3F\x1b[0J').at(-1)!;
    const failedLine = block.split('\n').find((l) => l.includes('train failed'))!;
    expect(failedLine.length).toBe(39);
    expect(failedLine.endsWith('…')).toBe(true);
  });
});
