import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestThreshold,
  binaryMetrics,
  confusionMatrix,
  f1Score,
  rocAuc,
  rocCurve,
  thresholdSweep,
} from '../../../kernel-lib/src/ml/metrics.js';
import { MetricsError } from '../../../kernel-lib/src/ml/errors.js';

const y = [0, 0, 1, 1, 0, 1, 0, 1];
const s = [0.1, 0.4, 0.35, 0.8, 0.6, 0.9, 0.2, 0.5];

describe('metrics', () => {
  it('counts the confusion matrix with score ≥ threshold as positive', () => {
    expect(confusionMatrix(y, s, 0.5)).toEqual({ tp: 3, fp: 1, tn: 3, fn: 1 });
    expect(confusionMatrix([1], [0.5], 0.5)).toEqual({ tp: 1, fp: 0, tn: 0, fn: 0 });
  });

  it('computes F1, ROC-AUC and average precision like scikit-learn', () => {
    expect(f1Score(y, s)).toBe(0.75);
    // 16 positive/negative pairs, 13 ordered correctly: AUC = 13/16.
    expect(rocAuc(y, s)).toBeCloseTo(13 / 16, 12);
    // Ranked: .9(1) .8(1) .6(0) .5(1) .4(0) .35(1) → AP = (1 + 1 + 3/4 + 4/6) / 4.
    expect(averagePrecision(y, s)).toBeCloseTo((1 + 1 + 3 / 4 + 4 / 6) / 4, 12);
  });

  it('groups tied scores into one ROC point', () => {
    const roc = rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]);
    expect(roc.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.9, 0.5, 0.2]);
    expect(roc.tpr).toEqual([0, 0.5, 1, 1]);
    expect(roc.fpr).toEqual([0, 0, 0.5, 1]);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
  });

  it('sweeps thresholds and picks the best F1', () => {
    const sweep = thresholdSweep(y, s, [0.3, 0.5, 0.7]);
    expect(sweep.map((p) => p.f1)).toEqual([f1Score(y, s, 0.3), f1Score(y, s, 0.5), f1Score(y, s, 0.7)]);
    expect(bestThreshold(sweep).threshold).toBe(0.3);
    expect(thresholdSweep(y, s)).toHaveLength(19);
  });

  it('reports NaN AUCs for a single class in binaryMetrics but throws in rocAuc', () => {
    const m = binaryMetrics([0, 0, 0], [0.1, 0.7, 0.2]);
    expect(m.rocAuc).toBeNaN();
    expect(m.prAuc).toBeNaN();
    expect(m.precision).toBe(0);
    expect(m.confusion).toEqual({ tp: 0, fp: 1, tn: 2, fn: 0 });
    expect(() => rocAuc([0, 0], [0.1, 0.2])).toThrow(
      new MetricsError('rocCurve: ROC is undefined when only one class is present (0 positives, 2 negatives)'),
    );
  });

  it('rejects bad inputs with the offending row', () => {
    expect(() => f1Score([0, 1], [0.2])).toThrow(new MetricsError('confusionMatrix: 2 labels but 1 scores'));
    expect(() => f1Score([0, 2], [0.2, 0.3])).toThrow('confusionMatrix: label at row 1 is 2; labels must be 0 or 1');
    expect(() => rocAuc([0, 1], [0.2, Number.NaN])).toThrow('rocCurve: score at row 1 is NaN; must be finite');
    expect(() => binaryMetrics([], [])).toThrow('binaryMetrics: no rows');
  });
});
