/**
 * Graph helpers over steps and their `deps`: topological order, ancestors and
 * descendants (for `--from`, `--only` and failure propagation).
 */
import { PipelineLoadError } from './errors.js';

export interface DagNode {
  name: string;
  deps: readonly string[];
}

/** Steps in a topological order, stable with respect to the given order. Throws on cycles or unknown deps. */
export function topologicalOrder<T extends DagNode>(nodes: readonly T[]): T[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const n of nodes) {
    for (const d of n.deps) {
      if (!byName.has(d)) throw new PipelineLoadError(`step \`${n.name}\` depends on unknown step \`${d}\``);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const out: T[] = [];
  const visit = (n: T, trail: string[]) => {
    const s = state.get(n.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new PipelineLoadError(`steps form a cycle: ${[...trail, n.name].join(' → ')}`);
    }
    state.set(n.name, 'visiting');
    for (const d of n.deps) visit(byName.get(d)!, [...trail, n.name]);
    state.set(n.name, 'done');
    out.push(n);
  };
  for (const n of nodes) visit(n, []);
  return out;
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

/** Every step `name` (transitively) depends on, not including `name`. */
export function ancestors(nodes: readonly DagNode[], name: string): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  const stack = [...(byName.get(name)?.deps ?? [])];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (out.has(d)) continue;
    out.add(d);
    stack.push(...(byName.get(d)?.deps ?? []));
  }
  return out;
}
