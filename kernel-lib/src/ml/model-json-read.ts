/**
 * Reads an XGBoost JSON model (1.x/2.x schema, gbtree, numerical splits, one
 * target) into the parsed legacy model, so the WASM build can predict with it
 * (encodeLegacyModel gives the bytes). Anything the WASM build cannot
 * represent is refused with the JSON path that holds it.
 */
import { JsonModelError } from './errors.js';
import type { LegacyModel, Tree } from './model-format.js';
import { baseScoreFromJson, objectiveFromJson } from './model-objectives.js';

const NAMES_ATTR = 'stillwater.feature_names';

type Json = Record<string, unknown>;

function object(v: unknown, at: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new JsonModelError(at, 'expected an object');
  return v as Json;
}

function numbers(v: unknown, at: string, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number' && typeof x !== 'boolean')) {
    throw new JsonModelError(at, `expected ${length} numbers`);
  }
  return v.map(Number);
}

/** A number written as a string ("5E-1"; 2.x writes base_score as "[5E-1]"). */
function numberString(v: unknown, at: string): number {
  const text = typeof v === 'string' ? v.replace(/^\[(.*)\]$/, '$1') : String(v);
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new JsonModelError(at, `expected a number, got ${JSON.stringify(v)}`);
  return n;
}

function readTree(raw: unknown, at: string): Tree {
  const t = object(raw, at);
  const numNodes = numberString(object(t.tree_param, `${at}.tree_param`).num_nodes, `${at}.tree_param.num_nodes`);
  const arr = (key: string) => numbers(t[key], `${at}.${key}`, numNodes);
  const splitType = t.split_type === undefined ? [] : arr('split_type');
  if (splitType.some((s) => s !== 0))
    throw new JsonModelError(`${at}.split_type`, 'categorical splits are not supported');
  const left = Int32Array.from(arr('left_children'));
  const right = Int32Array.from(arr('right_children'));
  const leafChildCount = new Int32Array(numNodes);
  for (let n = 0; n < numNodes; n++) {
    if (left[n] === -1) continue;
    for (const child of [left[n]!, right[n]!]) {
      if (!(child > n && child < numNodes)) {
        throw new JsonModelError(`${at}.left_children[${n}]`, `child ${child} is not a node after ${n} in ${numNodes}`);
      }
    }
    leafChildCount[n] = Number(left[left[n]!] === -1) + Number(left[right[n]!] === -1);
  }
  return {
    numRoots: 1,
    numNodes,
    left,
    right,
    splitIndex: Uint32Array.from(arr('split_indices')),
    defaultLeft: Uint8Array.from(arr('default_left')),
    value: Float32Array.from(arr('split_conditions')),
    lossChange: Float32Array.from(arr('loss_changes')),
    sumHessian: Float32Array.from(arr('sum_hessian')),
    baseWeight: Float32Array.from(arr('base_weights')),
    leafChildCount,
  };
}

/**
 * Parses XGBoost JSON text into the model structure the legacy writer takes.
 * @throws JsonModelError naming the JSON path of what cannot be read.
 */
export function jsonToLegacy(text: string): LegacyModel {
  let root: Json;
  try {
    root = object(JSON.parse(text), '$');
  } catch (cause) {
    if (cause instanceof JsonModelError) throw cause;
    throw new JsonModelError('$', `not JSON (${(cause as Error).message})`);
  }
  const learner = object(root.learner, 'learner');
  const booster = object(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') {
    throw new JsonModelError(
      'learner.gradient_booster.name',
      `booster '${String(booster.name)}' is not supported (gbtree only)`,
    );
  }
  const params = object(learner.learner_model_param, 'learner.learner_model_param');
  const numTarget =
    params.num_target === undefined ? 1 : numberString(params.num_target, 'learner.learner_model_param.num_target');
  if (numTarget !== 1)
    throw new JsonModelError('learner.learner_model_param.num_target', `${numTarget} targets; only 1 is supported`);
  const objectiveJson = object(learner.objective, 'learner.objective');
  const objective = objectiveFromJson(String(objectiveJson.name));
  const poisson = objectiveJson.poisson_regression_param as Json | undefined;
  const model = object(booster.model, 'learner.gradient_booster.model');
  if (!Array.isArray(model.trees))
    throw new JsonModelError('learner.gradient_booster.model.trees', 'expected an array');
  const trees = model.trees.map((t, i) => readTree(t, `learner.gradient_booster.model.trees[${i}]`));
  const numFeature = numberString(params.num_feature, 'learner.learner_model_param.num_feature');
  trees.forEach((tree, i) => {
    const bad = tree.splitIndex.findIndex((f, n) => tree.left[n] !== -1 && f >= numFeature);
    if (bad >= 0) {
      throw new JsonModelError(
        `learner.gradient_booster.model.trees[${i}].split_indices[${bad}]`,
        `feature ${tree.splitIndex[bad]} of ${numFeature}`,
      );
    }
  });
  const numClass = numberString(params.num_class ?? '0', 'learner.learner_model_param.num_class');
  const attributes = new Map(
    Object.entries(object(learner.attributes ?? {}, 'learner.attributes')).map(([k, v]) => [k, String(v)]),
  );
  const names = learner.feature_names;
  if (!attributes.has(NAMES_ATTR) && Array.isArray(names) && names.length > 0) {
    attributes.set(NAMES_ATTR, JSON.stringify(names.map(String)));
  }
  return {
    baseScore: baseScoreFromJson(objective, numberString(params.base_score, 'learner.learner_model_param.base_score')),
    numFeature,
    numClass,
    objective,
    booster: 'gbtree',
    numOutputGroup: Math.max(1, numClass),
    trees,
    treeInfo: Int32Array.from(numbers(model.tree_info, 'learner.gradient_booster.model.tree_info', trees.length)),
    attributes,
    ...(objective === 'count:poisson' ? { maxDeltaStep: String(poisson?.max_delta_step ?? '0.7') } : {}),
    evalMetrics: [],
    boosterEnd: 0,
  };
}
