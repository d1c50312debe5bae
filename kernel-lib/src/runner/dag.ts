/**
 * The runner's view of a pipeline's DAG: a loaded spec's dependencies must name its
 * own steps and form no cycle (the order itself is pipeline/graph.ts's
 * `topologicalOrder`, the one definition), and `--from` selects a step's descendants.
 */
import { topologicalOrder } from '../pipeline/graph.js';
import { PipelineLoadError } from './errors.js';

export interface DagNode {
  name: string;
  deps: readonly string[];
}

/** Throws a PipelineLoadError for a dependency on an unknown step, or a cycle. */
export function checkDependencies(nodes: readonly DagNode[]): void {
  const names = new Set(nodes.map((n) => n.name));
  for (const n of nodes) {
    for (const d of n.deps) {
      if (!names.has(d)) throw new PipelineLoadError(`step \`${n.name}\` depends on unknown step \`${d}\``);
    }
  }
  try {
    topologicalOrder(nodes);
  } catch (err) {
    throw new PipelineLoadError((err as Error).message);
  }
}

/** Every step that (transitively) depends on `name`, not including `name`. */
export function descendants(nodes: readonly DagNode[], name: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const n of nodes) for (const d of n.deps) children.set(d, [...(children.get(d) ?? []), n.name]);
  const out = new Set<string>();
  const stack = [...(children.get(name) ?? [])];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (out.has(c)) continue;
    out.add(c);
    stack.push(...(children.get(c) ?? []));
  }
  return out;
}
