/**
 * Side-by-side comparison of the runs ticked in the history: one column per run, one row
 * per parameter and metric. A value that differs from the first (oldest) run's is marked
 * `sw-changed`, and a row where any run differs is marked `sw-diff`. The table takes the
 * panel's width (fixed layout), so every run's column stays visible.
 */
import type { RunRecord } from '@stillwater/kernel/contracts';
import type { TranslationBundle } from '@jupyterlab/translation';
import { el, showTime, showValue } from './dom.js';

/** Rows of the comparison: each section is a kind of per-run value (others can be added). */
export interface CompareSection {
  id: string;
  label: string;
  values(run: RunRecord): Record<string, unknown>;
}

export const PARAMS_SECTION: CompareSection = { id: 'param', label: 'parameter', values: (r) => r.params };
export const METRICS_SECTION: CompareSection = { id: 'metric', label: 'metric', values: (r) => r.metrics };

export function compareTable(
  runs: readonly RunRecord[],
  trans: TranslationBundle,
  sections: readonly CompareSection[] = [PARAMS_SECTION, METRICS_SECTION],
): HTMLElement {
  const ordered = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const box = el('div', 'sw-compare');
  box.append(el('h3', 'sw-section', trans.__('Compare %1 runs', ordered.length)));
  const table = el('table', 'sw-compare-table');
  const cols = el('colgroup');
  cols.append(el('col', 'sw-compare-name'));
  for (const _ of ordered) cols.append(el('col'));
  table.append(cols);
  const head = el('tr');
  head.append(el('th', '', ''));
  for (const r of ordered) {
    const th = el('th', 'sw-mono sw-compare-run', r.runId);
    th.dataset.runId = r.runId;
    th.title = `${r.status} · ${showTime(r.startedAt)}`;
    head.append(th);
  }
  table.append(head);
  for (const section of sections) {
    const keys = [...new Set(ordered.flatMap((r) => Object.keys(section.values(r))))].sort();
    for (const key of keys) {
      const shown = ordered.map((r) => JSON.stringify(section.values(r)[key]));
      const tr = el('tr', shown.some((v) => v !== shown[0]) ? 'sw-diff' : '');
      tr.dataset.row = `${section.id}:${key}`;
      tr.append(el('th', '', `${trans.__(section.label)} ${key}`));
      ordered.forEach((r, i) => {
        const td = el('td', `sw-mono${i > 0 && shown[i] !== shown[0] ? ' sw-changed' : ''}`);
        td.textContent = showValue(section.values(r)[key]);
        td.dataset.runId = r.runId;
        tr.append(td);
      });
      table.append(tr);
    }
  }
  box.append(table);
  return box;
}
