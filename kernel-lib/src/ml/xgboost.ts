/**
 * XGBoost models trained and evaluated in WebAssembly (ml-xgboost's XGBoost
 * build), straight from Arrow columns. This class is the contract the pipeline
 * compiler's marshalling relies on: `train`, `predict`, `toBytes`,
 * `fromBytes`, `featureImportance`, `featureNames`, `free`.
 *
 * `toBytes()` is the legacy XGBoost binary model; native XGBoost (≥ 1.0)
 * loads it and predicts the same. Feature names and training parameters travel
 * inside those bytes as learner attributes (`stillwater.feature_names`,
 * `stillwater.params`), so a model restored in another process still knows
 * which table columns to read.
 */
import type { Table, Vector } from 'apache-arrow';
import { FeatureMatrixError, XGBoostError } from './errors.js';
import { featureImportance, type ImportanceType } from './importance.js';
import { type FeatureInput, type FeatureMatrix, featureMatrix, labelArray } from './matrix.js';
import { parseLegacyModel, withAttributes } from './model-format.js';
import { legacyToJson } from './model-json.js';
import { jsonToLegacy } from './model-json-read.js';
import { encodeLegacyModel } from './model-legacy-write.js';
import { type XGBoostRuntime, xgboostRuntime } from './wasm.js';

/** Objectives the WASM build (XGBoost 0.7x) knows. */
export const OBJECTIVES = [
  'binary:logistic',
  'binary:logitraw',
  'reg:linear',
  'reg:logistic',
  'reg:gamma',
  'reg:tweedie',
  'count:poisson',
  'multi:softmax',
  'multi:softprob',
  'rank:pairwise',
  'rank:ndcg',
  'survival:cox',
] as const;

/**
 * Training parameters: XGBoost's own names (see XGBoost's parameter docs) plus
 * `rounds`, the number of boosting iterations. Unset values take XGBoost's
 * defaults, except `objective` (binary:logistic) and `tree_method` (hist,
 * about 5× faster than exact here).
 */
export interface XGBoostParams {
  rounds?: number;
  objective?: (typeof OBJECTIVES)[number];
  eta?: number;
  max_depth?: number;
  tree_method?: 'exact' | 'approx' | 'hist';
  subsample?: number;
  colsample_bytree?: number;
  min_child_weight?: number;
  gamma?: number;
  lambda?: number;
  alpha?: number;
  max_bin?: number;
  scale_pos_weight?: number;
  base_score?: number;
  num_class?: number;
  seed?: number;
  [other: string]: string | number | undefined;
}

const DEFAULTS = { rounds: 100, objective: 'binary:logistic', tree_method: 'hist' } as const;
const NAMES_ATTR = 'stillwater.feature_names';
const PARAMS_ATTR = 'stillwater.params';

/** Resolves defaults and rejects parameters that would abort inside WASM. */
function resolveParams(params: XGBoostParams): Record<string, string | number> {
  const out: Record<string, string | number> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  const rounds = out.rounds as number;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new XGBoostError(`parameter rounds must be a positive integer, got ${rounds}`);
  }
  if (!(OBJECTIVES as readonly string[]).includes(String(out.objective))) {
    throw new XGBoostError(`unknown objective '${out.objective}' (supported: ${OBJECTIVES.join(', ')})`);
  }
  if (!['exact', 'approx', 'hist'].includes(String(out.tree_method))) {
    throw new XGBoostError(`unknown tree_method '${out.tree_method}' (supported: exact, approx, hist)`);
  }
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new XGBoostError(`parameter ${k} must be finite, got ${v}`);
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw new XGBoostError(`parameter ${k} must be a number or a string, got ${typeof v}`);
    }
  }
  for (const k of ['eta', 'subsample', 'colsample_bytree'] as const) {
    const v = out[k];
    if (v !== undefined && !(Number(v) > 0 && Number(v) <= 1)) {
      throw new XGBoostError(`parameter ${k} must be in (0, 1], got ${v}`);
    }
  }
  if (out.max_depth !== undefined && !(Number.isInteger(Number(out.max_depth)) && Number(out.max_depth) >= 0)) {
    throw new XGBoostError(`parameter max_depth must be a non-negative integer, got ${out.max_depth}`);
  }
  return out;
}

function checkLabels(y: Float32Array, rows: number, objective: string, numClass: number | undefined): void {
  if (y.length !== rows) throw new FeatureMatrixError(`${y.length} labels for ${rows} feature rows`);
  const binary = objective === 'binary:logistic' || objective === 'reg:logistic';
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) throw new FeatureMatrixError(`label at row ${i} is ${v}; labels must be finite`);
    if (binary && (v < 0 || v > 1)) {
      throw new FeatureMatrixError(`label at row ${i} is ${v}; objective ${objective} needs labels in [0, 1]`);
    }
    if (objective.startsWith('multi:') && !(Number.isInteger(v) && v >= 0 && v < (numClass ?? 0))) {
      throw new FeatureMatrixError(`label at row ${i} is ${v}; ${objective} needs integer labels in [0, num_class)`);
    }
  }
}

