/**
 * Model evaluation in the spirit of TFX's Evaluator: a candidate is blessed
 * only if its metrics pass absolute thresholds ("F1 ≥ 0.7") and are not worse
 * than the currently blessed model's beyond a tolerance ("AUC may drop at
 * most 0.001"). The result lists every check, so a refusal is explainable.
 */
import { EvaluationError } from './errors.js';

export type Metrics = Readonly<Record<string, number>>;

export interface ValueThreshold {
  /** The metric must be ≥ this. */
  min?: number;
  /** The metric must be ≤ this. */
  max?: number;
}

export interface ChangeThreshold {
  /** Which direction is better. Default 'higher'. */
  better?: 'higher' | 'lower';
  /** How much worse than the baseline is tolerated (absolute). Default 0. */
  tolerance?: number;
}

export interface EvaluationConfig {
  thresholds?: Readonly<Record<string, ValueThreshold>>;
  /** Comparisons with the baseline (the blessed model); skipped when there is none. */
  changes?: Readonly<Record<string, ChangeThreshold>>;
}

export interface EvaluationCheck {
  metric: string;
  kind: 'threshold' | 'change';
  passed: boolean;
  description: string;
}

export interface EvaluationResult {
  /** True when every check passed. */
  blessed: boolean;
  checks: EvaluationCheck[];
  /** One line per check, e.g. `✓ f1 0.7603 ≥ 0.7`. */
  summary: string;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(4));

/**
 * Evaluates `candidate` metrics against thresholds and the `baseline` metrics.
 * @throws EvaluationError when a metric named in the config is missing or not a number.
 */
export function evaluateCandidate(
  candidate: Metrics,
  baseline: Metrics | undefined,
  config: EvaluationConfig,
): EvaluationResult {
  const value = (metrics: Metrics, name: string, whose: string) => {
    const v = metrics[name];
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new EvaluationError(
        `${whose} has no numeric metric '${name}' (metrics: ${Object.keys(metrics).join(', ') || 'none'})`,
      );
    }
    return v;
  };
  const checks: EvaluationCheck[] = [];
  for (const [metric, t] of Object.entries(config.thresholds ?? {})) {
    const v = value(candidate, metric, 'the candidate');
    if (t.min !== undefined) {
      checks.push({
        metric,
        kind: 'threshold',
        passed: v >= t.min,
        description: `${metric} ${fmt(v)} ${v >= t.min ? '≥' : '<'} ${fmt(t.min)}`,
      });
    }
    if (t.max !== undefined) {
      checks.push({
        metric,
        kind: 'threshold',
        passed: v <= t.max,
        description: `${metric} ${fmt(v)} ${v <= t.max ? '≤' : '>'} ${fmt(t.max)}`,
      });
    }
  }
  if (baseline) {
    for (const [metric, c] of Object.entries(config.changes ?? {})) {
      const v = value(candidate, metric, 'the candidate');
      const b = value(baseline, metric, 'the baseline');
      const tolerance = c.tolerance ?? 0;
      const delta = v - b;
      const passed = (c.better ?? 'higher') === 'higher' ? delta >= -tolerance : delta <= tolerance;
      checks.push({
        metric,
        kind: 'change',
        passed,
        description: `${metric} ${fmt(v)} vs blessed ${fmt(b)} (${delta >= 0 ? '+' : ''}${fmt(delta)}, tolerance ${fmt(tolerance)})`,
      });
    }
  }
  const summary = checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.description}`).join('\n');
  return { blessed: checks.every((c) => c.passed), checks, summary: summary || 'no checks configured' };
}
