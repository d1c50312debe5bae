/**
 * HTML renderings of Arrow tables and Delta table handles for notebooks:
 * a table preview with column types, and a Delta table card with its schema,
 * version, size and recent history.
 */
import type { Table } from 'apache-arrow';
import type { DeltaTable, HistoryEntry, TableDescription } from '../lakehouse/index.js';
import { showHtml } from './display.js';
import { escapeXml } from './escape.js';

const STYLE =
  '<style>.sw-t{border-collapse:collapse;font:12px monospace}.sw-t th,.sw-t td{border:1px solid #ddd;padding:2px 6px;text-align:right}' +
  '.sw-t th{background:#f4f4f4}.sw-t th small{color:#888;font-weight:normal}.sw-cap{font:12px sans-serif;color:#555;margin:4px 0}</style>';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '<i style="color:#aaa">null</i>';
  if (typeof v === 'number') return escapeXml(Number.isInteger(v) ? v : Number(v.toPrecision(6)));
  if (v instanceof Uint8Array) return escapeXml(`<${v.byteLength} bytes>`);
  if (typeof v === 'bigint') return escapeXml(v.toString());
  if (typeof v === 'object') return escapeXml(JSON.stringify(v));
  return escapeXml(v);
}

/** The first `maxRows` rows (and last few when cut) of `table` as an HTML table. */
export function tableHtml(table: Table, options: { maxRows?: number; caption?: string } = {}): string {
  const maxRows = options.maxRows ?? 10;
  const fields = table.schema.fields;
  const head = `<tr>${fields.map((f) => `<th>${escapeXml(f.name)}<br><small>${escapeXml(f.type)}</small></th>`).join('')}</tr>`;
  const rowHtml = (i: number) =>
    `<tr>${fields.map((f) => `<td>${cell(table.getChild(f.name)!.get(i))}</td>`).join('')}</tr>`;
  const rows: string[] = [];
  const n = table.numRows;
  const headRows = n > maxRows ? Math.ceil(maxRows / 2) : n;
  for (let i = 0; i < headRows; i++) rows.push(rowHtml(i));
  if (n > maxRows) {
    rows.push(`<tr><td colspan="${fields.length}" style="text-align:center">…</td></tr>`);
    for (let i = n - Math.floor(maxRows / 2); i < n; i++) rows.push(rowHtml(i));
  }
  const caption = `${options.caption ? `${escapeXml(options.caption)} — ` : ''}${n} rows × ${fields.length} columns`;
  return `${STYLE}<div class="sw-cap">${caption}</div><table class="sw-t">${head}${rows.join('')}</table>`;
}

/** Plain-text summary of a table (the fallback outside a kernel). */
export function tableText(table: Table, caption?: string): string {
  const cols = table.schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ');
  return `${caption ? `${caption}: ` : ''}${table.numRows} rows × ${table.schema.fields.length} columns (${cols})`;
}

/** Displays a table preview (HTML in a kernel, a one-line summary elsewhere). */
export function showTable(table: Table, options: { maxRows?: number; caption?: string } = {}): void {
  showHtml(tableHtml(table, options), tableText(table, options.caption));
}

/** A Delta table card: location, version, size, schema and recent history. */
export function deltaTableHtml(d: TableDescription, history: readonly HistoryEntry[]): string {
  const schema = d.schema.fields
    .map(
      (f) =>
        `<tr><td style="text-align:left">${escapeXml(f.name)}</td><td style="text-align:left">${escapeXml(
          typeof f.type === 'string' ? f.type : JSON.stringify(f.type),
        )}</td><td>${f.nullable ? 'yes' : 'no'}</td></tr>`,
    )
    .join('');
  const hist = history
    .map(
      (h) =>
        `<tr><td>${h.version}</td><td style="text-align:left">${escapeXml(new Date(h.timestamp).toISOString())}</td>` +
        `<td style="text-align:left">${escapeXml(h.operation ?? '')}</td><td style="text-align:left">${escapeXml(
          JSON.stringify(h.operationMetrics ?? {}),
        )}</td></tr>`,
    )
    .join('');
  const parts = d.partitionColumns.length ? `, partitioned by ${escapeXml(d.partitionColumns.join(', '))}` : '';
  return (
    `${STYLE}<div class="sw-cap"><b>Delta table</b> ${escapeXml(d.path)} — version ${d.version}, ` +
    `${d.numRows} rows in ${d.numFiles} files (${d.sizeInBytes} bytes)${parts}</div>` +
    `<table class="sw-t"><tr><th>column</th><th>type</th><th>nullable</th></tr>${schema}</table>` +
    `<div class="sw-cap">recent history</div>` +
    `<table class="sw-t"><tr><th>version</th><th>time</th><th>operation</th><th>metrics</th></tr>${hist}</table>`
  );
}

/** Plain-text summary of a Delta table. */
export function deltaTableText(d: TableDescription, history: readonly HistoryEntry[]): string {
  const ops = history.map((h) => `v${h.version} ${h.operation ?? ''}`).join(', ');
  return `Delta table ${d.path}: version ${d.version}, ${d.numRows} rows, ${d.numFiles} files, columns ${d.schema.fields
    .map((f) => f.name)
    .join(', ')}; history: ${ops}`;
}

/** Displays a Delta table handle's schema, version and its `historyLimit` most recent commits. */
export async function showDeltaTable(table: DeltaTable, options: { historyLimit?: number } = {}): Promise<void> {
  const [d, history] = await Promise.all([table.describe(), table.history(options.historyLimit ?? 5)]);
  showHtml(deltaTableHtml(d, history), deltaTableText(d, history));
}
