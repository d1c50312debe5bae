/**
 * Which step to launch ahead of its turn (STEP-CONTRACT.md, "Launching ahead"): a
 * step's process is started while its upstream steps still compute, boots and loads
 * its imports, and waits for its command line on stdin — Node start-up and module
 * loading leave the critical path. The launcher (launcher.ts) owns the processes and
 * the slots; this module only decides.
 *
 * A step qualifies once every dependency is done or running past its own start-up
 * (it said it is ready), and at least one still runs (else it starts now anyway).
 * When several qualify, the one heading the longest chain of descendants goes first:
 * it is the likeliest to be on the critical path.
 */

/** Where a dependency stands, as far as launching its dependants ahead is concerned. */
export type DependencyState = 'done' | 'ready' | 'booting' | 'not-started' | 'failed';

/** What deciding needs of a step: its name and dependencies. */
export interface DagStep {
  name: string;
  deps: readonly string[];
}

/** Every dependency done or ready, and at least one ready (still running). */
export function qualifiesToLaunchAhead(deps: readonly DependencyState[]): boolean {
  return deps.includes('ready') && deps.every((s) => s === 'ready' || s === 'done');
}

/** Steps in launch priority order: longest chain of descendants first, then the given order. */
export function byLaunchPriority<T extends DagStep>(steps: readonly T[]): T[] {
  const height = chainLengths(steps);
  return [...steps].sort((a, b) => height.get(b.name)! - height.get(a.name)!);
}

/** For each step, the number of steps on the longest chain of its descendants. */
function chainLengths(steps: readonly DagStep[]): Map<string, number> {
  const children = new Map<string, string[]>(steps.map((s) => [s.name, []]));
  for (const s of steps) for (const d of s.deps) children.get(d)?.push(s.name);
  const length = new Map<string, number>();
  const visit = (name: string): number => {
    const known = length.get(name);
    if (known !== undefined) return known;
    const n = Math.max(0, ...children.get(name)!.map((c) => 1 + visit(c)));
    length.set(name, n);
    return n;
  };
  for (const s of steps) visit(s.name);
  return length;
}