/** Frees WASM boosters whose JS object was garbage-collected without `free()`. */
const finalizer = new FinalizationRegistry<{ rt: XGBoostRuntime; handle: number }>(({ rt, handle }) => {
  rt.wasm._free_memory_model(handle);
});

export class XGBoostModel {
  private handle: number;

  private constructor(
    private readonly rt: XGBoostRuntime,
    handle: number,
    /** Feature column names, in the order the model's feature indices refer to. */
    readonly featureNames: readonly string[],
    /** Parameters the model was trained with (empty for models from foreign bytes). */
    readonly params: Readonly<Record<string, string | number>>,
  ) {
    this.handle = handle;
    finalizer.register(this, { rt, handle }, this);
  }

  /**
   * Trains on the feature columns (every column of a table, in order) and labels.
   * @throws FeatureMatrixError for bad shapes, non-numeric columns or labels the objective rejects.
   * @throws XGBoostError for bad parameters or a failure inside XGBoost (with its log).
   */
  static async train(
    features: FeatureInput,
    labels: ArrayLike<number> | Vector,
    params: XGBoostParams = {},
  ): Promise<XGBoostModel> {
    const resolved = resolveParams(params);
    const rt = await xgboostRuntime();
    return XGBoostModel.trainMatrix(rt, featureMatrix(features), labelArray(labels), resolved);
  }

  /** Trains from a prepared matrix (used by `train` and the grid-search workers). */
  static async fromMatrix(
    matrix: FeatureMatrix,
    labels: Float32Array,
    params: XGBoostParams = {},
  ): Promise<XGBoostModel> {
    const resolved = resolveParams(params);
    return XGBoostModel.trainMatrix(await xgboostRuntime(), matrix, labels, resolved);
  }

  private static trainMatrix(
    rt: XGBoostRuntime,
    m: FeatureMatrix,
    y: Float32Array,
    params: Record<string, string | number>,
  ): XGBoostModel {
    if (m.rows === 0) throw new FeatureMatrixError('cannot train on 0 rows');
    const numClass = params.num_class === undefined ? undefined : Number(params.num_class);
    if (String(params.objective).startsWith('multi:') && !(numClass !== undefined && numClass >= 2)) {
      throw new XGBoostError(`objective ${params.objective} needs num_class ≥ 2`);
    }
    checkLabels(y, m.rows, String(params.objective), numClass);
    const { wasm } = rt;
    rt.clearLog();
    const px = wasm._malloc(m.data.byteLength);
    const py = wasm._malloc(y.byteLength);
    let handle = 0;
    try {
      wasm.HEAPF32.set(m.data, px >> 2);
      wasm.HEAPF32.set(y, py >> 2);
      handle = wasm._create_model(px, py, m.rows, m.cols);
      wasm._free(px);
      wasm._free(py);
      rt.setParam(handle, 'silent', '1');
      for (const [k, v] of Object.entries(params)) if (k !== 'rounds') rt.setParam(handle, k, String(v));
      wasm._train_full_model(handle, Number(params.rounds));
    } catch (cause) {
      throw new XGBoostError(`XGBoost training failed: ${String(cause)}\n${rt.recentLog().join('\n')}`, { cause });
    }
    return new XGBoostModel(rt, handle, m.names, params);
  }

  /**
   * Restores a model from `toBytes()` or `toJsonModel()` output: a legacy binary
   * model of XGBoost < 1.0 (its features are then named f0, f1, …) or an XGBoost
   * JSON model (gbtree, numerical splits). UBJSON and 'binf' are rejected.
   * @throws ModelFormatError for bytes that are not such a model.
   * @throws JsonModelError for a JSON model the WASM build cannot represent.
   * @throws XGBoostError if XGBoost refuses them.
   */
  static async fromBytes(bytes: Uint8Array): Promise<XGBoostModel> {
    if (bytes[0] === 0x7b) return XGBoostModel.fromJsonModel(new TextDecoder().decode(bytes));
    return XGBoostModel.fromLegacyBytes(bytes);
  }

  /** Restores a model from XGBoost JSON text (see `fromBytes`). */
  static async fromJsonModel(text: string): Promise<XGBoostModel> {
    return XGBoostModel.fromLegacyBytes(encodeLegacyModel(jsonToLegacy(text)));
  }

