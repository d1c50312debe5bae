/**
 * Feature importance from a parsed model, with native XGBoost's definitions
 * (`Booster.get_score`): for every split reachable from a root, `weight`
 * counts splits per feature, `total_gain` / `total_cover` sum the split's loss
 * change / hessian cover, and `gain` / `cover` are those sums per split.
 */
import type { LegacyModel } from './model-format.js';

export type ImportanceType = 'weight' | 'gain' | 'cover' | 'total_gain' | 'total_cover';

/** Importance per feature name (features never split on are absent, as in XGBoost). */
export function featureImportance(
  model: LegacyModel,
  names: readonly string[],
  type: ImportanceType = 'gain',
): Record<string, number> {
  const weight = new Map<number, number>();
  const gain = new Map<number, number>();
  const cover = new Map<number, number>();
  for (const tree of model.trees) {
    const stack: number[] = [];
    for (let root = 0; root < tree.numRoots; root++) stack.push(root);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (tree.left[n] === -1) continue; // leaf
      const f = tree.splitIndex[n]!;
      weight.set(f, (weight.get(f) ?? 0) + 1);
      gain.set(f, (gain.get(f) ?? 0) + tree.lossChange[n]!);
      cover.set(f, (cover.get(f) ?? 0) + tree.sumHessian[n]!);
      stack.push(tree.left[n]!, tree.right[n]!);
    }
  }
  const out: Record<string, number> = {};
  for (const [f, w] of [...weight].sort((a, b) => a[0] - b[0])) {
    const name = names[f] ?? `f${f}`;
    out[name] =
      type === 'weight'
        ? w
        : type === 'total_gain'
          ? gain.get(f)!
          : type === 'total_cover'
            ? cover.get(f)!
            : type === 'gain'
              ? gain.get(f)! / w
              : cover.get(f)! / w;
  }
  return out;
}
