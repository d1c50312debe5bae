/**
 * Charts as pure functions returning SVG strings: no DOM, no plotting
 * library, so they render in any notebook front end and are unit-testable.
 * Each takes plain data (metrics results, importance maps, Arrow columns).
 */
import type { Table } from 'apache-arrow';
import type { ConfusionMatrix } from '../ml/metrics.js';
import { NotebookError } from './errors.js';
import { escapeXml } from './escape.js';

const FONT = 'font-family="sans-serif" font-size="11"';
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const frame = (width: number, height: number, left = 48, bottom = 36): Frame => ({
  width,
  height,
  left,
  right: 12,
  top: 24,
  bottom,
});

function svg(f: Frame, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ${FONT}>` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${f.width / 2}" y="15" text-anchor="middle" font-size="13">${escapeXml(title)}</text>${body}</svg>`
  );
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Linear scale from [d0, d1] to [r0, r1]. */
function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r2(r0 + ((x - d0) / span) * (r1 - r0));
}

function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi === lo) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / n));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= n) ?? step * 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + nice * 1e-9; t += nice) out.push(Number(t.toPrecision(10)));
  return out;
}

function axes(
  f: Frame,
  x: (v: number) => number,
  y: (v: number) => number,
  xt: number[],
  yt: number[],
  xl: string,
  yl: string,
) {
  const x0 = f.left;
  const y0 = f.height - f.bottom;
  const parts = [
    `<line x1="${x0}" y1="${y0}" x2="${f.width - f.right}" y2="${y0}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${f.top}" x2="${x0}" y2="${y0}" stroke="#333"/>`,
    ...xt.map((t) => `<text x="${x(t)}" y="${y0 + 14}" text-anchor="middle">${t}</text>`),
    ...yt.map((t) => `<text x="${x0 - 4}" y="${y(t) + 4}" text-anchor="end">${t}</text>`),
    `<text x="${(x0 + f.width - f.right) / 2}" y="${f.height - 4}" text-anchor="middle">${escapeXml(xl)}</text>`,
    `<text transform="translate(11 ${(f.top + y0) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yl)}</text>`,
  ];
  return parts.join('');
}

/** ROC curve (false vs true positive rate) with the chance diagonal. */
export function rocCurveSvg(
  roc: { fpr: readonly number[]; tpr: readonly number[] },
  options: { auc?: number; title?: string; width?: number; height?: number } = {},
): string {
  const f = frame(options.width ?? 360, options.height ?? 320);
  const x = scale(0, 1, f.left, f.width - f.right);
  const y = scale(0, 1, f.height - f.bottom, f.top);
  const points = roc.fpr.map((v, i) => `${x(v)},${y(roc.tpr[i]!)}`).join(' ');
  const title = options.title ?? `ROC curve${options.auc !== undefined ? ` (AUC ${options.auc.toFixed(4)})` : ''}`;
  const t = [0, 0.2, 0.4, 0.6, 0.8, 1];
  return svg(
    f,
    title,
    axes(f, x, y, t, t, 'false positive rate', 'true positive rate') +
      `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>` +
      `<polyline points="${points}" fill="none" stroke="${PALETTE[0]}" stroke-width="2"/>`,
  );
}

/** Horizontal bars of the `top` most important features, largest first. */
export function featureImportanceSvg(
  importance: Readonly<Record<string, number>>,
  options: { top?: number; title?: string; width?: number } = {},
): string {
  const entries = Object.entries(importance)
    .sort((a, b) => b[1] - a[1])
    .slice(0, options.top ?? 15);
  const labelWidth = Math.max(40, ...entries.map(([k]) => k.length * 7)) + 8;
  const bar = 16;
  const f = { ...frame(options.width ?? 420, 40 + entries.length * (bar + 4), labelWidth, 10) };
  const max = Math.max(...entries.map(([, v]) => v), 0) || 1;
  const x = scale(0, max, f.left, f.width - f.right - 50);
  const body = entries
    .map(([k, v], i) => {
      const top = f.top + i * (bar + 4);
      return (
        `<text x="${f.left - 6}" y="${top + bar - 4}" text-anchor="end">${escapeXml(k)}</text>` +
        `<rect x="${f.left}" y="${top}" width="${r2(x(v) - f.left)}" height="${bar}" fill="${PALETTE[0]}"/>` +
        `<text x="${x(v) + 4}" y="${top + bar - 4}">${escapeXml(Number(v.toPrecision(4)))}</text>`
      );
    })
    .join('');
  return svg(f, options.title ?? 'Feature importance', body);
}

