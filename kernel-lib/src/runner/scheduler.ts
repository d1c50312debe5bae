/**
 * Topological scheduling with bounded concurrency. A node starts as soon as all
 * its dependencies succeeded and a slot is free; when a node fails, everything
 * downstream of it is skipped while independent branches carry on. After
 * cancellation nothing new starts and whatever has not started is skipped.
 */
import type { DagNode } from './dag.js';

export type NodeOutcome = 'succeeded' | 'failed' | 'cancelled';
export type ScheduleOutcome = NodeOutcome | 'skipped';

export interface ScheduleOptions<T extends DagNode> {
  concurrency: number;
  /** Runs one node; a rejected promise counts as `failed`. */
  run: (node: T) => Promise<NodeOutcome>;
  /** Called once per node that will never run, with the reason. */
  onSkip?: (node: T, reason: string) => void;
  signal?: AbortSignal;
}

/** Runs `nodes` (deps among themselves only) and resolves with every node's outcome. */
export async function schedule<T extends DagNode>(
  nodes: readonly T[],
  options: ScheduleOptions<T>,
): Promise<Map<string, ScheduleOutcome>> {
  const outcome = new Map<string, ScheduleOutcome>();
  const pending = new Map(nodes.map((n) => [n.name, n]));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  let running = 0;

  return new Promise((resolve) => {
    const skip = (node: T, reason: string) => {
      pending.delete(node.name);
      outcome.set(node.name, 'skipped');
      options.onSkip?.(node, reason);
    };

    const pump = () => {
      // Propagate failures and cancellation to nodes that can no longer run.
      let changed = true;
      while (changed) {
        changed = false;
        for (const node of pending.values()) {
          if (options.signal?.aborted) {
            skip(node, 'run cancelled');
            changed = true;
            continue;
          }
          const bad = node.deps.find((d) => {
            const o = outcome.get(d);
            return o === 'failed' || o === 'skipped' || o === 'cancelled';
          });
          if (bad !== undefined) {
            const o = outcome.get(bad);
            skip(node, o === 'failed' ? `upstream step \`${bad}\` failed` : `upstream step \`${bad}\` ${o}`);
            changed = true;
          }
        }
      }
      for (const node of [...pending.values()]) {
        if (running >= concurrency) break;
        if (!node.deps.every((d) => outcome.get(d) === 'succeeded')) continue;
        pending.delete(node.name);
        running++;
        options
          .run(node)
          .catch((): NodeOutcome => 'failed')
          .then((o) => {
            running--;
            outcome.set(node.name, o);
            pump();
          });
      }
      if (running === 0) {
        // Nothing running and nothing startable: deps outside the node set can never be met.
        for (const node of [...pending.values()]) skip(node, 'depends on a step outside this run');
        resolve(outcome);
      }
    };

    options.signal?.addEventListener('abort', () => pump(), { once: true });
    pump();
  });
}
