/**
 * The right-sidebar pipeline panel for the current Stillwater notebook: the DAG (live
 * during a run), validation problems that jump to their cell, the pipeline parameters
 * (editable for the next run) and the run's status, errors and metrics.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type { PipelineChange, PipelineModel } from '../model/pipeline-model.js';
import type { IStillwaterPipelines } from '../tokens.js';
import { DagView, formatDuration } from './dag-view.js';
import { el } from './dom.js';

/** Where a click should take the user: a cell (by index) and optionally a line in it. */
export interface JumpTarget {
  cellIndex: number;
  line?: number;
}

export class PipelinePanel extends Panel {
  readonly dag: DagView;
  private readonly _header = new Widget();
  private readonly _details = new Widget();
  private _panel: NotebookPanel | null = null;
  private _model: PipelineModel | null = null;

  constructor(
    private readonly _pipelines: IStillwaterPipelines,
    private readonly _jump: (panel: NotebookPanel, target: JumpTarget) => void,
    private readonly _trans: TranslationBundle = nullTranslator.load('stillwater'),
  ) {
    super();
    this.dag = new DagView(_trans);
    this.id = 'stillwater-pipeline-panel';
    this.addClass('sw-PipelinePanel');
    this._header.addClass('sw-panel-header');
    this._details.addClass('sw-panel-details');
    this.addWidget(this._header);
    this.addWidget(this.dag);
    this.addWidget(this._details);
    this.dag.stepClicked.connect((_, step) => {
      const s = this._model?.analysis.steps.find((x) => x.name === step);
      if (s && this._panel) this._jump(this._panel, { cellIndex: s.cellIndex });
    });
    _pipelines.currentChanged.connect(() => this._follow(), this);
    _pipelines.modelAdded.connect(() => this._follow(), this);
    this._follow();
  }

  get model(): PipelineModel | null {
    return this._model;
  }

  private _follow(): void {
    const panel = this._pipelines.current;
    // Keep showing the last Stillwater notebook while focus is elsewhere (e.g. this panel).
    if (!panel && this._panel && !this._panel.isDisposed) return;
    const model = panel ? this._pipelines.modelFor(panel) : null;
    if (model === this._model) return;
    this._model?.changed.disconnect(this._onChanged, this);
    this._panel = panel;
    this._model = model;
    model?.changed.connect(this._onChanged, this);
    this.dag.model = model;
    this.render();
  }

  private _onChanged(_: PipelineModel, change: PipelineChange): void {
    if (change !== 'params') this.render();
  }

  render(): void {
    this._renderHeader();
    this._renderDetails();
  }

  private _renderHeader(): void {
    const t = this._trans;
    const h = this._header.node;
    h.textContent = '';
    const title = el(
      'div',
      'sw-panel-title',
      this._panel ? this._panel.context.localPath : t.__('Stillwater pipeline'),
    );
    h.append(title);
    const run = this._model?.run;
    const status = el('div', 'sw-run-status');
    if (!run) status.textContent = this._model ? t.__('Not run yet') : '';
    else {
      status.dataset.status = run.status;
      const { ended, total } = run.progress;
      const time = run.durationMs !== null ? t.__(' in %1', formatDuration(run.durationMs)) : '';
      const progress = run.finished ? '' : t.__(' · %1/%2 steps', ended, total);
      status.textContent = `${run.label}: ${t.__(run.status)}${time}${progress}`;
    }
    h.append(status);
  }

