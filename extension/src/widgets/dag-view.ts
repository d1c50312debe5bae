/**
 * Renders a pipeline model's DAG as SVG: boxes coloured by kind, and during a run by
 * state (queued, running, cached, done, failed, cancelled, skipped) with durations.
 */
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { type ISignal, Signal } from '@lumino/signaling';
import { layoutDag } from '../model/layout.js';
import type { PipelineModel } from '../model/pipeline-model.js';

const SVG = 'http://www.w3.org/2000/svg';

export class DagView extends Widget {
  private _model: PipelineModel | null = null;
  private readonly _stepClicked = new Signal<this, string>(this);
  /** Re-renders every second while a step runs, so its elapsed time counts up. */
  private _ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly _trans: TranslationBundle = nullTranslator.load('stillwater')) {
    super();
    this.addClass('sw-DagView');
    this.render();
  }

  /** A node was clicked (its step name): the panel jumps to the step's cell. */
  get stepClicked(): ISignal<this, string> {
    return this._stepClicked;
  }

  get model(): PipelineModel | null {
    return this._model;
  }
  set model(model: PipelineModel | null) {
    if (model === this._model) return;
    this._model?.changed.disconnect(this.render, this);
    this._model = model;
    model?.changed.connect(this.render, this);
    this.render();
  }

  render(): void {
    const node = this.node;
    node.textContent = '';
    const model = this._model;
    if (!model || model.analysis.steps.length === 0) {
      this._tick(false);
      const empty = document.createElement('div');
      empty.className = 'sw-muted sw-dag-empty';
      empty.textContent = model
        ? this._trans.__('No steps yet: tag a cell step:NAME.')
        : this._trans.__('Open a Stillwater notebook.');
      node.append(empty);
      return;
    }
    const { steps } = model.analysis;
    const run = model.run;
    const layout = layoutDag(steps);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'sw-dag');
    svg.setAttribute('width', String(Math.ceil(layout.width)));
    svg.setAttribute('height', String(Math.ceil(layout.height)));
    svg.setAttribute('viewBox', `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`);

    const defs = document.createElementNS(SVG, 'defs');
    defs.innerHTML =
      '<marker id="sw-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="sw-arrow-head"/></marker>';
    svg.append(defs);

    for (const e of layout.edges) {
      const path = document.createElementNS(SVG, 'path');
      path.setAttribute('class', 'sw-edge');
      path.setAttribute(
        'd',
        e.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' '),
      );
      path.setAttribute('marker-end', 'url(#sw-arrow)');
      path.dataset.from = e.from;
      path.dataset.to = e.to;
      svg.append(path);
    }

    const byName = new Map(steps.map((s) => [s.name, s]));
    for (const n of layout.nodes) {
      const step = byName.get(n.name)!;
      const state = run?.nodes.get(n.name);
      const g = document.createElementNS(SVG, 'g');
      const status = state?.status ?? 'idle';
      g.setAttribute('class', `sw-node sw-kind-${step.kind} sw-state-${status}`);
      g.dataset.step = n.name;
      g.dataset.status = status;
      g.setAttribute('transform', `translate(${(n.x - n.width / 2).toFixed(1)} ${(n.y - n.height / 2).toFixed(1)})`);
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('width', String(n.width));
      rect.setAttribute('height', String(n.height));
      rect.setAttribute('rx', '6');
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${n.name} (${step.kind})${state ? ` — ${status}` : ''}${state?.error ? `\n${state.error.message}` : ''}`;
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('class', 'sw-node-label');
      label.setAttribute('x', String(n.width / 2));
      label.setAttribute('y', state ? '16' : String(n.height / 2 + 4));
      label.textContent = n.name;
      g.append(title, rect, label);
      if (state) {
        const sub = document.createElementNS(SVG, 'text');
        sub.setAttribute('class', 'sw-node-status');
        sub.setAttribute('x', String(n.width / 2));
        sub.setAttribute('y', '31');
        const elapsed =
          state.durationMs ??
          (status === 'running' && state.startedAt !== undefined
            ? Math.max(0, Date.now() - state.startedAt)
            : undefined);
        sub.textContent = elapsed !== undefined ? `${status} · ${formatDuration(elapsed)}` : status;
        g.append(sub);
      }
      g.addEventListener('click', () => this._stepClicked.emit(n.name));
      svg.append(g);
    }
    node.append(svg);
    this._tick(!!run && !run.finished && [...run.nodes.values()].some((n) => n.status === 'running'));
  }

  private _tick(on: boolean): void {
    if (on && !this._ticker) this._ticker = setInterval(() => this.render(), 1000);
    if (!on && this._ticker) {
      clearInterval(this._ticker);
      this._ticker = null;
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._tick(false);
    this.model = null;
    Signal.clearData(this);
    super.dispose();
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