  private static async fromLegacyBytes(bytes: Uint8Array): Promise<XGBoostModel> {
    const parsed = parseLegacyModel(bytes); // reject garbage before WASM sees it
    const rt = await xgboostRuntime();
    const { wasm } = rt;
    rt.clearLog();
    const ptr = wasm._malloc(bytes.byteLength);
    wasm.HEAPU8.set(bytes, ptr);
    const handle = wasm._load_model(ptr, bytes.byteLength);
    wasm._free(ptr);
    if (handle === 0) throw new XGBoostError(`XGBoost could not load the model bytes\n${rt.recentLog().join('\n')}`);
    const namesAttr = parsed.attributes.get(NAMES_ATTR);
    const names: string[] = namesAttr
      ? JSON.parse(namesAttr)
      : Array.from({ length: parsed.numFeature }, (_, i) => `f${i}`);
    const params = JSON.parse(parsed.attributes.get(PARAMS_ATTR) ?? '{}');
    return new XGBoostModel(rt, handle, names, params);
  }

  private live(): number {
    if (this.handle === 0) throw new XGBoostError('this XGBoost model was freed');
    return this.handle;
  }

  /**
   * Predictions for every row: probabilities for binary:logistic, one value per
   * row (num_class per row, row-major, for multi:softprob). Columns are taken by
   * the model's feature names, so the table may hold other columns too.
   * @throws FeatureMatrixError when a feature column is missing.
   */
  predict(features: Table | FeatureInput): Float32Array {
    return this.predictMatrix(featureMatrix(features, this.featureNames));
  }

  /** Predictions for a prepared row-major matrix with the model's columns. */
  predictMatrix(m: FeatureMatrix): Float32Array {
    const handle = this.live();
    if (m.cols !== this.featureNames.length) {
      throw new FeatureMatrixError(`matrix has ${m.cols} columns, the model expects ${this.featureNames.length}`);
    }
    const { wasm } = this.rt;
    const rowBytes = m.cols * 4;
    const px = wasm._malloc(Math.max(4, m.data.byteLength));
    const out = wasm._malloc(4 * 1024);
    try {
      wasm.HEAPF32.set(m.data, px >> 2);
      if (m.rows === 0) return new Float32Array(0);
      // The WASM API predicts one row at a time; the matrix is copied in once
      // and each call just points at the next row, so the loop allocates nothing.
      const width = wasm._predict_one(handle, px, m.cols, out);
      const result = new Float32Array(m.rows * width);
      for (let r = 0; r < m.rows; r++) {
        if (r > 0) wasm._predict_one(handle, px + r * rowBytes, m.cols, out);
        const heap = wasm.HEAPF32; // re-read: the heap may have grown
        for (let k = 0; k < width; k++) result[r * width + k] = heap[(out >> 2) + k]!;
      }
      return result;
    } finally {
      wasm._free(px);
      wasm._free(out);
    }
  }

  /** The legacy binary model (what ml-xgboost's `toJSON().model` holds), with our attributes. */
  toBytes(): Uint8Array {
    return withAttributes(this.rawBytes(), {
      [NAMES_ATTR]: JSON.stringify(this.featureNames),
      [PARAMS_ATTR]: JSON.stringify(this.params),
    });
  }

  /**
   * The model in XGBoost's JSON model format (what native XGBoost ≥ 1.0 saves
   * as `model.json`), written from the trained trees, with feature names.
   * @throws JsonModelError for a booster or objective without a JSON form.
   */
  toJsonModel(): string {
    return legacyToJson(parseLegacyModel(this.toBytes()));
  }

  private rawBytes(): Uint8Array {
    const handle = this.live();
    const { wasm } = this.rt;
    const size = wasm._save_model(handle);
    if (size <= 0) throw new XGBoostError(`XGBoost could not save the model\n${this.rt.recentLog().join('\n')}`);
    const ptr = wasm._malloc(size);
    try {
      wasm._get_file_content(ptr, size);
      return wasm.HEAPU8.slice(ptr, ptr + size);
    } finally {
      wasm._free(ptr);
    }
  }

  /**
   * Importance per feature name with native XGBoost's definitions: `weight`
   * (number of splits), `gain` / `cover` (average per split), `total_gain`, `total_cover`.
   */
  featureImportance(type: ImportanceType = 'gain'): Record<string, number> {
    return featureImportance(parseLegacyModel(this.rawBytes()), this.featureNames, type);
  }

  /** Number of trees (boosting rounds × output groups). */
  get numTrees(): number {
    return parseLegacyModel(this.rawBytes()).trees.length;
  }

  /** Releases the WASM memory of the booster. Further calls fail with XGBoostError. */
  free(): void {
    if (this.handle === 0) return;
    finalizer.unregister(this);
    this.rt.wasm._free_memory_model(this.handle);
    this.handle = 0;
  }
}
