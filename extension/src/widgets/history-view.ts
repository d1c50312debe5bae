/**
 * Run history of a notebook's Stillwater home: past runs with status, duration,
 * parameters and metrics, filtered by status and parameter values (as `stillwater runs
 * list --status --param` filters); tick runs to compare them side by side; a metric's
 * trend across the pipeline's runs; a run's step details; re-run any run with its
 * parameters.
 */
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { redoIcon } from '@jupyterlab/ui-components';
import { type ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { HistoryOutcome, RunFilter, RunRecord } from '@stillwater/kernel/contracts';
import { formatDuration } from './dag-view.js';
import { type HistoryViewState, restoredState, STATUSES } from './history-state.js';
import { el, showTime, showValue } from './dom.js';
import { compareTable } from './run-compare.js';
import { runDetails } from './run-details.js';
import type { AskLineage } from './run-lineage.js';
import { numericMetrics, trendChart } from './trend-chart.js';

export type { HistoryViewState } from './history-state.js';

export interface HistoryViewOptions {
  /** The notebook whose home is shown (what layout restoration reopens). */
  notebookPath: string;
  /** The runs the filter admits, with the step executions of `runIds`. */
  load: (filter: RunFilter, runIds: string[]) => Promise<HistoryOutcome>;
  /** "Re-run with these parameters". */
  onRerun?: (run: RunRecord) => void;
  /** Which run and step wrote a table version (from a run's lineage). */
  askLineage?: AskLineage;
  trans?: TranslationBundle;
  /** Where the view was left (its filter, ticked runs, the run shown, the trend's metric). */
  initialState?: Partial<HistoryViewState>;
}

export class HistoryView extends Widget {
  readonly notebookPath: string;
  private _history: HistoryOutcome | null = null;
  private _error: string | null = null;
  private _filterError: string | null = null;
  private readonly _selected: string[] = [];
  private _status = '';
  private _paramText = '';
  private _metric: string | null = null;
  /** The run whose steps are shown. */
  private _details: string | null = null;
  private _loading = false;
  private readonly _trans: TranslationBundle;
  /** The filter bar stays put across renders (keeps focus and typed text). */
  private readonly _barNode: HTMLElement;
  private readonly _body = el('div', 'sw-history-body');
  private readonly _stateChanged = new Signal<this, HistoryViewState>(this);

  constructor(private readonly _options: HistoryViewOptions) {
    super();
    this.notebookPath = _options.notebookPath;
    this._trans = _options.trans ?? nullTranslator.load('stillwater');
    const initial = restoredState(_options.initialState);
    this._status = initial.status;
    this._paramText = initial.params;
    this._selected.push(...initial.selected);
    this._details = initial.details;
    this._metric = initial.metric;
    this.addClass('sw-HistoryView');
    this._barNode = this._bar();
    this.node.append(this._barNode, this._body);
    void this.refresh();
  }

  get history(): HistoryOutcome | null {
    return this._history;
  }

  get state(): HistoryViewState {
    return {
      status: this._status,
      params: this._paramText,
      selected: [...this._selected],
      details: this._details,
      metric: this._metric,
    };
  }

  /** The user changed the filter, the ticked runs, the run shown or the metric. */
  get stateChanged(): ISignal<this, HistoryViewState> {
    return this._stateChanged;
  }

  /** The filter the bar's fields describe (throws on a parameter that is not NAME=VALUE). */
  filter(): RunFilter {
    const filter: RunFilter = {};
    if (this._status) filter.status = [this._status as (typeof STATUSES)[number]];
    const params: Record<string, string> = {};
    for (const part of this._paramText.split(/[\s,]+/).filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new Error(this._trans.__('parameter filter "%1" is not NAME=VALUE', part));
      params[part.slice(0, eq)] = part.slice(eq + 1);
    }
    if (Object.keys(params).length > 0) filter.params = params;
    return filter;
  }

  async refresh(): Promise<void> {
    let filter: RunFilter;
    try {
      filter = this.filter();
      this._filterError = null;
    } catch (err) {
      this._filterError = err instanceof Error ? err.message : String(err);
      this.render();
      return;
    }
    this._loading = true;
    this.render();
    try {
      this._history = await this._options.load(filter, this._details ? [this._details] : []);
      this._error = null;
    } catch (err) {
      this._error = err instanceof Error ? err.message : String(err);
    }
    this._loading = false;
    this.render();
  }

  /** Ticks or unticks a run for comparison. */
  toggle(runId: string): void {
    const i = this._selected.indexOf(runId);
    if (i >= 0) this._selected.splice(i, 1);
    else this._selected.push(runId);
    this._stateChanged.emit(this.state);
    this.render();
  }

  /** Shows a run's steps (or hides them when it is the run shown). */
  showDetails(runId: string): void {
    this._details = this._details === runId ? null : runId;
    this._stateChanged.emit(this.state);
    if (this._details && !this._history?.steps[this._details]) void this.refresh();
    else this.render();
  }

  render(): void {
    const t = this._trans;
    const body = this._body;
    body.textContent = '';
    this.node.dataset.loading = String(this._loading);
    if (this._loading && !this._history) {
      body.append(el('p', 'sw-muted', t.__('Loading run history…')));
      return;
    }
    if (this._error) {
      body.append(el('div', 'sw-run-error', this._error));
      return;
    }
    if (this._filterError) body.append(el('div', 'sw-run-error sw-filter-error', this._filterError));
    const h = this._history;
    if (!h) return;
    body.append(el('div', 'sw-muted sw-history-count', t.__('%1 runs in %2', h.runs.length, h.home)));
    if (h.runs.length === 0) {
      body.append(el('p', 'sw-muted', t.__('No runs.')));
      return;
    }
    body.append(this._runsTable(h.runs));
    const details = this._details ? h.runs.find((r) => r.runId === this._details) : undefined;
    if (details) body.append(runDetails(details, h.steps[details.runId] ?? null, t, this._options.askLineage));
    const picked = this._selected.map((id) => h.runs.find((r) => r.runId === id)).filter((r): r is RunRecord => !!r);
    if (picked.length >= 2) body.append(compareTable(picked, t));
    else body.append(el('p', 'sw-muted sw-compare-hint', t.__('Tick two or more runs to compare them.')));
    // The trend follows the newest run's pipeline (a home can hold several).
    const pipeline = h.runs[0]!.pipeline;
    const ofPipeline = h.runs.filter((r) => r.pipeline === pipeline);
    const metrics = numericMetrics(ofPipeline);
    if (metrics.length > 0) {
      const metric = this._metric !== null && metrics.includes(this._metric) ? this._metric : metrics[0]!;
      body.append(
        trendChart({
          runs: ofPipeline,
          metric,
          trans: t,
          picked: this._selected,
          onMetric: (m) => {
            this._metric = m;
            this._stateChanged.emit(this.state);
            this.render();
          },
          onPoint: (runId) => this.toggle(runId),
        }),
      );
    }
  }

  private _bar(): HTMLElement {
    const t = this._trans;
    const bar = el('div', 'sw-history-bar');
    const refresh = el('button', 'jp-mod-styled sw-refresh', t.__('Refresh'));
    refresh.addEventListener('click', () => void this.refresh());
    const status = el('select', 'jp-mod-styled sw-filter-status');
    status.title = t.__('Only runs that ended so');
    for (const s of ['', ...STATUSES]) {
      const o = el('option', '', s === '' ? t.__('any status') : t.__(s));
      o.value = s;
      status.append(o);
    }
    status.value = this._status;
    status.addEventListener('change', () => {
      this._status = status.value;
      this._stateChanged.emit(this.state);
      void this.refresh();
    });
    const params = el('input', 'jp-mod-styled sw-filter-params');
    params.placeholder = t.__('parameter filter: NAME=VALUE …');
    params.title = t.__('Only runs with these parameter values (as `stillwater runs list --param`)');
    params.value = this._paramText;
    params.addEventListener('change', () => {
      this._paramText = params.value;
      this._stateChanged.emit(this.state);
      void this.refresh();
    });
    // Typing here must not reach the notebook's keyboard shortcuts.
    params.addEventListener('keydown', (e) => e.stopPropagation());
    bar.append(refresh, status, params);
    return bar;
  }

  /** One row per run, compact enough for a split panel: run (status · duration), start, values, re-run. */
  private _runsTable(runs: readonly RunRecord[]): HTMLElement {
    const t = this._trans;
    const table = el('table', 'sw-history');
    const head = el('tr');
    for (const label of ['', t.__('run'), t.__('started'), t.__('parameters'), t.__('metrics'), ''])
      head.append(el('th', '', label));
    table.append(head);
    for (const r of runs) {
      const tr = el('tr', `sw-run sw-status-${r.status}`);
      tr.dataset.runId = r.runId;
      if (r.runId === this._details) tr.classList.add('sw-details-open');
      const pick = el('input');
      pick.type = 'checkbox';
      pick.checked = this._selected.includes(r.runId);
      pick.title = t.__('Compare');
      pick.addEventListener('change', () => this.toggle(r.runId));
      const pickCell = el('td');
      pickCell.append(pick);
      const id = el('a', 'sw-run-id sw-mono', r.runId);
      id.href = '#';
      id.title = t.__('Show this run’s steps');
      id.addEventListener('click', (e) => {
        e.preventDefault();
        this.showDetails(r.runId);
      });
      const runCell = el('td', 'sw-run-cell');
      const outcome = el('div', 'sw-run-outcome', `${t.__(r.status)} · ${formatDuration(r.durationMs)}`);
      runCell.append(id, outcome);
      const rerunCell = el('td');
      if (this._options.onRerun) {
        const rerun = el('button', 'jp-Button jp-mod-minimal sw-rerun');
        rerun.title = t.__('Re-run with these parameters');
        rerun.setAttribute('aria-label', rerun.title);
        rerun.append(redoIcon.element({ tag: 'span', stylesheet: 'toolbarButton' }));
        rerun.addEventListener('click', () => this._options.onRerun?.(r));
        rerunCell.append(rerun);
      }
      tr.append(
        pickCell,
        runCell,
        el('td', '', showTime(r.startedAt)),
        valuesCell('sw-params-cell', r.params),
        valuesCell('sw-metrics-cell', r.metrics),
        rerunCell,
      );
      table.append(tr);
    }
    return table;
  }
}

/** NAME=VALUE, one per line (a narrow column then breaks between entries, not inside). */
function valuesCell(className: string, values: Record<string, unknown>): HTMLElement {
  const td = el('td', `sw-mono sw-values ${className}`);
  for (const [k, v] of Object.entries(values)) td.append(el('div', '', `${k}=${showValue(v)}`));
  return td;
}
