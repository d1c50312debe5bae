/**
 * What each step of a run read, wrote, consumed and produced, as the history records it
 * (what `stillwater runs show` prints): exact Delta table versions, step artifacts and run
 * artifacts by content hash. A table version can be asked about (`stillwater runs
 * lineage`): which run and step wrote it, from which inputs. One row per item, so a
 * narrow panel wraps values rather than hiding columns.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { LineageOutcome, StepExecutionRecord, TableVersionLineage } from '@stillwater/kernel/contracts';
import { el } from './dom.js';

/** One thing a step touched: how, what, and which exact version. */
export interface LineageItem {
  /** `read`/`wrote` (Delta tables), `consumed`/`produced` (step artifacts), `left` (run artifacts). */
  how: 'read' | 'wrote' | 'consumed' | 'produced' | 'left';
  what: string;
  /** A content hash, or a table version. */
  version: string;
  /** The table a `read`/`wrote` item is about (absolute path). */
  table?: { path: string; version: number };
}

/** Asks which run and step wrote a table version. */
export type AskLineage = (table: string, version: number) => Promise<LineageOutcome>;

/** Lineage items of one step execution: tables read, artifacts consumed, then what it wrote and produced. */
export function lineageItems(s: StepExecutionRecord): LineageItem[] {
  const tables = (how: 'read' | 'wrote', list: { table: string; version: number }[] = []): LineageItem[] =>
    list.map((v) => ({
      how,
      what: shortTable(v.table),
      version: `v${v.version}`,
      table: { path: v.table, version: v.version },
    }));
  const hashes = (how: 'consumed' | 'produced', o: Record<string, string>): LineageItem[] =>
    Object.entries(o).map(([what, version]) => ({ how, what, version }));
  return [
    ...tables('read', s.lineage?.tablesRead),
    ...hashes('consumed', s.inputs),
    ...tables('wrote', s.lineage?.tablesWritten),
    ...hashes('produced', s.outputs),
    ...(s.lineage?.runArtifacts ?? []).map((a): LineageItem => ({ how: 'left', what: a.path, version: a.sha256 })),
  ];
}

export function lineageTable(
  steps: readonly StepExecutionRecord[],
  t: TranslationBundle,
  ask?: AskLineage,
): HTMLElement | null {
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
    const what = el('td', 'sw-mono');
    const tableRef = item.table;
    if (tableRef && ask) {
      const link = el('a', 'sw-lineage-ask', item.what);
      link.href = '#';
      link.title = t.__('%1 — which run and step wrote version %2?', tableRef.path, tableRef.version);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        void answerBelow(tr, ask(tableRef.path, tableRef.version), t);
      });
      what.append(link);
    } else {
      what.textContent = item.what;
      if (tableRef) what.title = tableRef.path;
    }
    tr.dataset.what = item.what;
    tr.append(el('td', 'sw-mono', step), el('td', '', t.__(item.how)), what, versionCell(item.version));
    table.append(tr);
  }
  box.append(table);
  return box;
}

/** Shows (or replaces) the answer about a table version in a row under `row`. */
async function answerBelow(row: HTMLElement, asked: Promise<LineageOutcome>, t: TranslationBundle): Promise<void> {
  if (row.nextElementSibling?.classList.contains('sw-lineage-answer')) row.nextElementSibling.remove();
  const tr = el('tr', 'sw-lineage-answer');
  const td = el('td', '', t.__('Asking…'));
  td.colSpan = 4;
  tr.append(td);
  row.after(tr);
  let outcome: LineageOutcome;
  try {
    outcome = await asked;
  } catch (err) {
    outcome = { kind: 'lineage', ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  td.textContent = '';
  if (!outcome.ok || !outcome.lineage) {
    td.append(el('div', 'sw-run-error', outcome.error ?? t.__('no answer')));
    return;
  }
  td.append(describe(outcome.lineage, t));
}

/** `stillwater runs lineage` as a few lines: the version, who wrote it, from what. */
export function describe(l: TableVersionLineage, t: TranslationBundle): HTMLElement {
  const box = el('div', 'sw-lineage-answer-body');
  box.dataset.table = l.table;
  box.dataset.version = String(l.version);
  const what = `${shortTable(l.table)} v${l.version}${l.operation ? ` (${l.operation})` : ''}`;
  const by = l.writtenBy;
  box.append(
    el(
      'div',
      'sw-lineage-writer',
      by
        ? t.__('%1 was written by run %2, step %3', what, by.runId, by.step)
        : t.__('%1 was not written by a Stillwater run', what),
    ),
  );
  if (by) {
    const writer = box.lastElementChild as HTMLElement;
    writer.dataset.runId = by.runId;
    writer.dataset.step = by.step;
  }
  const inputs = l.inputs;
  if (!inputs) return box;
  const list = el('ul', 'sw-lineage-inputs');
  for (const v of inputs.tables) list.append(el('li', 'sw-mono', t.__('read %1 v%2', shortTable(v.table), v.version)));
  for (const a of inputs.artifacts)
    list.append(
      el(
        'li',
        'sw-mono',
        a.fromStep
          ? t.__('consumed %1 %2 from step %3', a.name, a.sha256.slice(0, 12), a.fromStep)
          : t.__('consumed %1 %2', a.name, a.sha256.slice(0, 12)),
      ),
    );
  for (const f of inputs.files)
    list.append(
      el('li', 'sw-mono', t.__('read file %1 %2', f.path, f.sha256?.slice(0, 12) ?? t.__('(changed while read)'))),
    );
  const params = Object.entries(inputs.params);
  if (params.length > 0)
    list.append(
      el('li', 'sw-mono', t.__('parameters %1', params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' '))),
    );
  box.append(list);
  return box;
}

/** A table's last two path segments (`silver/features`), enough to tell tables of one lakehouse apart. */
function shortTable(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).slice(-2).join('/');
}

/** Hashes are long: the first 12 hex digits identify, the full one is on hover. */
function versionCell(version: string): HTMLElement {
  const td = el('td', 'sw-mono', /^[0-9a-f]{40,}$/.test(version) ? version.slice(0, 12) : version);
  td.title = version;
  return td;
}
