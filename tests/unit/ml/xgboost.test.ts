import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareTurbofan, simulateTurbofan } from '../../../kernel-lib/src/data/index.js';
import {
  FeatureMatrixError,
  featureMatrix,
  JsonModelError,
  ModelFormatError,
  parseLegacyModel,
  rocAuc,
  XGBoostError,
  XGBoostModel,
} from '../../../kernel-lib/src/ml/index.js';

describe('XGBoostModel', () => {
  let prepared: ReturnType<typeof prepareTurbofan>;
  let model: XGBoostModel;

  beforeAll(async () => {
    prepared = prepareTurbofan(simulateTurbofan({ seed: 3, trainUnits: 30, testUnits: 30 }), { rolling: 10 });
    model = await XGBoostModel.train(prepared.train.select(prepared.features), prepared.train.getChild('label')!, {
      rounds: 30,
      max_depth: 3,
      eta: 0.3,
    });
  });

  it('learns the simulator’s failure label from Arrow columns', () => {
    const p = model.predict(prepared.test);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p.length).toBe(prepared.test.numRows);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(rocAuc(prepared.test.getChild('label')!, p)).toBeGreaterThan(0.95);
    expect(model.featureNames).toEqual(prepared.features);
    expect(model.numTrees).toBe(30);
  });

  it('round-trips through bytes with names and parameters, predicting identically', async () => {
    const bytes = model.toBytes();
    const parsed = parseLegacyModel(bytes);
    expect(parsed.objective).toBe('binary:logistic');
    expect(JSON.parse(parsed.attributes.get('stillwater.feature_names')!)).toEqual(prepared.features);
    const again = await XGBoostModel.fromBytes(bytes);
    expect(again.featureNames).toEqual(prepared.features);
    expect(again.params).toMatchObject({ rounds: 30, max_depth: 3, eta: 0.3, objective: 'binary:logistic' });
    expect(Array.from(again.predict(prepared.test))).toEqual(Array.from(model.predict(prepared.test)));
    expect(again.toBytes()).toEqual(bytes);
    again.free();
  });

  it('computes importance over used features with consistent definitions', () => {
    const weight = model.featureImportance('weight');
    const total = model.featureImportance('total_gain');
    const gain = model.featureImportance('gain');
    expect(Object.keys(weight).every((k) => prepared.features.includes(k))).toBe(true);
    expect(Object.values(weight).reduce((a, b) => a + b, 0)).toBeGreaterThan(30);
    for (const k of Object.keys(weight)) expect(gain[k]).toBeCloseTo(total[k]! / weight[k]!, 9);
  });

  it('trains from plain columns and treats NaN / null as missing', async () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? Number.NaN : i));
    const y = Float32Array.from({ length: 200 }, (_, i) => (i >= 100 ? 1 : 0));
    const m = await XGBoostModel.train({ columns: { x } }, y, { rounds: 5 });
    const p = m.predict({ columns: { x: [5, 150, Number.NaN] } });
    expect(p[0]).toBeLessThan(0.5);
    expect(p[1]).toBeGreaterThan(0.5);
    m.free();
    const withNull = new Table({ x: vectorFromArray([1, null, 3], new Float64()) });
    expect(Array.from(featureMatrix(withNull).data)).toEqual([1, -1, 3]);
    expect(featureMatrix({ columns: { a: [-1, Number.NaN] } }).data).toEqual(
      Float32Array.from([-1.0000001192092896, -1]),
    );
  });

  it('rejects bad parameters, labels, shapes, freed models and garbage bytes', async () => {
    const t = prepared.train.select(prepared.features.slice(0, 2));
    const labels = prepared.train.getChild('label')!;
    await expect(XGBoostModel.train(t, labels, { objective: 'binary:nonsense' as never })).rejects.toThrow(
      new XGBoostError(
        "unknown objective 'binary:nonsense' (supported: binary:logistic, binary:logitraw, reg:linear, reg:logistic, reg:gamma, reg:tweedie, count:poisson, multi:softmax, multi:softprob, rank:pairwise, rank:ndcg, survival:cox)",
      ),
    );
    await expect(XGBoostModel.train(t, labels, { rounds: 0 })).rejects.toThrow(
      'parameter rounds must be a positive integer, got 0',
    );
    await expect(XGBoostModel.train(t, labels, { eta: 2 })).rejects.toThrow('parameter eta must be in (0, 1], got 2');
    await expect(XGBoostModel.train(t, [0, 1], {})).rejects.toThrow(
      new FeatureMatrixError(`2 labels for ${t.numRows} feature rows`),
    );
    await expect(XGBoostModel.train({ columns: { a: [1, 2] } }, [0, 3])).rejects.toThrow(
      'label at row 1 is 3; objective binary:logistic needs labels in [0, 1]',
    );
    await expect(XGBoostModel.train({ columns: { a: [1, 2], b: [1] } }, [0, 1])).rejects.toThrow(
      "feature column 'b' has 1 rows, 'a' has 2",
    );
    expect(() => model.predict(prepared.test.select(['unit', 'cycle']))).toThrow(
      `feature column '${prepared.features[0]}' not found (columns: unit, cycle)`,
    );
    const m = await XGBoostModel.fromBytes(model.toBytes());
    m.free();
    expect(() => m.predict(prepared.test)).toThrow(new XGBoostError('this XGBoost model was freed'));
    await expect(XGBoostModel.fromBytes(new Uint8Array(10))).rejects.toThrow(
      new ModelFormatError(0, 'truncated: learner parameters needs 136 bytes, 10 left'),
    );
    const truncated = model.toBytes().slice(0, 5000);
    await expect(XGBoostModel.fromBytes(truncated)).rejects.toThrow(
      /^XGBoost model bytes, offset \d+: truncated: tree \d+ nodes/,
    );
  });
});

describe('model formats we do not read', () => {
  it('names incomplete JSON models and XGBoost ≥ 1.0 binary models', async () => {
    // JSON models are read (tests/unit/ml/model-json.test.ts); an incomplete one names what is missing.
    await expect(XGBoostModel.fromBytes(new TextEncoder().encode('{"learner":{}}'))).rejects.toThrow(
      new JsonModelError('learner.gradient_booster', 'expected an object'),
    );
    const binf = new Uint8Array(200);
    binf.set(new TextEncoder().encode('binf'));
    await expect(XGBoostModel.fromBytes(binf)).rejects.toThrow(
      "XGBoost model bytes, offset 0: this is an XGBoost ≥ 1.0 binary model ('binf'); only the legacy (< 1.0) format is supported",
    );
  });
});
