/** Our metrics against scikit-learn on the same random labels and scores (ties included). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Random } from '../../../kernel-lib/src/data/index.js';
import {
  averagePrecision,
  binaryMetrics,
  confusionMatrix,
  rocAuc,
  rocCurve,
  thresholdSweep,
} from '../../../kernel-lib/src/ml/index.js';
import { venvPython } from '../../helpers/paths.js';

const run = promisify(execFile);

const SKLEARN = `
import json, sys
import numpy as np
from sklearn import metrics as m
d = json.load(sys.stdin)
y, s = np.array(d["y"]), np.array(d["s"])
out = {}
for t in d["thresholds"]:
    p = (s >= t).astype(int)
    tn, fp, fn, tp = m.confusion_matrix(y, p, labels=[0, 1]).ravel()
    out[str(t)] = dict(accuracy=m.accuracy_score(y, p), precision=m.precision_score(y, p, zero_division=0),
                       recall=m.recall_score(y, p, zero_division=0), f1=m.f1_score(y, p, zero_division=0),
                       tp=int(tp), fp=int(fp), tn=int(tn), fn=int(fn))
fpr, tpr, thr = m.roc_curve(y, s, drop_intermediate=False)
print(json.dumps(dict(points=out, auc=m.roc_auc_score(y, s), ap=m.average_precision_score(y, s),
                      fpr=fpr.tolist(), tpr=tpr.tolist())))
`;

describe('metrics vs scikit-learn', () => {
  it('agree on random data with tied scores', async () => {
    const rng = new Random(5);
    const n = 3000;
    const y = Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : 0));
    // Rounded scores create many ties; positives score higher on average.
    const s = y.map((v) => Math.round(Math.min(1, Math.max(0, rng.normal(v ? 0.65 : 0.35, 0.2))) * 100) / 100);
    const thresholds = [0.1, 0.3, 0.5, 0.7, 0.9];
    const child = run(venvPython, ['-c', SKLEARN], { maxBuffer: 16 * 1024 * 1024 });
    child.child.stdin!.end(JSON.stringify({ y, s, thresholds }));
    const ref = JSON.parse((await child).stdout);
    expect(rocAuc(y, s)).toBeCloseTo(ref.auc, 12);
    expect(averagePrecision(y, s)).toBeCloseTo(ref.ap, 12);
    const roc = rocCurve(y, s);
    expect(roc.fpr.length).toBe(ref.fpr.length);
    roc.fpr.forEach((v, i) => {
      expect(v).toBeCloseTo(ref.fpr[i], 12);
    });
    roc.tpr.forEach((v, i) => {
      expect(v).toBeCloseTo(ref.tpr[i], 12);
    });
    for (const p of thresholdSweep(y, s, thresholds)) {
      const r = ref.points[String(p.threshold)];
      expect(p).toMatchObject({ tp: r.tp, fp: r.fp, tn: r.tn, fn: r.fn });
      for (const k of ['accuracy', 'precision', 'recall', 'f1'] as const) expect(p[k]).toBeCloseTo(r[k], 12);
    }
    const all = binaryMetrics(y, s, 0.5);
    expect(all.confusion).toEqual(confusionMatrix(y, s, 0.5));
    expect(all.f1).toBeCloseTo(ref.points['0.5'].f1, 12);
  });
});
