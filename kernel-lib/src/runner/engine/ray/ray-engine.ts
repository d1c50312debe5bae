/**
 * The Ray engine: runs each step attempt as a Ray task on an existing cluster,
 * through one driver per run (ray-driver.ts), so Ray's scheduler picks the node from
 * the step's `limit:` tags. The run around it — order, cache, retries, records — is
 * the same as with the local engine; only where and how a process starts differs.
 * Steps read and write the run's home and lakehouse by path, so every node must see
 * the same file system (a shared path; the storage interface is the seam for object
 * stores later). `limit:memory` is Ray's `memory` request and, as on the local engine,
 * a limit: the step's heap is bounded by it and the driver kills the step's process
 * group on its node once its resident memory exceeds it.
 */
import { cpuCount, memoryBytes } from '../../../pipeline/quantity.js';
import type { StepLimits } from '../../../pipeline/spec.js';
import { CountingSlots } from '../counting-slots.js';
import {
  type Engine,
  type EngineEvent,
  type EngineRun,
  type EngineRunPlan,
  type StepExit,
  type StepLaunch,
  heapLimitArgs,
  memoryLimitBytes,
} from '../engine.js';
import { StepSignals } from '../step-signals.js';
import { RayDriver, type RayLaunch, type RayNode, type RayStepEvent } from './ray-driver.js';

export interface RayEngineOptions {
  /** HOST:PORT of the cluster's GCS (`ray start --head --port`). */
  address: string;
  /** A Python with `ray` installed, matching the cluster's version. */
  python: string;
  /** The `node` every worker runs steps with (default: this process's, right for a cluster on this machine). */
  nodeBinary?: string;
}

/** GPU resources Kubernetes' device plugins name, which Ray counts as its `GPU`. */
const GPU_RESOURCES = new Set(['nvidia.com/gpu', 'amd.com/gpu']);
/** Node-local storage kinds Ray does not schedule by. */
const NOT_RAY_RESOURCES = /^(ephemeral-storage|hugepages-.*)$/;

/**
 * A step's `limit:` tags as a Ray resource request: cpu → `num_cpus`, memory → Ray's
 * `memory`, nvidia.com/gpu or amd.com/gpu → `num_gpus`, any other domain-qualified
 * resource (`limit:example.com/second:1`) → the custom resource of that name.
 */
export function rayResources(limits: StepLimits): Pick<RayLaunch, 'numCpus' | 'numGpus' | 'memory' | 'resources'> {
  const resources: Record<string, number> = {};
  let numGpus = 0;
  for (const [name, quantity] of Object.entries(limits)) {
    if (name === 'cpu' || name === 'memory' || quantity === undefined || NOT_RAY_RESOURCES.test(name)) continue;
    const n = Number(quantity);
    if (!Number.isFinite(n) || n <= 0) continue;
    if (GPU_RESOURCES.has(name)) numGpus += n;
    else resources[name] = n;
  }
  const memory = limits.memory === undefined ? undefined : memoryBytes(limits.memory);
  return {
    numCpus: (limits.cpu === undefined ? undefined : cpuCount(limits.cpu)) ?? 1,
    resources,
    ...(numGpus > 0 ? { numGpus } : {}),
    ...(memory ? { memory } : {}),
  };
}

/** How a node shows in events and records: its address, a short id, and its custom resources. */
export function nodeLabel(node: RayNode): string {
  const custom = node.resources.length > 0 ? ` [${node.resources.join(', ')}]` : '';
  return `ray:${node.address || '?'}/${node.id.slice(0, 8)}${custom}`;
}

export class RayEngine implements Engine {
  readonly name = 'ray';
  constructor(private readonly options: RayEngineOptions) {}

  async open(plan: EngineRunPlan): Promise<EngineRun> {
    const started = performance.now();
    const driver = await RayDriver.connect({ address: this.options.address, python: this.options.python });
    return new RayEngineRun(driver, plan, this.options.nodeBinary ?? process.execPath, performance.now() - started);
  }
}

