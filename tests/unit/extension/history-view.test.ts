// @vitest-environment jsdom
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './setup.js';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { HistoryOutcome, RunFilter, RunRecord, StepExecutionRecord } from '@stillwater/kernel/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryView, type HistoryViewState } from '../../../extension/src/widgets/history-view.js';
import { compareTable } from '../../../extension/src/widgets/run-compare.js';
import { lineageItems, lineageTable } from '../../../extension/src/widgets/run-lineage.js';
import { numericMetrics, trendPoints } from '../../../extension/src/widgets/trend-chart.js';

const trans = nullTranslator.load('stillwater');

function run(runId: string, minute: number, params: Record<string, unknown>, metrics: RunRecord['metrics']): RunRecord {
  return {
    runId,
    pipeline: 'squares',
    pipelineHash: 'h',
    pipelineDir: '/x/squares.pipeline',
    status: 'done',
    startedAt: `2026-12-04T18:${String(minute).padStart(2, '0')}:00.000Z`,
    endedAt: `2026-12-04T18:${String(minute).padStart(2, '0')}:02.000Z`,
    durationMs: 2000,
    params,
    metrics,
    resumeOf: null,
    selection: 'all',
    error: null,
  };
}

// Newest first, as the history lists them.
const RUNS = [
  run('r3', 3, { N: 6, OFFSET: 1 }, { total: 532, note: 'x' }),
  run('r2', 2, { N: 4, OFFSET: 1 }, { total: 130, note: 'x' }),
  run('r1', 1, { N: 6, OFFSET: 1 }, { total: 532, note: 'x' }),
];

describe('compare table', () => {
  it('has a column per run, oldest first, and marks values that differ from the first run', () => {
    const table = compareTable([RUNS[0]!, RUNS[1]!, RUNS[2]!], trans);
    const runs = [...table.querySelectorAll<HTMLElement>('th.sw-compare-run')].map((th) => th.dataset.runId);
    expect(runs).toEqual(['r1', 'r2', 'r3']);
    expect(table.querySelectorAll('col')).toHaveLength(4);
    const changed = (row: string) =>
      [...table.querySelectorAll<HTMLElement>(`tr[data-row="${row}"] td.sw-changed`)].map((td) => td.dataset.runId);
    expect(changed('param:N')).toEqual(['r2']);
    expect(changed('metric:total')).toEqual(['r2']);
    expect(changed('param:OFFSET')).toEqual([]);
    expect(table.querySelector('tr[data-row="param:N"]')!.classList.contains('sw-diff')).toBe(true);
    expect(table.querySelector('tr[data-row="metric:note"]')!.classList.contains('sw-diff')).toBe(false);
  });

  it('shows a value one run lacks as a change', () => {
    const extra = run('r4', 4, { N: 6, OFFSET: 1, SEED: 7 }, { total: 532 });
    const table = compareTable([RUNS[2]!, extra], trans);
    const cells = [...table.querySelectorAll('tr[data-row="param:SEED"] td')].map((td) => td.textContent);
    expect(cells).toEqual(['—', '7']);
    expect(table.querySelector('tr[data-row="param:SEED"] td.sw-changed')).not.toBeNull();
  });
});

describe('trend', () => {
  it('takes the numeric metrics, oldest run first', () => {
    expect(numericMetrics(RUNS)).toEqual(['total']);
    expect(trendPoints(RUNS, 'total').map((p) => [p.run.runId, p.value])).toEqual([
      ['r1', 532],
      ['r2', 130],
      ['r3', 532],
    ]);
  });
});

