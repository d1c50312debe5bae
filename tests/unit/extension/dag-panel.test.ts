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
});