/** A 2 × 2 confusion matrix with counts, shaded by count. */
export function confusionMatrixSvg(c: ConfusionMatrix, options: { title?: string } = {}): string {
  const f = frame(300, 260, 90, 40);
  const size = 80;
  const max = Math.max(c.tp, c.fp, c.tn, c.fn, 1);
  const cells: [string, number, number, number][] = [
    ['TN', c.tn, 0, 0],
    ['FP', c.fp, 1, 0],
    ['FN', c.fn, 0, 1],
    ['TP', c.tp, 1, 1],
  ];
  const body = cells
    .map(([label, n, col, row]) => {
      const x = f.left + col * size;
      const y = f.top + 20 + row * size;
      const shade = Math.round(235 - 170 * Math.sqrt(n / max));
      const ink = shade < 140 ? 'white' : 'black';
      return (
        `<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="rgb(${shade},${shade + 10},255)" stroke="white"/>` +
        `<text x="${x + size / 2}" y="${y + size / 2}" text-anchor="middle" fill="${ink}" font-size="16">${n}</text>` +
        `<text x="${x + size / 2}" y="${y + size / 2 + 16}" text-anchor="middle" fill="${ink}">${label}</text>`
      );
    })
    .join('');
  const labels =
    `<text x="${f.left + size / 2}" y="${f.top + 14}" text-anchor="middle">pred 0</text>` +
    `<text x="${f.left + 1.5 * size}" y="${f.top + 14}" text-anchor="middle">pred 1</text>` +
    `<text x="${f.left - 8}" y="${f.top + 20 + size / 2}" text-anchor="end">actual 0</text>` +
    `<text x="${f.left - 8}" y="${f.top + 20 + 1.5 * size}" text-anchor="end">actual 1</text>`;
  return svg(f, options.title ?? 'Confusion matrix', labels + body);
}

/**
 * One line per unit of a sensor against cycle (rows of the chosen units, in
 * table order). Units default to the first five in the table.
 */
export function sensorTrendSvg(
  table: Table,
  options: { sensor: string; units?: readonly number[]; title?: string; width?: number; height?: number },
): string {
  const unitCol = table.getChild('unit');
  const cycleCol = table.getChild('cycle');
  const sensorCol = table.getChild(options.sensor);
  if (!unitCol || !cycleCol || !sensorCol) {
    throw new NotebookError(`sensorTrendSvg: the table needs columns unit, cycle and ${options.sensor}`);
  }
  const unit = unitCol.toArray() as ArrayLike<number>;
  const cycle = cycleCol.toArray() as ArrayLike<number>;
  const value = sensorCol.toArray() as ArrayLike<number>;
  const chosen = options.units ?? [...new Set(Array.from(unit))].slice(0, 5);
  const series = new Map<number, [number, number][]>(chosen.map((u) => [u, []]));
  let xmax = 1;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < unit.length; i++) {
    const s = series.get(Number(unit[i]));
    if (!s || Number.isNaN(Number(value[i]))) continue;
    const c = Number(cycle[i]);
    const v = Number(value[i]);
    s.push([c, v]);
    xmax = Math.max(xmax, c);
    ymin = Math.min(ymin, v);
    ymax = Math.max(ymax, v);
  }
  if (ymin === Number.POSITIVE_INFINITY) {
    ymin = 0;
    ymax = 1;
  }
  const f = frame(options.width ?? 480, options.height ?? 280, 60);
  const x = scale(0, xmax, f.left, f.width - f.right - 50);
  const y = scale(ymin, ymax, f.height - f.bottom, f.top);
  const lines = [...series].map(([u, pts], k) => {
    const color = PALETTE[k % PALETTE.length];
    const last = pts.at(-1);
    return (
      `<polyline points="${pts.map(([c, v]) => `${x(c)},${y(v)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.2"/>` +
      (last ? `<text x="${x(last[0]) + 3}" y="${y(last[1]) + 4}" fill="${color}">unit ${u}</text>` : '')
    );
  });
  return svg(
    f,
    options.title ?? `${options.sensor} by cycle`,
    axes(f, x, y, ticks(0, xmax), ticks(ymin, ymax), 'cycle', options.sensor) + lines.join(''),
  );
}
