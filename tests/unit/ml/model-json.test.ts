/**
 * XGBoost's JSON model format, written from the trained trees and read back:
 * the round trip keeps every tree byte, the reader refuses what the WASM build
 * cannot represent with the JSON path that holds it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareTurbofan, simulateTurbofan } from '../../../kernel-lib/src/data/index.js';
import {
  encodeLegacyModel,
  f32Literal,
  JsonModelError,
  jsonToLegacy,
  parseLegacyModel,
  XGBoostModel,
} from '../../../kernel-lib/src/ml/index.js';

/** Legacy bytes with the base score's sign bit cleared (JSON has no -0 margin). */
function unsignedBase(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[3]! &= 0x7f;
  return copy;
}

describe('XGBoost JSON model', () => {
  let prepared: ReturnType<typeof prepareTurbofan>;
  let model: XGBoostModel;

  beforeAll(async () => {
    prepared = prepareTurbofan(simulateTurbofan({ seed: 5, trainUnits: 20, testUnits: 20 }), { rolling: 10 });
    model = await XGBoostModel.train(prepared.train.select(prepared.features), prepared.train.getChild('label')!, {
      rounds: 12,
      max_depth: 3,
    });
  });

  it('writes floats as XGBoost does: the shortest digits that read back as the same f32', () => {
    expect(f32Literal(0.5)).toBe('5E-1');
    expect(f32Literal(61)).toBe('6.1E1');
    expect(f32Literal(0)).toBe('0E0');
    expect(f32Literal(Math.fround(-1.8769231))).toBe('-1.8769231E0');
    for (const x of [Math.fround(Math.PI), Math.fround(1e-30), Math.fround(-123456.789)]) {
      expect(Math.fround(Number(f32Literal(x)))).toBe(x);
    }
    expect(() => f32Literal(Number.NaN)).toThrow(JsonModelError);
  });

  it('legacy → JSON → legacy keeps every byte of the trees, attributes and parameters', () => {
    const bytes = model.toBytes();
    expect(encodeLegacyModel(parseLegacyModel(bytes))).toEqual(bytes);
    const json = JSON.parse(model.toJsonModel());
    expect(json.version).toEqual([1, 7, 0]);
    expect(json.learner.feature_names).toEqual(prepared.features);
    expect(json.learner.learner_model_param).toMatchObject({ base_score: '5E-1', num_target: '1' });
    expect(json.learner.objective).toEqual({ name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } });
    expect(json.learner.gradient_booster.model.trees).toHaveLength(12);
    expect(encodeLegacyModel(jsonToLegacy(model.toJsonModel()))).toEqual(unsignedBase(bytes));
  });

  it('fromBytes reads either format and predicts identically', async () => {
    const fromJson = await XGBoostModel.fromBytes(new TextEncoder().encode(model.toJsonModel()));
    expect(fromJson.featureNames).toEqual(prepared.features);
    expect(Array.from(fromJson.predict(prepared.test))).toEqual(Array.from(model.predict(prepared.test)));
    fromJson.free();
  });

  it('maps objectives and their base score between the formats (reg:linear is reg:squarederror)', async () => {
    const x = Float64Array.from({ length: 60 }, (_, i) => i);
    const y = Float32Array.from({ length: 60 }, (_, i) => (i % 7) + 1);
    for (const objective of ['reg:linear', 'count:poisson', 'reg:gamma'] as const) {
      const m = await XGBoostModel.train({ columns: { x } }, y, { rounds: 4, objective });
      const json = JSON.parse(m.toJsonModel());
      expect(json.learner.objective.name).toBe(objective === 'reg:linear' ? 'reg:squarederror' : objective);
      const back = await XGBoostModel.fromJsonModel(m.toJsonModel());
      const a = m.predict({ columns: { x: [3, 30, 59] } });
      const b = back.predict({ columns: { x: [3, 30, 59] } });
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(a[i]!));
      m.free();
      back.free();
    }
  });

  it('refuses JSON the WASM build cannot represent, naming the JSON path', () => {
    const good = JSON.parse(model.toJsonModel());
    const variant = (edit: (j: typeof good) => void) => {
      const j = structuredClone(good);
      edit(j);
      return JSON.stringify(j);
    };
    const refuse = (text: string, message: string) => {
      expect(() => jsonToLegacy(text)).toThrow(JsonModelError);
      expect(() => jsonToLegacy(text)).toThrow(message);
    };
    refuse('{"learner": ', 'XGBoost JSON model, $: not JSON');
    refuse(
      variant((j) => {
        j.learner.gradient_booster.name = 'dart';
      }),
      "learner.gradient_booster.name: booster 'dart' is not supported",
    );
    refuse(
      variant((j) => {
        j.learner.gradient_booster.model.trees[2].split_type[0] = 1;
      }),
      'trees[2].split_type: categorical splits are not supported',
    );
    refuse(
      variant((j) => {
        j.learner.gradient_booster.model.trees[0].left_children[0] = 0;
      }),
      'trees[0].left_children[0]: child 0 is not a node after 0',
    );
    refuse(
      variant((j) => {
        j.learner.gradient_booster.model.trees[1].split_indices[0] = 999;
      }),
      `trees[1].split_indices[0]: feature 999 of ${prepared.features.length}`,
    );
    refuse(
      variant((j) => {
        j.learner.objective.name = 'reg:absoluteerror';
      }),
      "learner.objective.name: objective 'reg:absoluteerror' is not one the WASM build can predict with",
    );
    refuse(
      variant((j) => {
        j.learner.learner_model_param.num_target = '3';
      }),
      'num_target: 3 targets; only 1 is supported',
    );
  });
});
