/**
 * `runs compare A B`: which parameters differ and how the metrics moved.
 */
import type { MetricValue } from './events.js';
import type { RunRecord } from './records.js';

export interface ParamDiff {
  name: string;
  a: unknown;
  b: unknown;
  changed: boolean;
}
export interface MetricDiff {
  name: string;
  a: MetricValue | undefined;
  b: MetricValue | undefined;
  /** b − a when both are numbers. */
  delta: number | null;
}
export interface RunComparison {
  a: string;
  b: string;
  samePipeline: boolean;
  params: ParamDiff[];
  metrics: MetricDiff[];
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  const names = (x: object, y: object) => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  return {
    a: a.runId,
    b: b.runId,
    samePipeline: a.pipeline === b.pipeline,
    params: names(a.params, b.params).map((name) => {
      const va = a.params[name];
      const vb = b.params[name];
      return { name, a: va, b: vb, changed: JSON.stringify(va) !== JSON.stringify(vb) };
    }),
    metrics: names(a.metrics, b.metrics).map((name) => {
      const va = a.metrics[name];
      const vb = b.metrics[name];
      return { name, a: va, b: vb, delta: typeof va === 'number' && typeof vb === 'number' ? vb - va : null };
    }),
  };
}
