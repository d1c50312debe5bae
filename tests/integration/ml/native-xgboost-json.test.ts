/**
 * Acceptance for issue 16 item 5 on the real C-MAPSS FD001 (../shared/cmapss): a model
 * trained in WASM and stored by the registry as XGBoost JSON loads in Debian's native
 * XGBoost 1.7 through `Booster.load_model` — without the "< 1.0" legacy warning — and
 * predicts the same (max abs diff ≤ 1e-6) on the FD001 test features. The JSON native
 * XGBoost saves back reads in our WASM model with the same predictions, and equals, tree
 * for tree, native's own conversion of the legacy bytes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it, onTestFinished } from 'vitest';
import { prepareTurbofan, readCmapssDir } from '../../../kernel-lib/src/data/index.js';
import { Lakehouse } from '../../../kernel-lib/src/lakehouse/index.js';
import { featureMatrix, ModelRegistry, XGBoostModel } from '../../../kernel-lib/src/ml/index.js';
import { systemPython } from '../../helpers/paths.js';
import { describeWithShared, sharedPath } from '../../helpers/shared-data.js';

const run = promisify(execFile);

const NATIVE = `
import json, sys, numpy as np, xgboost as xgb
d, cols = sys.argv[1], int(sys.argv[2])
names = json.load(open(d + "/names.json"))
X = np.fromfile(d + "/test.f32", dtype=np.float32).reshape(-1, cols)
b = xgb.Booster()
b.load_model(d + "/model.json")
p = b.predict(xgb.DMatrix(X, missing=-1.0, feature_names=names))
b.save_model(d + "/native-saved.json")
legacy = xgb.Booster()
legacy.load_model(d + "/model.bin")
legacy.save_model(d + "/native-from-legacy.json")
print(json.dumps({"version": xgb.__version__, "pred": p.astype(float).tolist(), "names": b.feature_names,
  "attrs": b.attributes()}))
`;

describeWithShared('cmapss/train_FD001.txt', 'XGBoost JSON model in native XGBoost 1.7 (FD001)', () => {
  it('loads with Booster.load_model and predicts within 1e-6; native-saved JSON reads back', async () => {
    const prepared = prepareTurbofan(await readCmapssDir(sharedPath('cmapss')), { window: 20, rolling: 30 });
    const model = await XGBoostModel.train(
      prepared.train.select(prepared.features),
      prepared.train.getChild('label')!,
      {
        eta: 0.1,
        max_depth: 4,
        rounds: 200,
        tree_method: 'hist',
      },
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-json-model-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // Through the registry: the JSON copy it stores is what native XGBoost gets.
    const registry = new ModelRegistry(new Lakehouse(path.join(dir, 'lake')).table('gold/models'));
    const version = await registry.register('turbofan', model);
    expect(version.jsonSha256).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(path.join(dir, 'model.json'), await registry.modelBytes('turbofan', 'latest', 'json'));
    writeFileSync(path.join(dir, 'model.bin'), await registry.modelBytes('turbofan', 'latest', 'legacy'));
    writeFileSync(path.join(dir, 'names.json'), JSON.stringify(model.featureNames));
    const m = featureMatrix(prepared.test, model.featureNames);
    writeFileSync(path.join(dir, 'test.f32'), m.data);

    const { stdout, stderr } = await run(systemPython, ['-c', NATIVE, dir, String(m.cols)], {
      env: { ...process.env, PYTHONPATH: '' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    const native = JSON.parse(lines.at(-1)!);
    expect(native.version).toMatch(/^1\.7\./);
    expect(native.names).toEqual(prepared.features);
    expect(JSON.parse(native.attrs['stillwater.feature_names'])).toEqual(prepared.features);
    // Only the legacy model (loaded second, for the comparison below) takes native's "< 1.0" path.
    expect(`${stdout}${stderr}`.match(/XGBoost < 1\.0\.0/g) ?? []).toHaveLength(1);

    const ours = model.predict(prepared.test);
    const maxDiff = (theirs: ArrayLike<number>) =>
      Array.from(ours).reduce((m, v, i) => Math.max(m, Math.abs(v - theirs[i]!)), 0);
    const nativeDiff = maxDiff(native.pred);
    const reread = await XGBoostModel.fromBytes(readFileSync(path.join(dir, 'native-saved.json')));
    const rereadDiff = maxDiff(reread.predict(prepared.test));
    console.log(
      `FD001: ${ours.length} test rows × ${m.cols} features, ${model.numTrees} trees; JSON in native XGBoost ` +
        `${native.version}: max abs diff ${nativeDiff.toExponential(2)}; native-saved JSON back in WASM: ` +
        `${rereadDiff.toExponential(2)}`,
    );
    expect(ours.length).toBe(prepared.test.numRows);
    expect(nativeDiff).toBeLessThanOrEqual(1e-6);
    expect(rereadDiff).toBeLessThanOrEqual(1e-6);

    // Tree for tree what native writes when it converts the legacy bytes itself.
    const mine = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).learner;
    const theirs = JSON.parse(readFileSync(path.join(dir, 'native-from-legacy.json'), 'utf8')).learner;
    expect(mine.gradient_booster).toEqual(theirs.gradient_booster);
    expect(mine.learner_model_param).toEqual(theirs.learner_model_param);
    expect(mine.objective).toEqual(theirs.objective);
    reread.free();
    model.free();
  }, 120_000);
});
