/**
 * Reader for the legacy XGBoost binary model (the format ml-xgboost's WASM
 * build saves, and native XGBoost ≥ 1.0 still loads). Layout, little endian:
 *
 *   LearnerModelParam (136 B): f32 base_score, u32 num_feature, i32 num_class,
 *     i32 contain_extra_attrs, i32 contain_eval_metrics, i32 reserved[29]
 *   string objective, string booster          (u64 length + bytes)
 *   GBTreeModelParam (160 B): i32 num_trees, num_roots, num_feature, pad,
 *     i64 num_pbuffer, i32 num_output_group, size_leaf_vector, reserved[32]
 *   per tree: TreeParam (148 B: i32 num_roots, num_nodes, num_deleted,
 *     max_depth, num_feature, size_leaf_vector, reserved[31]),
 *     nodes (20 B each: i32 parent, cleft, cright, u32 sindex, f32 value),
 *     stats (16 B each: f32 loss_chg, sum_hess, base_weight, i32 leaf_child_cnt)
 *   i32 tree_info[num_trees]
 *   [if contain_extra_attrs] u64 count + (string key, string value) pairs
 *   [if objective is count:poisson] string max_delta_step
 *   [if contain_eval_metrics] u64 count + strings
 *
 * We read it for feature importance (split features, gain, cover) and to
 * carry feature names inside the bytes as learner attributes, which both the
 * WASM build and native XGBoost keep.
 */
import { ModelFormatError } from './errors.js';

const LEARNER_PARAM_BYTES = 136;
const GBTREE_PARAM_BYTES = 160;
const TREE_PARAM_BYTES = 148;
const NODE_BYTES = 20;
const STAT_BYTES = 16;

/** One regression tree, as parallel arrays indexed by node id. */
export interface Tree {
  numRoots: number;
  numNodes: number;
  left: Int32Array;
  right: Int32Array;
  /** Split feature index (low 31 bits of sindex). */
  splitIndex: Uint32Array;
  defaultLeft: Uint8Array;
  /** Split threshold for inner nodes, leaf value for leaves. */
  value: Float32Array;
  lossChange: Float32Array;
  sumHessian: Float32Array;
  baseWeight: Float32Array;
  /** How many of a node's children are leaves (XGBoost's pruner keeps it; JSON drops it). */
  leafChildCount: Int32Array;
}

export interface LegacyModel {
  baseScore: number;
  numFeature: number;
  numClass: number;
  objective: string;
  booster: string;
  /** Output groups (classes for multi:*, else 1). */
  numOutputGroup: number;
  trees: Tree[];
  /** Output group of each tree. */
  treeInfo: Int32Array;
  attributes: Map<string, string>;
  /** count:poisson's max_delta_step, which the legacy format keeps after the attributes. */
  maxDeltaStep?: string;
  /** Names of the evaluation metrics saved with the model. */
  evalMetrics: string[];
  /** Byte offset where the booster section ends (attributes start here). */
  boosterEnd: number;
}

class Reader {
  private readonly view: DataView;
  offset = 0;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (this.offset + n > this.bytes.byteLength) {
      throw new ModelFormatError(
        this.offset,
        `truncated: ${what} needs ${n} bytes, ${this.bytes.byteLength - this.offset} left`,
      );
    }
  }
  i32(at: number): number {
    return this.view.getInt32(at, true);
  }
  string(what: string): string {
    this.need(8, `${what} length`);
    const len = Number(this.view.getBigUint64(this.offset, true));
    this.need(8 + len, what);
    const s = new TextDecoder().decode(this.bytes.subarray(this.offset + 8, this.offset + 8 + len));
    this.offset += 8 + len;
    return s;
  }
}

/**
 * Parses legacy binary model bytes.
 * @throws ModelFormatError naming the byte offset of truncated or implausible data,
 *   or for a booster other than gbtree.
 */