describe('history view', () => {
  let view: HistoryView | null = null;
  afterEach(() => view?.dispose());

  /** A view over RUNS whose loader records what it was asked (the kernel filters for real). */
  function open(reruns: string[] = [], initialState?: Partial<HistoryViewState>) {
    const asked: { filter: RunFilter; runIds: string[] }[] = [];
    view = new HistoryView({
      notebookPath: 'squares.ipynb',
      trans,
      ...(initialState ? { initialState } : {}),
      load: async (filter, runIds): Promise<HistoryOutcome> => {
        asked.push({ filter, runIds });
        return { kind: 'history', home: '/x/.stillwater', runs: RUNS, steps: {} };
      },
      onRerun: (r) => reruns.push(r.runId),
    });
    Widget.attach(view, document.body);
    return { view, asked };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  /** Chooses a status and types a parameter filter in the view's bar, as a user would; the parameter field. */
  function setFilter(view: HistoryView, status: string, params: string): HTMLInputElement {
    const select = view.node.querySelector<HTMLSelectElement>('select.sw-filter-status')!;
    select.value = status;
    select.dispatchEvent(new Event('change'));
    const input = view.node.querySelector<HTMLInputElement>('input.sw-filter-params')!;
    input.value = params;
    input.dispatchEvent(new Event('change'));
    return input;
  }

  it('sends the status and NAME=VALUE filters, and says which parameter filter it cannot read', async () => {
    const { view, asked } = open();
    await settle();
    expect(asked[0]!.filter).toEqual({});
    const params = setFilter(view, 'failed', 'N=4, OFFSET=1');
    await settle();
    expect(asked.at(-1)!.filter).toEqual({ status: ['failed'], params: { N: '4', OFFSET: '1' } });
    const before = asked.length;
    params.value = 'N';
    params.dispatchEvent(new Event('change'));
    await settle();
    expect(asked).toHaveLength(before);
    expect(view.node.querySelector('.sw-filter-error')!.textContent).toBe('parameter filter "N" is not NAME=VALUE');
  });

  it('compares ticked runs, draws the trend, re-runs a run, and asks for a run’s steps', async () => {
    const reruns: string[] = [];
    const { view, asked } = open(reruns);
    await settle();
    expect(view.node.querySelector('.sw-compare-table')).toBeNull();
    expect(view.node.querySelector('.sw-compare-hint')).not.toBeNull();
    for (const id of ['r1', 'r2']) {
      const box = view.node.querySelector<HTMLInputElement>(`tr.sw-run[data-run-id="${id}"] input[type=checkbox]`)!;
      box.checked = true;
      box.dispatchEvent(new Event('change'));
    }
    expect(view.node.querySelectorAll('.sw-compare-table th.sw-compare-run')).toHaveLength(2);
    const dots = [...view.node.querySelectorAll<SVGCircleElement>('.sw-trend-chart circle.sw-chart-point')];
    expect(dots.map((d) => d.dataset.runId)).toEqual(['r1', 'r2', 'r3']);
    expect(dots.map((d) => d.classList.contains('sw-picked'))).toEqual([true, true, false]);
    // The third point from the keyboard ticks r3 as well.
    dots[2]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(view.node.querySelectorAll('.sw-compare-table th.sw-compare-run')).toHaveLength(3);
    view.node.querySelector<HTMLButtonElement>('tr.sw-run[data-run-id="r1"] button.sw-rerun')!.click();
    expect(reruns).toEqual(['r1']);
    view.node.querySelector<HTMLAnchorElement>('tr.sw-run[data-run-id="r2"] a.sw-run-id')!.click();
    await settle();
    expect(asked.at(-1)!.runIds).toEqual(['r2']);
    expect(view.node.querySelector<HTMLElement>('.sw-run-details')!.dataset.runId).toBe('r2');
  });

  it('says when its state changes, and a new view opened with that state starts where it was left', async () => {
    const { view: first } = open();
    await settle();
    const states: HistoryViewState[] = [];
    first.stateChanged.connect((_, s) => states.push(s));
    setFilter(first, 'done', 'OFFSET=1');
    for (const id of ['r1', 'r3']) {
      const box = first.node.querySelector<HTMLInputElement>(`tr.sw-run[data-run-id="${id}"] input[type=checkbox]`)!;
      box.checked = true;
      box.dispatchEvent(new Event('change'));
    }
    first.node.querySelector<HTMLAnchorElement>('tr.sw-run[data-run-id="r2"] a.sw-run-id')!.click();
    await settle();
    const saved = { status: 'done', params: 'OFFSET=1', selected: ['r1', 'r3'], details: 'r2', metric: null };
    expect(states).toHaveLength(5);
    expect(states.at(-1)).toEqual(saved);
    expect(first.state).toEqual(saved);
    first.dispose();

    // Reopened (or restored after a reload) with what was saved: same filter, ticks and details.
    const { view: again, asked } = open([], JSON.parse(JSON.stringify(saved)));
    await settle();
    expect(asked[0]).toEqual({ filter: { status: ['done'], params: { OFFSET: '1' } }, runIds: ['r2'] });
    expect(again.node.querySelector<HTMLSelectElement>('select.sw-filter-status')!.value).toBe('done');
    expect(again.node.querySelector<HTMLInputElement>('input.sw-filter-params')!.value).toBe('OFFSET=1');
    const ticked = [...again.node.querySelectorAll<HTMLInputElement>('tr.sw-run input[type=checkbox]')]
      .filter((b) => b.checked)
      .map((b) => b.closest<HTMLElement>('tr')!.dataset.runId);
    expect(ticked).toEqual(['r3', 'r1']);
    expect(again.node.querySelectorAll('.sw-compare-table th.sw-compare-run')).toHaveLength(2);
    expect(again.node.querySelector<HTMLElement>('.sw-run-details')!.dataset.runId).toBe('r2');
  });

  it('ignores a saved state it cannot use (an older or damaged save) instead of failing to open', async () => {
    const damaged = { status: 'exploded', params: 7, selected: 'r1', details: ['r2'] } as unknown as HistoryViewState;
    const { view, asked } = open([], damaged);
    await settle();
    expect(asked[0]).toEqual({ filter: {}, runIds: [] });
    expect(view.state).toEqual({ status: '', params: '', selected: [], details: null, metric: null });
    expect(view.node.querySelectorAll('tr.sw-run')).toHaveLength(3);
  });
});

describe('lineage', () => {
  const step: StepExecutionRecord = {
    runId: 'r1',
    pipeline: 'p',
    step: 'prepare',
    status: 'done',
    cacheHit: false,
    attempts: 1,
    startedAt: null,
    endedAt: null,
    durationMs: 10,
    bundleHash: 'b',
    cacheKey: null,
    params: {},
    inputs: { bronzeTrain: 'a'.repeat(64) },
    outputs: { features: 'b'.repeat(64) },
    metrics: {},
    error: null,
    reason: null,
    lineage: {
      tablesRead: [{ table: '/h/lake/bronze/train', version: 0 }],
      tablesWritten: [{ table: '/h/lake/silver/train', version: 3 }],
      runArtifacts: [{ path: 'report.json', sha256: 'c'.repeat(64) }],
    },
  };

  it('lists tables read, artifacts consumed, tables written, artifacts produced and left, in that order', () => {
    expect(lineageItems(step).map((i) => `${i.how} ${i.what} ${i.version.slice(0, 4)}`)).toEqual([
      'read bronze/train v0',
      'consumed bronzeTrain aaaa',
      'wrote silver/train v3',
      'produced features bbbb',
      'left report.json cccc',
    ]);
  });

  it('asks about a table version and shows who wrote it from what', async () => {
    const asked: [string, number][] = [];
    const box = lineageTable([step], trans, async (table, version) => {
      asked.push([table, version]);
      return {
        kind: 'lineage',
        ok: true,
        lineage: {
          table,
          version,
          operation: 'WRITE',
          committedAt: '2026-12-04T18:00:00Z',
          writtenBy: { runId: 'r1', step: 'prepare', notebook: null },
          run: null,
          stepExecution: null,
          inputs: {
            tables: [{ table: '/h/lake/bronze/train', version: 0 }],
            artifacts: [{ name: 'bronzeTrain', sha256: 'a'.repeat(64), fromStep: 'ingest' }],
            files: [],
            params: { WINDOW: 20 },
          },
        },
      };
    })!;
    document.body.append(box);
    box.querySelector<HTMLAnchorElement>('tr[data-how="wrote"] a.sw-lineage-ask')!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual([['/h/lake/silver/train', 3]]);
    const writer = box.querySelector<HTMLElement>('.sw-lineage-answer .sw-lineage-writer')!;
    expect(writer.textContent).toBe('silver/train v3 (WRITE) was written by run r1, step prepare');
    expect([...box.querySelectorAll('.sw-lineage-inputs li')].map((li) => li.textContent)).toEqual([
      'read bronze/train v0',
      'consumed bronzeTrain aaaaaaaaaaaa from step ingest',
      'parameters WINDOW=20',
    ]);
    box.remove();
  });
});
