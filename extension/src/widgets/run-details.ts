/**
 * One run's details in the history view: the run's selection and error, each step's
 * execution (status, cache hit and why, attempts, duration, error) and its lineage.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { RunRecord, StepExecutionRecord } from '@stillwater/kernel/contracts';
import { formatDuration } from './dag-view.js';
import { el } from './dom.js';
import { type AskLineage, lineageTable } from './run-lineage.js';

export function runDetails(
  run: RunRecord,
  steps: readonly StepExecutionRecord[] | null,
  t: TranslationBundle,
  askLineage?: AskLineage,
): HTMLElement {
  const box = el('div', 'sw-run-details');
  box.dataset.runId = run.runId;
  box.append(el('h3', 'sw-section', t.__('Run %1 (%2)', run.runId, run.selection)));
  if (run.error) {
    const where = run.error.step ? `${run.error.step}: ` : '';
    box.append(el('div', 'sw-run-error', `${where}${run.error.type}: ${run.error.message}`));
  }
  if (!steps) {
    box.append(el('p', 'sw-muted', t.__('Loading the run’s steps…')));
    return box;
  }
  const table = el('table', 'sw-history sw-steps-table');
  const head = el('tr');
  for (const label of [t.__('step'), t.__('status'), t.__('attempts'), t.__('duration'), t.__('note')])
    head.append(el('th', '', label));
  table.append(head);
  for (const s of steps) {
    const tr = el('tr', `sw-step-row sw-status-${s.status}`);
    tr.dataset.step = s.step;
    const note = s.error ? `${s.error.type}: ${s.error.message}` : (s.reason ?? (s.cacheHit ? t.__('from cache') : ''));
    tr.append(
      el('td', 'sw-mono', s.step),
      el('td', '', t.__(s.status)),
      el('td', '', String(s.attempts)),
      el('td', '', s.durationMs === null ? '—' : formatDuration(s.durationMs)),
      el('td', '', note),
    );
    table.append(tr);
  }
  box.append(table);
  const lineage = lineageTable(steps, t, askLineage);
  if (lineage) box.append(lineage);
  return box;
}
