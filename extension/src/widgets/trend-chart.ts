/**
 * A metric's trend across the runs of one pipeline, oldest to newest: an SVG line chart
 * scaled to its panel's width, one point per run that reported the metric as a number. Colours
 * come from JupyterLab's theme variables (CSS), so it follows the dark theme.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { RunRecord } from '@stillwater/kernel/contracts';
import { el, svg } from './dom.js';

const W = 440;
const H = 180;
const PAD = { left: 48, right: 14, top: 12, bottom: 26 };

/** Numeric metric names reported by any of the runs, sorted. */
export function numericMetrics(runs: readonly RunRecord[]): string[] {
  const names = new Set<string>();
  for (const r of runs) for (const [k, v] of Object.entries(r.metrics)) if (typeof v === 'number') names.add(k);
  return [...names].sort();
}

/** The runs that reported `metric` as a number, oldest first. */
export function trendPoints(runs: readonly RunRecord[], metric: string): { run: RunRecord; value: number }[] {
  return runs
    .filter((r) => typeof r.metrics[metric] === 'number')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .map((run) => ({ run, value: run.metrics[metric] as number }));
}

export interface TrendChartOptions {
  /** The runs of one pipeline. */
  runs: readonly RunRecord[];
  metric: string;
  trans: TranslationBundle;
  /** Runs ticked for comparison (their points are marked). */
  picked?: readonly string[];
  onMetric: (metric: string) => void;
  /** A point was clicked: tick or untick its run. */
  onPoint?: (runId: string) => void;
}

export function trendChart({ runs, metric, trans, picked = [], onMetric, onPoint }: TrendChartOptions): HTMLElement {
  const box = el('div', 'sw-trend');
  const bar = el('div', 'sw-trend-bar');
  const pick = el('select', 'jp-mod-styled sw-trend-metric');
  for (const m of numericMetrics(runs)) {
    const o = el('option', '', m);
    o.value = m;
    o.selected = m === metric;
    pick.append(o);
  }
  pick.addEventListener('change', () => onMetric(pick.value));
  bar.append(el('span', 'sw-section', trans.__('Trend of')), pick);
  box.append(bar);
  const points = trendPoints(runs, metric);
  if (points.length === 0) {
    box.append(el('p', 'sw-muted', trans.__('No run reported this metric.')));
    return box;
  }
  const values = points.map((p) => p.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const span = W - PAD.left - PAD.right;
  const x = (i: number) => PAD.left + (points.length === 1 ? span / 2 : (i * span) / (points.length - 1));
  const y = (v: number) => PAD.top + ((hi - v) * (H - PAD.top - PAD.bottom)) / (hi - lo);
  const chart = svg('svg', { class: 'sw-trend-chart', viewBox: `0 0 ${W} ${H}`, role: 'img' });
  chart.dataset.metric = metric;
  chart.setAttribute('aria-label', trans.__('%1 across %2 runs, oldest first', metric, points.length));
  chart.append(svg('rect', { class: 'sw-chart-bg', x: 0.5, y: 0.5, width: W - 1, height: H - 1 }));
  for (const v of [lo, hi]) {
    chart.append(svg('line', { class: 'sw-chart-grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    chart.append(text(PAD.left - 4, y(v) + 4, 'end', Number.isInteger(v) ? String(v) : v.toPrecision(4)));
  }
  // The oldest and newest run under the axis.
  chart.append(text(x(0), H - 6, points.length === 1 ? 'middle' : 'start', points[0]!.run.runId));
  if (points.length > 1) chart.append(text(x(points.length - 1), H - 6, 'end', points.at(-1)!.run.runId));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  chart.append(svg('path', { class: 'sw-chart-line', d: path }));
  points.forEach((p, i) => {
    const mark = picked.includes(p.run.runId) ? ' sw-picked' : '';
    const dot = svg('circle', {
      class: `sw-chart-point sw-status-${p.run.status}${mark}`,
      cx: x(i),
      cy: y(p.value),
      r: 5,
    });
    dot.dataset.runId = p.run.runId;
    dot.dataset.value = String(p.value);
    const tip = svg('title');
    tip.textContent = `${p.run.runId}: ${metric} = ${p.value}`;
    dot.append(tip);
    if (onPoint) {
      // Points are keyboard-reachable too: Tab to one, Enter or Space ticks its run.
      dot.setAttribute('tabindex', '0');
      dot.setAttribute('role', 'button');
      dot.setAttribute('aria-label', tip.textContent);
      dot.addEventListener('click', () => onPoint(p.run.runId));
      dot.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        onPoint(p.run.runId);
      });
    }
    chart.append(dot);
  });
  box.append(chart);
  return box;
}

function text(x: number, y: number, anchor: 'start' | 'middle' | 'end', content: string): SVGTextElement {
  const t = svg('text', { class: 'sw-chart-label', x, y, 'text-anchor': anchor });
  t.textContent = content;
  return t;
}
