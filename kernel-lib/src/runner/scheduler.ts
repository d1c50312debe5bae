/**
 * Topological scheduling over the engine's slots. A node starts as soon as all its
 * dependencies succeeded and the engine grants it a slot (engine/engine.ts, `Slots`:
 * the engine owns the `--concurrency` count); when a node fails, everything
 * downstream of it is skipped while independent branches carry on. After
 * cancellation nothing new starts and whatever has not started is skipped.
 *
 * A node asking for several slots (`limit:cpu:N`) that cannot have them yet reserves
 * them: no node after it in the spec's order starts until it has — otherwise lighter
 * nodes would take each freed slot and it could wait until all of them are done.
 */
import type { DagNode } from './dag.js';
import type { Slots } from './engine/engine.js';

export type NodeOutcome = 'succeeded' | 'failed' | 'cancelled';
export type ScheduleOutcome = NodeOutcome | 'skipped';

/** A node to schedule: `slots` is how many `--concurrency` slots it holds while it runs (default 1). */
export interface ScheduleNode extends DagNode {
  slots?: number;
}

export interface ScheduleOptions<T extends ScheduleNode> {
  slots: Slots;
  /** Runs one node; a rejected promise counts as `failed`. */
  run: (node: T) => Promise<NodeOutcome>;
  /** Called once per node that will never run, with the reason. */
  onSkip?: (node: T, reason: string) => void;
  signal?: AbortSignal;
}

/** Runs `nodes` (deps among themselves only) and resolves with every node's outcome. */
export async function schedule<T extends ScheduleNode>(
  nodes: readonly T[],
  options: ScheduleOptions<T>,
): Promise<Map<string, ScheduleOutcome>> {
  const outcome = new Map<string, ScheduleOutcome>();
  const pending = new Map(nodes.map((n) => [n.name, n]));
  const inFlight = new Set<string>();
  const { slots } = options;

  return new Promise((resolve) => {
    let finished = false;
    let pumping = false;
    let again = false;

    const skip = (node: T, reason: string) => {
      pending.delete(node.name);
      outcome.set(node.name, 'skipped');
      options.onSkip?.(node, reason);
    };

    /** Propagates failures and cancellation to nodes that can no longer run. */
    const propagate = () => {
      let changed = true;
      while (changed) {
        changed = false;
        for (const node of [...pending.values()]) {
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
    };

    /** Starts every node whose dependencies succeeded and which gets a slot. */
    const start = (): boolean => {
      let refused = false;
      let reserved = false;
      for (const node of [...pending.values()]) {
        if (!node.deps.every((d) => outcome.get(d) === 'succeeded')) continue;
        if (reserved || !slots.tryAcquire(node.name, node.slots)) {
          refused = true;
          // Freed slots wait for a heavier node refused here, rather than go to lighter ones after it.
          if ((node.slots ?? 1) > 1) reserved = true;
          continue;
        }
        pending.delete(node.name);
        inFlight.add(node.name);
        options
          .run(node)
          .catch((): NodeOutcome => 'failed')
          .then((o) => {
            inFlight.delete(node.name);
            outcome.set(node.name, o);
            // Releasing calls `pump` back (the slot is free), as does a freed booting slot.
            slots.release(node.name, o === 'succeeded');
            pump();
          });
      }
      return refused;
    };

    const pump = () => {
      if (finished) return;
      // Slots call back while a pump is under way (a skipped node's process freed its slot).
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      let refused: boolean;
      do {
        again = false;
        propagate();
        refused = start();
      } while (again);
      pumping = false;
      if (inFlight.size === 0 && !refused) {
        // Nothing running and nothing startable: deps outside the node set can never be met.
        for (const node of [...pending.values()]) skip(node, 'depends on a step outside this run');
        finished = true;
        resolve(outcome);
      }
    };

    slots.onFree(pump);
    options.signal?.addEventListener('abort', () => pump(), { once: true });
    pump();
  });
}
