/**
 * Binary classification metrics with scikit-learn's definitions, so numbers
 * can be compared with Python references: a row is predicted positive when
 * its score ≥ threshold; precision / recall / F1 are 0 when undefined (like
 * `zero_division=0`); ROC-AUC is the trapezoidal area with tied scores
 * grouped; PR-AUC is average precision, Σ (Rₙ − Rₙ₋₁) Pₙ.
 */
import type { Vector } from 'apache-arrow';
import { MetricsError } from './errors.js';

type Numbers = ArrayLike<number> | Vector;

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface BinaryMetrics {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  prAuc: number;
  confusion: ConfusionMatrix;
  positives: number;
  rows: number;
}

function toArray(values: Numbers): ArrayLike<number> {
  return typeof (values as Vector).toArray === 'function'
    ? ((values as Vector).toArray() as ArrayLike<number>)
    : (values as ArrayLike<number>);
}

/** Validates labels (0/1) and scores (finite, same length). */
function inputs(yTrue: Numbers, scores: Numbers, what: string): { y: ArrayLike<number>; s: ArrayLike<number> } {
  const y = toArray(yTrue);
  const s = toArray(scores);
  if (y.length !== s.length) throw new MetricsError(`${what}: ${y.length} labels but ${s.length} scores`);
  if (y.length === 0) throw new MetricsError(`${what}: no rows`);
  for (let i = 0; i < y.length; i++) {
    const v = Number(y[i]);
    if (v !== 0 && v !== 1) throw new MetricsError(`${what}: label at row ${i} is ${y[i]}; labels must be 0 or 1`);
    if (!Number.isFinite(Number(s[i]))) throw new MetricsError(`${what}: score at row ${i} is ${s[i]}; must be finite`);
  }
  return { y, s };
}

/** Counts of true/false positives/negatives at `threshold` (positive when score ≥ threshold). */
export function confusionMatrix(yTrue: Numbers, scores: Numbers, threshold = 0.5): ConfusionMatrix {
  const { y, s } = inputs(yTrue, scores, 'confusionMatrix');
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const pos = Number(s[i]) >= threshold;
    if (Number(y[i]) === 1) pos ? c.tp++ : c.fn++;
    else pos ? c.fp++ : c.tn++;
  }
  return c;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Accuracy, precision, recall and F1 of a confusion matrix. */
export function rates(c: ConfusionMatrix): { accuracy: number; precision: number; recall: number; f1: number } {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
    precision,
    recall,
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  };
}

export const accuracy = (y: Numbers, s: Numbers, threshold = 0.5) => rates(confusionMatrix(y, s, threshold)).accuracy;
export const precision = (y: Numbers, s: Numbers, threshold = 0.5) => rates(confusionMatrix(y, s, threshold)).precision;
export const recall = (y: Numbers, s: Numbers, threshold = 0.5) => rates(confusionMatrix(y, s, threshold)).recall;
export const f1Score = (y: Numbers, s: Numbers, threshold = 0.5) => rates(confusionMatrix(y, s, threshold)).f1;

/**
 * Cumulative true/false positive counts at each distinct score, highest first
 * (the shared core of the ROC and precision-recall curves).
 */
function cumulativeCounts(y: ArrayLike<number>, s: ArrayLike<number>) {
  const order = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => Number(s[b]) - Number(s[a]));
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (Number(y[i]) === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || Number(s[next]) !== Number(s[i])) {
      thresholds.push(Number(s[i]));
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { thresholds, tps, fps, positives: tp, negatives: fp };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score thresholds; the first is +Infinity (nothing predicted positive). */
  thresholds: number[];
}

/**
 * The ROC curve at every distinct score.
 * @throws MetricsError when only one class is present (the curve is undefined).
 */
export function rocCurve(yTrue: Numbers, scores: Numbers): RocCurve {
  const { y, s } = inputs(yTrue, scores, 'rocCurve');
  const c = cumulativeCounts(y, s);
  if (c.positives === 0 || c.negatives === 0) {
    throw new MetricsError(
      `rocCurve: ROC is undefined when only one class is present (${c.positives} positives, ${c.negatives} negatives)`,
    );
  }
  return {
    fpr: [0, ...c.fps.map((f) => f / c.negatives)],
    tpr: [0, ...c.tps.map((t) => t / c.positives)],
    thresholds: [Number.POSITIVE_INFINITY, ...c.thresholds],
  };
}

/** Area under the ROC curve (trapezoidal, ties grouped — scikit-learn's roc_auc_score). */
export function rocAuc(yTrue: Numbers, scores: Numbers): number {
  const { fpr, tpr } = rocCurve(yTrue, scores);
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return area;
}

export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/**
 * Precision and recall at every distinct score, from the highest threshold down.
 * @throws MetricsError when there are no positive labels.
 */
export function precisionRecallCurve(yTrue: Numbers, scores: Numbers): PrecisionRecallCurve {
  const { y, s } = inputs(yTrue, scores, 'precisionRecallCurve');
  const c = cumulativeCounts(y, s);
  if (c.positives === 0) throw new MetricsError('precisionRecallCurve: no positive labels, recall is undefined');
  return {
    precision: c.tps.map((tp, i) => tp / (tp + c.fps[i]!)),
    recall: c.tps.map((tp) => tp / c.positives),
    thresholds: c.thresholds,
  };
}

/** Average precision, Σ (Rₙ − Rₙ₋₁) Pₙ (scikit-learn's average_precision_score). */
export function averagePrecision(yTrue: Numbers, scores: Numbers): number {
  const { precision: p, recall: r } = precisionRecallCurve(yTrue, scores);
  let ap = 0;
  let prev = 0;
  for (let i = 0; i < p.length; i++) {
    ap += (r[i]! - prev) * p[i]!;
    prev = r[i]!;
  }
  return ap;
}

/** PR-AUC as average precision. */
export const prAuc = averagePrecision;

export interface ThresholdPoint extends ConfusionMatrix {
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Metrics at each threshold (default 0.05, 0.10, …, 0.95), e.g. to choose an
 * operating point. Linear in rows per threshold.
 */
export function thresholdSweep(
  yTrue: Numbers,
  scores: Numbers,
  thresholds: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100),
): ThresholdPoint[] {
  inputs(yTrue, scores, 'thresholdSweep');
  return thresholds.map((threshold) => {
    const c = confusionMatrix(yTrue, scores, threshold);
    return { threshold, ...c, ...rates(c) };
  });
}

/** The sweep point with the highest F1 (the lowest threshold among ties). */
export function bestThreshold(points: readonly ThresholdPoint[]): ThresholdPoint {
  if (points.length === 0) throw new MetricsError('bestThreshold: empty sweep');
  return points.reduce((best, p) => (p.f1 > best.f1 ? p : best));
}

/**
 * Every metric at once. ROC-AUC and PR-AUC are NaN when undefined (a single
 * class) instead of throwing, so a report can still show the rest.
 */
export function binaryMetrics(yTrue: Numbers, scores: Numbers, threshold = 0.5): BinaryMetrics {
  const { y, s } = inputs(yTrue, scores, 'binaryMetrics');
  const confusion = confusionMatrix(y, s, threshold);
  const positives = confusion.tp + confusion.fn;
  const single = positives === 0 || positives === y.length;
  return {
    threshold,
    ...rates(confusion),
    rocAuc: single ? Number.NaN : rocAuc(y, s),
    prAuc: positives === 0 ? Number.NaN : averagePrecision(y, s),
    confusion,
    positives,
    rows: y.length,
  };
}