export function parseLegacyModel(bytes: Uint8Array): LegacyModel {
  const r = new Reader(bytes);
  // Formats this reader does not handle, named so the error says what to do.
  if (bytes[0] === 0x7b)
    throw new ModelFormatError(0, 'this is a JSON model; read it with jsonToLegacy (XGBoostModel.fromBytes does)');
  if (bytes[0] === 0x62 && bytes[1] === 0x69 && bytes[2] === 0x6e && bytes[3] === 0x66) {
    throw new ModelFormatError(
      0,
      "this is an XGBoost ≥ 1.0 binary model ('binf'); only the legacy (< 1.0) format is supported",
    );
  }
  r.need(LEARNER_PARAM_BYTES, 'learner parameters');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const baseScore = view.getFloat32(0, true);
  const numFeature = view.getUint32(4, true);
  const numClass = r.i32(8);
  const hasAttributes = r.i32(12) !== 0;
  const hasEvalMetrics = r.i32(16) !== 0;
  r.offset = LEARNER_PARAM_BYTES;
  const objective = r.string('objective name');
  const booster = r.string('booster name');
  if (booster !== 'gbtree' && booster !== 'dart') {
    throw new ModelFormatError(LEARNER_PARAM_BYTES, `booster '${booster}' is not a tree booster`);
  }
  if (!/^[a-z]+:[a-z_:]+$/i.test(objective)) {
    throw new ModelFormatError(LEARNER_PARAM_BYTES, `implausible objective name '${objective.slice(0, 40)}'`);
  }
  r.need(GBTREE_PARAM_BYTES, 'tree booster parameters');
  const numTrees = r.i32(r.offset);
  const numOutputGroup = r.i32(r.offset + 24);
  if (numTrees < 0 || numTrees > 10_000_000) {
    throw new ModelFormatError(r.offset, `implausible tree count ${numTrees}`);
  }
  r.offset += GBTREE_PARAM_BYTES;
  const trees: Tree[] = [];
  for (let t = 0; t < numTrees; t++) {
    r.need(TREE_PARAM_BYTES, `tree ${t} parameters`);
    const numRoots = r.i32(r.offset);
    const numNodes = r.i32(r.offset + 4);
    const leafVector = r.i32(r.offset + 20);
    if (numNodes < 1 || numRoots < 1 || numRoots > numNodes) {
      throw new ModelFormatError(r.offset, `tree ${t}: implausible node count ${numNodes} (roots ${numRoots})`);
    }
    r.offset += TREE_PARAM_BYTES;
    r.need(numNodes * (NODE_BYTES + STAT_BYTES), `tree ${t} nodes`);
    const tree: Tree = {
      numRoots,
      numNodes,
      left: new Int32Array(numNodes),
      right: new Int32Array(numNodes),
      splitIndex: new Uint32Array(numNodes),
      defaultLeft: new Uint8Array(numNodes),
      value: new Float32Array(numNodes),
      lossChange: new Float32Array(numNodes),
      sumHessian: new Float32Array(numNodes),
      baseWeight: new Float32Array(numNodes),
      leafChildCount: new Int32Array(numNodes),
    };
    for (let n = 0; n < numNodes; n++) {
      const at = r.offset + n * NODE_BYTES;
      tree.left[n] = view.getInt32(at + 4, true);
      tree.right[n] = view.getInt32(at + 8, true);
      const sindex = view.getUint32(at + 12, true);
      tree.splitIndex[n] = sindex & 0x7fffffff;
      tree.defaultLeft[n] = sindex >>> 31;
      tree.value[n] = view.getFloat32(at + 16, true);
    }
    r.offset += numNodes * NODE_BYTES;
    for (let n = 0; n < numNodes; n++) {
      const at = r.offset + n * STAT_BYTES;
      tree.lossChange[n] = view.getFloat32(at, true);
      tree.sumHessian[n] = view.getFloat32(at + 4, true);
      tree.baseWeight[n] = view.getFloat32(at + 8, true);
      tree.leafChildCount[n] = view.getInt32(at + 12, true);
    }
    r.offset += numNodes * STAT_BYTES;
    if (leafVector !== 0) {
      r.need(8, `tree ${t} leaf vector`);
      const len = Number(view.getBigUint64(r.offset, true));
      r.offset += 8 + 4 * len;
    }
    trees.push(tree);
  }
  r.need(4 * numTrees, 'tree info');
  const treeInfo = Int32Array.from({ length: numTrees }, (_, t) => r.i32(r.offset + 4 * t));
  r.offset += 4 * numTrees;
  const boosterEnd = r.offset;
  const attributes = new Map<string, string>();
  if (hasAttributes) {
    r.need(8, 'attribute count');
    const count = Number(view.getBigUint64(r.offset, true));
    r.offset += 8;
    for (let i = 0; i < count; i++) {
      const key = r.string(`attribute ${i} key`);
      attributes.set(key, r.string(`attribute '${key}' value`));
    }
  }
  const maxDeltaStep = objective === 'count:poisson' ? r.string('max_delta_step') : undefined;
  const evalMetrics: string[] = [];
  if (hasEvalMetrics) {
    r.need(8, 'eval metric count');
    const count = Number(view.getBigUint64(r.offset, true));
    r.offset += 8;
    for (let i = 0; i < count; i++) evalMetrics.push(r.string(`eval metric ${i}`));
  }
  return {
    baseScore,
    numFeature,
    numClass,
    objective,
    booster,
    numOutputGroup: Math.max(1, numOutputGroup),
    trees,
    treeInfo,
    attributes,
    ...(maxDeltaStep === undefined ? {} : { maxDeltaStep }),
    evalMetrics,
    boosterEnd,
  };
}

function encodeString(s: string): Uint8Array {
  const body = new TextEncoder().encode(s);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
  out.set(body, 8);
  return out;
}

/**
 * The model bytes with learner attributes set (merged over existing ones, keys
 * sorted as XGBoost's std::map writes them). Everything else is kept as is.
 */
export function withAttributes(bytes: Uint8Array, attrs: Record<string, string>): Uint8Array {
  const model = parseLegacyModel(bytes);
  const merged = new Map([...model.attributes, ...Object.entries(attrs)]);
  const keys = [...merged.keys()].sort();
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(keys.length), true);
  const parts = [count, ...keys.flatMap((k) => [encodeString(k), encodeString(merged.get(k)!)])];
  // Whatever followed the old attributes (eval metric names) stays after the new ones.
  const tailStart =
    model.attributes.size > 0 || new DataView(bytes.buffer, bytes.byteOffset).getInt32(12, true) !== 0
      ? attributesEnd(bytes, model.boosterEnd)
      : model.boosterEnd;
  const head = bytes.slice(0, model.boosterEnd);
  new DataView(head.buffer).setInt32(12, 1, true);
  const tail = bytes.subarray(tailStart);
  const size = head.length + parts.reduce((n, p) => n + p.length, 0) + tail.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of [head, ...parts, tail]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Offset just past the attribute block that starts at `start`. */
function attributesEnd(bytes: Uint8Array, start: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Number(view.getBigUint64(start, true));
  let at = start + 8;
  for (let i = 0; i < 2 * count; i++) at += 8 + Number(view.getBigUint64(at, true));
  return at;
}
