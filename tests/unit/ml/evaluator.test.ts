import { describe, expect, it } from 'vitest';
import { EvaluationError, evaluateCandidate } from '../../../kernel-lib/src/ml/index.js';

const config = {
  thresholds: { f1: { min: 0.7 }, rocAuc: { min: 0.99 } },
  changes: { f1: { tolerance: 0.01 }, logloss: { better: 'lower' as const } },
};

describe('evaluateCandidate', () => {
  it('blesses a first model that passes the thresholds (no baseline to compare with)', () => {
    const r = evaluateCandidate({ f1: 0.76, rocAuc: 0.998, logloss: 0.02 }, undefined, config);
    expect(r.blessed).toBe(true);
    expect(r.checks.map((c) => c.kind)).toEqual(['threshold', 'threshold']);
    expect(r.summary).toBe('✓ f1 0.7600 ≥ 0.7000\n✓ rocAuc 0.9980 ≥ 0.9900');
  });

  it('refuses a candidate worse than the blessed model beyond the tolerance, explaining why', () => {
    const r = evaluateCandidate(
      { f1: 0.74, rocAuc: 0.996, logloss: 0.03 },
      { f1: 0.76, rocAuc: 0.998, logloss: 0.02 },
      config,
    );
    expect(r.blessed).toBe(false);
    expect(r.checks.filter((c) => !c.passed).map((c) => c.description)).toEqual([
      'f1 0.7400 vs blessed 0.7600 (-0.0200, tolerance 0.0100)',
      'logloss 0.0300 vs blessed 0.0200 (+0.0100, tolerance 0)',
    ]);
  });

  it('fails a threshold and names missing metrics', () => {
    expect(evaluateCandidate({ f1: 0.5, rocAuc: 0.999 }, undefined, { thresholds: config.thresholds }).blessed).toBe(
      false,
    );
    expect(() => evaluateCandidate({ f1: 0.8 }, undefined, config)).toThrow(
      new EvaluationError("the candidate has no numeric metric 'rocAuc' (metrics: f1)"),
    );
  });
});
