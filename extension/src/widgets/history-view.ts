/**
 * Run history of a notebook's Stillwater home: past runs with status, duration,
 * parameters and metrics; tick two to compare them side by side.
 */
import { Widget } from '@lumino/widgets';
import type { HistoryOutcome, RunRecord } from '@stillwater/kernel/contracts';
import { formatDuration } from './dag-view.js';

export class HistoryView extends Widget {
  private _history: HistoryOutcome | null = null;
  private _error: string | null = null;
  private readonly _selected: string[] = [];

  constructor(private readonly _load: () => Promise<HistoryOutcome>) {
    super();
    this.addClass('sw-HistoryView');
    void this.refresh();
  }

  get history(): HistoryOutcome | null {
    return this._history;
  }

  async refresh(): Promise<void> {
    this.node.textContent = 'Loading run history…';
    try {
      this._history = await this._load();
      this._error = null;
    } catch (err) {
      this._error = err instanceof Error ? err.message : String(err);
    }
    this.render();
  }

  /** Selects a run for comparison (keeps the two most recent picks). */
  toggle(runId: string): void {
    const i = this._selected.indexOf(runId);
    if (i >= 0) this._selected.splice(i, 1);
    else {
      this._selected.push(runId);
      if (this._selected.length > 2) this._selected.shift();
    }
    this.render();
  }

  render(): void {
    const node = this.node;
    node.textContent = '';
    const bar = el('div', 'sw-history-bar');
    const refresh = el('button', 'jp-mod-styled sw-refresh', 'Refresh');
    refresh.addEventListener('click', () => void this.refresh());
    bar.append(refresh);
    node.append(bar);
    if (this._error) {
      node.append(el('div', 'sw-run-error', this._error));
      return;
    }
    const h = this._history;
    if (!h) return;
    bar.append(el('span', 'sw-muted', ` ${h.runs.length} runs in ${h.home}`));
    if (h.runs.length === 0) {
      node.append(el('p', 'sw-muted', 'No runs yet.'));
      return;
    }
    const table = el('table', 'sw-history');
    const head = el('tr');
    for (const t of ['', 'run', 'status', 'started', 'duration', 'parameters', 'metrics']) head.append(el('th', '', t));
    table.append(head);
    for (const r of h.runs) {
      const tr = el('tr', `sw-run sw-status-${r.status}`);
      tr.dataset.runId = r.runId;
      const pick = el('input') as HTMLInputElement;
      pick.type = 'checkbox';
      pick.checked = this._selected.includes(r.runId);
      pick.title = 'Compare';
      pick.addEventListener('change', () => this.toggle(r.runId));
      const td = el('td');
      td.append(pick);
      tr.append(
        td,
        el('td', 'sw-mono', r.runId),
        el('td', '', r.status),
        el('td', '', new Date(r.startedAt).toLocaleString()),
        el('td', '', formatDuration(r.durationMs)),
        el('td', 'sw-mono', summarize(r.params)),
        el('td', 'sw-mono', summarize(r.metrics)),
      );
      table.append(tr);
    }
    node.append(table);
    if (this._selected.length === 2) node.append(this._comparison());
  }

  private _comparison(): HTMLElement {
    const runs = this._selected.map((id) => this._history!.runs.find((r) => r.runId === id)!) as [RunRecord, RunRecord];
    const box = el('div', 'sw-compare');
    box.append(el('h3', 'sw-section', `Compare ${runs[0].runId} ↔ ${runs[1].runId}`));
    const table = el('table', 'sw-compare-table');
    const head = el('tr');
    head.append(el('th', '', ''), el('th', '', runs[0].runId), el('th', '', runs[1].runId));
    table.append(head);
    for (const section of ['params', 'metrics'] as const) {
      const keys = [...new Set([...Object.keys(runs[0][section]), ...Object.keys(runs[1][section])])].sort();
      for (const k of keys) {
        const a = JSON.stringify(runs[0][section][k]);
        const b = JSON.stringify(runs[1][section][k]);
        const tr = el('tr', a === b ? '' : 'sw-diff');
        tr.append(
          el('th', '', `${section === 'params' ? 'param' : 'metric'} ${k}`),
          el('td', '', a ?? '—'),
          el('td', '', b ?? '—'),
        );
        table.append(tr);
      }
    }
    box.append(table);
    return box;
  }
}

function summarize(o: Record<string, unknown>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : JSON.stringify(v)}`)
    .join(' ');
}

function el(tag: string, className?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
