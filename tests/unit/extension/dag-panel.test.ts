// @vitest-environment jsdom
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './setup.js';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StillwaterSettings } from '../../../extension/src/model/settings.js';
import type { IStillwaterPipelines } from '../../../extension/src/tokens.js';
import { type JumpTarget, PipelinePanel } from '../../../extension/src/widgets/pipeline-panel.js';
import { type Harness, openFixture } from './fixture.js';

let h: Harness;
let panel: PipelinePanel;
let jumps: JumpTarget[];

/** The registry as the panel sees it, serving the harness's one notebook. */
function registryFor(harness: Harness): IStillwaterPipelines {
  const fakePanel = { context: { localPath: 'squares.ipynb' }, isDisposed: false } as unknown as NotebookPanel;
  const holder = {};
  return {
    settings: new StillwaterSettings(),
    modelFor: () => harness.model,
    current: fakePanel,
    currentChanged: new Signal(holder),
    modelAdded: new Signal(holder),
  } as unknown as IStillwaterPipelines;
}

beforeEach(() => {
  h = openFixture();
  jumps = [];
  panel = new PipelinePanel(registryFor(h), (_, target) => jumps.push(target));
  Widget.attach(panel, document.body);
});
afterEach(() => {
  panel.dispose();
  h.dispose();
});

const nodes = () =>
  [...panel.node.querySelectorAll<SVGGElement>('.sw-dag .sw-node')].map((n) => ({
    step: n.dataset.step,
    status: n.dataset.status,
    kind: [...n.classList].find((c) => c.startsWith('sw-kind-')),
  }));

describe('pipeline panel', () => {
  it('draws the DAG from the tags, laid out top to bottom, coloured by kind', () => {
    expect(nodes()).toEqual([
      { step: 'load', status: 'idle', kind: 'sw-kind-ingest' },
      { step: 'square', status: 'idle', kind: 'sw-kind-prepare' },
      { step: 'cube', status: 'idle', kind: 'sw-kind-prepare' },
    ]);
    const edges = [...panel.node.querySelectorAll<SVGPathElement>('.sw-dag path.sw-edge')].map(
      (e) => `${e.dataset.from}->${e.dataset.to}`,
    );
    expect(edges.sort()).toEqual(['load->cube', 'load->square']);
    const y = (step: string) =>
      Number(
        /translate\([\d.]+ ([\d.]+)\)/.exec(
          panel.node.querySelector(`.sw-node[data-step="${step}"]`)!.getAttribute('transform')!,
        )![1],
      );
    expect(y('square')).toBeGreaterThan(y('load'));
    expect(y('cube')).toBe(y('square'));
  });

  it('updates when tags change, and lists problems that jump to their cell', () => {
    h.model.setRole('summary', { role: 'step', name: 'summarize', kind: 'evaluate', prev: ['square', 'cube'] });
    expect(nodes().map((n) => n.step)).toEqual(['load', 'square', 'cube', 'summarize']);
    expect(panel.node.querySelectorAll('.sw-dag path.sw-edge[data-to="summarize"]')).toHaveLength(2);

    h.nbModel.cells.get(4).setMetadata('tags', ['step:square', 'prev:nowhere']);
    const problem = [...panel.node.querySelectorAll<HTMLElement>('.sw-diagnostics .sw-diagnostic')].find(
      (li) => li.dataset.code === 'undefined-prev',
    )!;
    expect(problem.textContent).toContain('cell 4');
    problem.click();
    expect(jumps).toEqual([{ cellIndex: 4 }]);
  });

  it('lists pipeline parameters with their defaults, editable for the next run', () => {
    const inputs = [...panel.node.querySelectorAll<HTMLInputElement>('.sw-params input')];
    expect(inputs.map((i) => [i.dataset.param, i.placeholder])).toEqual([
      ['N', '6'],
      ['OFFSET', '1'],
    ]);
    inputs[0]!.value = '10';
    inputs[0]!.dispatchEvent(new Event('change'));
    expect(Object.fromEntries(h.model.paramOverrides)).toEqual({ N: '10' });
    inputs[0]!.value = '';
    inputs[0]!.dispatchEvent(new Event('change'));
    expect(h.model.paramOverrides.size).toBe(0);
  });

  it('clicking a node jumps to its step cell', () => {
    panel.node.querySelector<SVGGElement>('.sw-node[data-step="cube"]')!.dispatchEvent(new MouseEvent('click'));
    expect(jumps).toEqual([{ cellIndex: 5 }]);
  });

  it('shows a run live: node states with durations, then metrics; a failed step links to its cell', () => {
    const t = new Date().toISOString();
    const base = { runId: 'r1', time: t };
    h.model.startRun('Run');
    h.model.applyEvent({
      ...base,
      type: 'run-started',
      pipeline: 'squares',
      pipelineHash: 'h',
      pipelineDir: '/x',
      params: { N: 6 },
      steps: ['load', 'square', 'cube'],
      concurrency: 2,
    });
    expect(nodes().map((n) => n.status)).toEqual(['queued', 'queued', 'queued']);
    h.model.applyEvent({ ...base, type: 'step', step: 'load', status: 'running' });
    expect(panel.node.querySelector('.sw-node[data-step="load"]')!.classList).toContain('sw-state-running');
    h.model.applyEvent({ ...base, type: 'step', step: 'load', status: 'done', durationMs: 1530 });
    h.model.applyEvent({ ...base, type: 'step', step: 'square', status: 'cached', durationMs: 3 });
    expect(panel.node.querySelector('.sw-node[data-step="load"] .sw-node-status')!.textContent).toBe('done · 1.5 s');
    expect(panel.node.querySelector('.sw-run-status')!.textContent).toContain('2/3 steps');
    h.model.applyEvent({
      ...base,
      type: 'step',
      step: 'cube',
      status: 'failed',
      durationMs: 20,
      error: { type: 'RangeError', message: 'too big', cell: 5, line: 1 },
    });
    h.model.applyEvent({
      ...base,
      type: 'run-finished',
      status: 'failed',
      durationMs: 1600,
      steps: { load: 'done', square: 'cached', cube: 'failed' },
      metrics: { total: 532 },
    });
    expect(nodes().map((n) => n.status)).toEqual(['done', 'cached', 'failed']);
    expect(panel.node.querySelector('.sw-run-status')!.getAttribute('data-status')).toBe('failed');
    expect(panel.node.querySelector('.sw-metrics tr[data-metric="total"] td')!.textContent).toBe('532');
    const link = panel.node.querySelector<HTMLElement>('.sw-step-error[data-step="cube"] .sw-jump')!;
    expect(link.textContent).toContain('cell 5, line 1');
    link.click();
    expect(jumps).toEqual([{ cellIndex: 5, line: 1 }]);
  });
});
