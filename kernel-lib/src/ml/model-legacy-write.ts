/**
 * Writes the legacy XGBoost binary model (layout in model-format.ts) from a
 * parsed model — the way back from XGBoost's JSON format to the bytes the WASM
 * build loads. `encodeLegacyModel(parseLegacyModel(b))` reproduces `b`.
 */
import type { LegacyModel, Tree } from './model-format.js';

const LEARNER_PARAM_BYTES = 136;
const GBTREE_PARAM_BYTES = 160;
const TREE_PARAM_BYTES = 148;

class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  at = 0;
  private room(n: number): DataView {
    if (this.at + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
      bigger.set(this.buf);
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    return this.view;
  }
  zeros(n: number): number {
    this.room(n);
    const start = this.at;
    this.at += n; // the buffer is zero-filled
    return start;
  }
  i32(v: number): void {
    this.room(4).setInt32(this.at, v, true);
    this.at += 4;
  }
  f32(v: number): void {
    this.room(4).setFloat32(this.at, v, true);
    this.at += 4;
  }
  u64(v: number): void {
    this.room(8).setBigUint64(this.at, BigInt(v), true);
    this.at += 8;
  }
  string(s: string): void {
    const body = new TextEncoder().encode(s);
    this.u64(body.length);
    this.room(body.length);
    this.buf.set(body, this.at);
    this.at += body.length;
  }
  setI32(offset: number, v: number): void {
    this.view.setInt32(offset, v, true);
  }
  setF32(offset: number, v: number): void {
    this.view.setFloat32(offset, v, true);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

/** Parent of every node: -1 for roots, the high bit set for a left child (XGBoost's encoding). */
function parents(tree: Tree): Int32Array {
  const parent = new Int32Array(tree.numNodes).fill(-1);
  for (let n = 0; n < tree.numNodes; n++) {
    if (tree.left[n] === -1) continue;
    parent[tree.left[n]!] = n | 0x80000000;
    parent[tree.right[n]!] = n;
  }
  return parent;
}

function writeTree(w: Writer, tree: Tree, numFeature: number): void {
  const param = w.zeros(TREE_PARAM_BYTES);
  w.setI32(param, tree.numRoots);
  w.setI32(param + 4, tree.numNodes);
  w.setI32(param + 16, numFeature);
  const parent = parents(tree);
  for (let n = 0; n < tree.numNodes; n++) {
    w.i32(parent[n]!);
    w.i32(tree.left[n]!);
    w.i32(tree.right[n]!);
    w.i32(tree.splitIndex[n]! | (tree.defaultLeft[n]! << 31) | 0);
    w.f32(tree.value[n]!);
  }
  for (let n = 0; n < tree.numNodes; n++) {
    w.f32(tree.lossChange[n]!);
    w.f32(tree.sumHessian[n]!);
    w.f32(tree.baseWeight[n]!);
    w.i32(tree.leafChildCount[n]!);
  }
}

/** The legacy binary model of `model` (gbtree only; attributes with keys sorted, as XGBoost writes them). */
export function encodeLegacyModel(model: LegacyModel): Uint8Array {
  const w = new Writer();
  const learner = w.zeros(LEARNER_PARAM_BYTES);
  w.setF32(learner, model.baseScore);
  w.setI32(learner + 4, model.numFeature);
  w.setI32(learner + 8, model.numClass);
  w.setI32(learner + 12, model.attributes.size > 0 ? 1 : 0);
  w.setI32(learner + 16, model.evalMetrics.length > 0 ? 1 : 0);
  w.string(model.objective);
  w.string(model.booster);
  const gbtree = w.zeros(GBTREE_PARAM_BYTES);
  w.setI32(gbtree, model.trees.length);
  w.setI32(gbtree + 4, 1);
  w.setI32(gbtree + 8, model.numFeature);
  w.setI32(gbtree + 24, model.numOutputGroup);
  for (const tree of model.trees) writeTree(w, tree, model.numFeature);
  for (const group of model.treeInfo) w.i32(group);
  if (model.attributes.size > 0) {
    const keys = [...model.attributes.keys()].sort();
    w.u64(keys.length);
    for (const k of keys) {
      w.string(k);
      w.string(model.attributes.get(k)!);
    }
  }
  if (model.objective === 'count:poisson') w.string(model.maxDeltaStep ?? '0.7');
  if (model.evalMetrics.length > 0) {
    w.u64(model.evalMetrics.length);
    for (const name of model.evalMetrics) w.string(name);
  }
  return w.bytes();
}