const STDERR_TAIL_CHARS = 64 * 1024;

class RayEngineRun implements EngineRun {
  readonly slots: CountingSlots;

  constructor(
    private readonly driver: RayDriver,
    plan: EngineRunPlan,
    private readonly nodeBinary: string,
    readonly setupMs: number,
  ) {
    // --concurrency bounds the run here too; Ray's own resources bound each node.
    this.slots = new CountingSlots(plan.concurrency);
  }

  run(launch: StepLaunch, onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<StepExit> {
    const id = `${launch.runId}/${launch.step}/${launch.attempt}`;
    const started = performance.now();
    let node = 'ray:unscheduled';
    let stderrTail = '';
    const signals = new StepSignals();
    let memoryExceeded: StepExit['memoryExceeded'];
    let timedOut = false;
    let cancelled = false;
    const timers: NodeJS.Timeout[] = [];
    // Ray interrupts the task (the driver stops the step's process group with SIGTERM);
    // after the grace period it kills the worker outright.
    const stop = () => {
      this.driver.cancel(id, false);
      timers.push(setTimeout(() => this.driver.cancel(id, true), launch.killGraceMs));
    };
    const onAbort = () => {
      cancelled = true;
      stop();
    };

    return new Promise<StepExit>((resolve) => {
      const finish = (end: Partial<StepExit> & Pick<StepExit, 'exitCode' | 'signal'>) => {
        for (const t of timers) clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        resolve({
          stderrTail,
          timedOut,
          cancelled,
          durationMs: performance.now() - started,
          node,
          ...signals.exitFields(),
          ...(memoryExceeded ? { memoryExceeded } : {}),
          ...end,
        });
      };
      const onStepEvent = (e: RayStepEvent) => {
        switch (e.type) {
          case 'started':
            node = nodeLabel(e.node);
            onEvent({ type: 'started', node });
            return;
          case 'output':
            if (e.stream === 'stderr') stderrTail = (stderrTail + e.text).slice(-STDERR_TAIL_CHARS);
            onEvent(e);
            return;
          case 'signal':
            signals.read(e.line);
            return;
          case 'memory':
            memoryExceeded = { limit: launch.limits.memory ?? '?', residentBytes: e.residentBytes };
            return;
          case 'exit':
            finish({ exitCode: e.code, signal: e.signal });
            return;
          case 'lost': {
            // The node (or the worker under the step) died: the step's own stderr cannot say
            // so, so the engine adds the structured error line the run reads (STEP-CONTRACT.md).
            const where = e.node.id === 'unknown' ? node : nodeLabel(e.node);
            const message = `step \`${launch.step}\` was lost: Ray node ${where} went away while it ran (${e.message})`;
            stderrTail += `\n${JSON.stringify({ stillwaterError: { type: 'RayNodeLostError', message } })}\n`;
            finish({ exitCode: null, signal: null, node: where });
            return;
          }
          case 'rejected':
            finish({ exitCode: null, signal: null, spawnError: { name: 'RayResourcesError', message: e.message } });
        }
      };

      if (signal.aborted) {
        cancelled = true;
        finish({ exitCode: null, signal: null });
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      if (launch.timeoutMs != null && launch.timeoutMs > 0) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            stop();
          }, launch.timeoutMs),
        );
      }
      this.driver.launch(
        {
          id,
          // The heap bounded by `limit:memory` as on the local engine; the driver watches the rest.
          argv: [this.nodeBinary, ...heapLimitArgs(memoryLimitBytes(launch.limits)), launch.bundle, ...launch.args],
          env: launch.env,
          cwd: launch.cwd,
          ...rayResources(launch.limits),
        },
        onStepEvent,
      );
    });
  }

  drop(): void {}

  /** Nothing of this engine competes with the run's steps locally, so idle work runs now. */
  whenIdle(task: () => Promise<unknown>): void {
    void task().catch(() => {});
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
