/**
 * A model trained in WASM loads in native XGBoost 1.7 (Debian python3-xgboost)
 * and predicts the same; our importance matches native `get_score`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { prepareTurbofan, simulateTurbofan } from '../../../kernel-lib/src/data/index.js';
import { featureMatrix, XGBoostModel } from '../../../kernel-lib/src/ml/index.js';
import { systemPython } from '../../helpers/paths.js';

const run = promisify(execFile);

const NATIVE = `
import json, sys, numpy as np, xgboost as xgb
model, matrix, cols = sys.argv[1], sys.argv[2], int(sys.argv[3])
b = xgb.Booster()
b.load_model(model)
X = np.fromfile(matrix, dtype=np.float32).reshape(-1, cols)
p = b.predict(xgb.DMatrix(X, missing=-1.0))
print(json.dumps({
  "version": xgb.__version__,
  "pred": p.astype(float).tolist(),
  "attrs": b.attributes(),
  "importance": {t: b.get_score(importance_type=t) for t in ("weight", "gain", "cover", "total_gain", "total_cover")},
}))
`;

describe('WASM model in native XGBoost', () => {
  it('loads, predicts within 1e-5 and has the same feature importance', async () => {
    const prepared = prepareTurbofan(simulateTurbofan({ seed: 11, trainUnits: 40, testUnits: 40 }));
    const model = await XGBoostModel.train(
      prepared.train.select(prepared.features),
      prepared.train.getChild('label')!,
      {
        rounds: 60,
        max_depth: 4,
        eta: 0.2,
      },
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-native-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const modelPath = path.join(dir, 'model.bin');
    const matrixPath = path.join(dir, 'test.f32');
    writeFileSync(modelPath, model.toBytes());
    const m = featureMatrix(prepared.test, model.featureNames);
    writeFileSync(matrixPath, m.data);
    const { stdout } = await run(systemPython, ['-c', NATIVE, modelPath, matrixPath, String(m.cols)], {
      maxBuffer: 64 * 1024 * 1024,
    });
    // XGBoost prints a "model from XGBoost < 1.0.0" warning on stdout first.
    const native = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(native.version).toMatch(/^1\.7\./);
    const ours = model.predict(prepared.test);
    let maxDiff = 0;
    ours.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - native.pred[i]));
    });
    console.log(
      `native XGBoost ${native.version}: ${ours.length} predictions, max abs diff ${maxDiff.toExponential(2)}`,
    );
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    expect(JSON.parse(native.attrs['stillwater.feature_names'])).toEqual(prepared.features);
    // Native names features f0, f1, … (the legacy format has no names); map ours back.
    for (const type of ['weight', 'gain', 'cover', 'total_gain', 'total_cover'] as const) {
      const mine = model.featureImportance(type);
      const theirs: Record<string, number> = native.importance[type];
      expect(Object.keys(theirs).length).toBe(Object.keys(mine).length);
      for (const [f, v] of Object.entries(theirs)) {
        const name = model.featureNames[Number(f.slice(1))]!;
        expect(mine[name]).toBeDefined();
        expect(Math.abs(mine[name]! - v) / Math.max(1, Math.abs(v))).toBeLessThan(1e-5);
      }
    }
    model.free();
  });
});
