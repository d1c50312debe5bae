/**
 * XGBoost's JSON model format (the schema of XGBoost's doc/model.schema, as
 * native 1.7 writes it), to and from the parsed legacy model. Written from the
 * trained trees themselves, so native XGBoost loads it without the "model
 * from XGBoost < 1.0" path, and feature names travel as `feature_names`.
 */
import { JsonModelError } from './errors.js';
import type { LegacyModel, Tree } from './model-format.js';
import { baseScoreToJson, objectiveToJson } from './model-objectives.js';

/** The 1.x schema this writer follows (1.7's: num_target, split_type, categories). */
const SCHEMA_VERSION = [1, 7, 0];
const NAMES_ATTR = 'stillwater.feature_names';
const ROOT_PARENT = 2147483647;

/** XGBoost's float notation ("5E-1", "-1.8769231E0"): the shortest digits that read back as the same f32. */
export function f32Literal(x: number): string {
  if (!Number.isFinite(x)) throw new JsonModelError('tree', `non-finite value ${x} cannot be written as JSON`);
  let digits = 1;
  while (digits < 9 && Math.fround(Number(x.toExponential(digits - 1))) !== x) digits++;
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  return `${Object.is(x, -0) ? '-' : ''}${mantissa}E${Number(exponent)}`;
}

/** JSON numbers that stay floats when XGBoost's reader sees them (it types "0" as an integer). */
class Floats {
  constructor(readonly values: ArrayLike<number>) {}
}

function stringify(value: unknown): string {
  if (value instanceof Floats) return `[${Array.from(value.values, f32Literal).join(',')}]`;
  if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number>).join(',')}]`;
  if (Array.isArray(value)) return `[${value.map(stringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringify(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function treeToJson(tree: Tree, id: number, numFeature: number): Record<string, unknown> {
  const n = tree.numNodes;
  const parents = new Int32Array(n).fill(ROOT_PARENT);
  for (let i = 0; i < n; i++) {
    if (tree.left[i] !== -1) parents[tree.left[i]!] = parents[tree.right[i]!] = i;
  }
  return {
    base_weights: new Floats(tree.baseWeight),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: tree.defaultLeft,
    id,
    left_children: tree.left,
    loss_changes: new Floats(tree.lossChange),
    parents,
    right_children: tree.right,
    split_conditions: new Floats(tree.value),
    split_indices: tree.splitIndex,
    split_type: new Uint8Array(n),
    sum_hessian: new Floats(tree.sumHessian),
    tree_param: { num_deleted: '0', num_feature: String(numFeature), num_nodes: String(n), size_leaf_vector: '0' },
  };
}

/**
 * The model as XGBoost JSON text. Learner attributes are kept; the feature
 * names (`stillwater.feature_names`) also fill `feature_names`.
 * @throws JsonModelError for a dart booster or an objective without a JSON form.
 */
export function legacyToJson(model: LegacyModel): string {
  if (model.booster !== 'gbtree') {
    throw new JsonModelError(
      'learner.gradient_booster',
      `booster '${model.booster}' has no JSON writer here (gbtree only)`,
    );
  }
  if (model.trees.some((t) => t.numRoots !== 1)) {
    throw new JsonModelError('learner.gradient_booster', 'trees with several roots have no JSON form');
  }
  const names = model.attributes.get(NAMES_ATTR);
  const featureNames: string[] = names ? JSON.parse(names) : [];
  const json = {
    learner: {
      attributes: Object.fromEntries(model.attributes),
      feature_names: featureNames,
      feature_types: featureNames.map(() => 'float'),
      gradient_booster: {
        model: {
          gbtree_model_param: {
            num_parallel_tree: '1',
            num_trees: String(model.trees.length),
            size_leaf_vector: '0',
          },
          tree_info: model.treeInfo,
          trees: model.trees.map((t, i) => treeToJson(t, i, model.numFeature)),
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: f32Literal(baseScoreToJson(model.objective, model.baseScore)),
        boost_from_average: '0',
        num_class: String(model.numClass),
        num_feature: String(model.numFeature),
        num_target: '1',
      },
      objective: objectiveToJson(model.objective, model.numClass, model.maxDeltaStep),
    },
    version: SCHEMA_VERSION,
  };
  return stringify(json);
}