  private _renderDetails(): void {
    const t = this._trans;
    const d = this._details.node;
    d.textContent = '';
    const model = this._model;
    const panel = this._panel;
    if (!model || !panel) return;

    const run = model.run;
    if (run?.error) {
      const box = el('div', 'sw-run-error');
      box.append(el('strong', '', `${run.error.type}: `), document.createTextNode(run.error.message));
      const cell = run.error.cell;
      if (cell !== undefined) {
        const link = el('a', 'sw-jump', this._cellRef(cell, run.error.line));
        link.setAttribute('href', '#');
        link.addEventListener('click', (e) => {
          e.preventDefault();
          this._jump(panel, { cellIndex: cell, ...(run.error?.line ? { line: run.error.line } : {}) });
        });
        box.append(link);
      }
      d.append(box);
    }
    if (run) {
      for (const [step, node] of run.nodes) {
        if (node.status !== 'failed' || !node.error) continue;
        const failed = el('div', 'sw-step-error');
        failed.dataset.step = step;
        failed.append(
          el('strong', '', `${step}: `),
          document.createTextNode(`${node.error.type}: ${node.error.message}`),
        );
        const cell = node.error.cell;
        if (cell !== undefined) {
          const link = el('a', 'sw-jump', this._cellRef(cell, node.error.line));
          link.setAttribute('href', '#');
          link.addEventListener('click', (e) => {
            e.preventDefault();
            this._jump(panel, { cellIndex: cell, ...(node.error?.line ? { line: node.error.line } : {}) });
          });
          failed.append(link);
        }
        d.append(failed);
      }
    }

    const metrics = run ? Object.entries(run.metrics) : [];
    if (metrics.length > 0) {
      d.append(el('h3', 'sw-section', t.__('Metrics')));
      const table = el('table', 'sw-metrics');
      for (const [name, value] of metrics) {
        const tr = el('tr');
        tr.dataset.metric = name;
        tr.append(el('th', '', name), el('td', '', formatValue(value)));
        table.append(tr);
      }
      d.append(table);
    }

    const problems = model.analysis.diagnostics;
    d.append(el('h3', 'sw-section', t.__('Problems (%1)', problems.length)));
    const list = el('ul', 'sw-diagnostics');
    for (const p of problems) {
      const li = el('li', `sw-diagnostic sw-${p.severity}`, p.message);
      if (p.code) li.dataset.code = p.code;
      if (p.cell !== undefined) {
        const cell = p.cell;
        li.classList.add('sw-clickable');
        li.title = t.__('Go to the cell');
        li.addEventListener('click', () => this._jump(panel, { cellIndex: cell, ...(p.line ? { line: p.line } : {}) }));
      }
      list.append(li);
    }
    if (problems.length === 0) list.append(el('li', 'sw-muted', t.__('none')));
    d.append(list);

    const compiled = model.compileResult;
    if (compiled) {
      const title = compiled.ok ? t.__('Compiled (%1 warnings)', compiled.diagnostics.length) : t.__('Compile failed');
      d.append(el('h3', `sw-section sw-compile-${compiled.ok ? 'ok' : 'failed'}`, title));
      if (compiled.dir) d.append(el('div', 'sw-muted sw-compile-dir', compiled.dir));
      const clist = el('ul', 'sw-diagnostics sw-compile-diagnostics');
      for (const p of compiled.diagnostics) {
        const li = el('li', `sw-diagnostic sw-${p.severity}`, p.message);
        if (p.cell !== undefined) {
          const cell = p.cell;
          li.classList.add('sw-clickable');
          li.addEventListener('click', () =>
            this._jump(panel, { cellIndex: cell, ...(p.line ? { line: p.line } : {}) }),
          );
        }
        clist.append(li);
      }
      d.append(clist);
    }

    const params = model.analysis.parameters;
    if (params.length > 0) {
      d.append(el('h3', 'sw-section', t.__('Parameters (next run)')));
      const table = el('table', 'sw-params');
      for (const p of params) {
        const tr = el('tr');
        const input = el('input');
        input.type = 'text';
        input.dataset.param = p.name;
        input.placeholder = p.defaultValue;
        input.value = model.paramOverrides.get(p.name) ?? '';
        input.setAttribute('aria-label', t.__('Parameter %1', p.name));
        input.addEventListener('change', () => model.setParam(p.name, input.value.trim() || null));
        input.addEventListener('keydown', (e) => e.stopPropagation());
        const td = el('td');
        td.append(input);
        tr.append(el('th', '', p.name), td);
        table.append(tr);
      }
      d.append(table);
    }

    if (run && run.logs.length > 0) {
      d.append(el('h3', 'sw-section', t.__('Log')));
      const pre = el('pre', 'sw-log');
      pre.textContent = run.logs
        .slice(-40)
        .map((l) => `[${l.step}] ${l.text.replace(/\n$/, '')}`)
        .join('\n');
      d.append(pre);
    }
  }

  /** " → cell 3, line 2": where a failure is, as a link text. */
  private _cellRef(cell: number, line: number | undefined): string {
    return line ? this._trans.__(' → cell %1, line %2', cell, line) : this._trans.__(' → cell %1', cell);
  }
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return String(v);
}
