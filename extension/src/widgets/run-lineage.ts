/**
 * What each step of a run consumed and produced, as the history records it: step
 * artifacts by content hash (what `stillwater runs show` prints). One row per item, so
 * a narrow panel wraps values rather than hiding columns.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { StepExecutionRecord } from '@stillwater/kernel/contracts';
import { el } from './dom.js';

/** One thing a step touched: how, what, and which exact version. */
export interface LineageItem {
  /** `consumed`/`produced` (step artifacts), `read`/`wrote` (Delta tables), `left` (run artifacts). */
  how: 'consumed' | 'produced' | 'read' | 'wrote' | 'left';
  what: string;
  /** A content hash or `vN` for a table version. */
  version: string;
  /** Shown on hover (e.g. a table's absolute path). */
  title?: string;
}

/** Lineage items of one step execution, inputs first. */
export function lineageItems(s: StepExecutionRecord): LineageItem[] {
  const items: LineageItem[] = [];
  for (const [name, hash] of Object.entries(s.inputs)) items.push({ how: 'consumed', what: name, version: hash });
  for (const [name, hash] of Object.entries(s.outputs)) items.push({ how: 'produced', what: name, version: hash });
  return items;
}

export function lineageTable(steps: readonly StepExecutionRecord[], t: TranslationBundle): HTMLElement | null {
  const rows = steps.flatMap((s) => lineageItems(s).map((item) => ({ step: s.step, item })));
  if (rows.length === 0) return null;
  const box = el('div', 'sw-lineage');
  box.append(el('h4', 'sw-section', t.__('Lineage')));
  const table = el('table', 'sw-lineage-table');
  const head = el('tr');
  for (const label of [t.__('step'), '', t.__('what'), t.__('version')]) head.append(el('th', '', label));
  table.append(head);
  for (const { step, item } of rows) {
    const tr = el('tr', `sw-lineage-row sw-lineage-${item.how}`);
    tr.dataset.step = step;
    tr.dataset.how = item.how;
    const what = el('td', 'sw-mono', item.what);
    if (item.title) what.title = item.title;
    // Hashes are long: the first 12 hex digits identify, the full one is on hover.
    const version = el(
      'td',
      'sw-mono',
      /^[0-9a-f]{40,}$/.test(item.version) ? item.version.slice(0, 12) : item.version,
    );
    version.title = item.version;
    tr.append(el('td', 'sw-mono', step), el('td', '', t.__(item.how)), what, version);
    table.append(tr);
  }
  box.append(table);
  return box;
}
