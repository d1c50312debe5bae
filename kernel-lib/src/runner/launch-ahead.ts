/**
 * Launching steps ahead of their turn (STEP-CONTRACT.md, "Launching ahead"): a
 * step's process is started while its upstream steps still compute, boots and
 * loads its imports, and waits for its command line on stdin. Node start-up
 * and module loading then leave the critical path.
 *
 * Booting takes CPU, and on a small machine it is taken from the steps that are
 * computing. So a booting process occupies a slot of the run's concurrency like
 * a running step does (until it says it is ready, then it only waits), and is
 * only started once every running dependency has said it is ready (its own
 * start-up is over). When several steps qualify, the one heading the longest
 * chain of descendants goes first: it is the likeliest to be on the critical path.
 *
 * The runner's own background work (loading what recording the run needs) goes
 * last: once every step has started or been launched ahead, in a free slot.
 */
import type { PipelineStep } from '../pipeline/spec.js';
import { claimEarlyLaunch, discardEarlyLaunches } from './early-launch.js';
import { bundlePath } from './safe-paths.js';
import { type LaunchOptions, type StepProcess, bundleReadsArgsFromStdin, launchStepProcess } from './step-process.js';

/** Where a dependency stands, as far as launching its dependants ahead is concerned. */
export type DependencyState = 'done' | 'ready' | 'booting' | 'not-started' | 'failed';

/** What the planner needs to know about the run. */
export interface LaunchAheadHost {
  /** True for a selected step that has neither started nor finished (nor been skipped). */
  isWaiting(step: string): boolean;
  dependencyState(step: string): DependencyState;
  /** Steps executing right now. */
  runningCount(): number;
  launchOptions(step: PipelineStep): LaunchOptions;
}

export class LaunchAhead {
  private readonly waiting = new Map<string, StepProcess>();
  /** Waiting processes that have not said they are ready yet: these use a CPU. */
  private readonly booting = new Set<string>();
  private idleTask: (() => Promise<unknown>) | undefined;
  private idleRunning = false;
  private readonly supported = new Map<string, boolean>();
  /** Steps in launch priority order: longest chain of descendants first, then spec order. */
  private readonly byPriority: PipelineStep[];
  private stopped = false;

  constructor(
    steps: readonly PipelineStep[],
    private readonly pipelineDir: string,
    /** Running steps plus waiting processes at most (the run's concurrency); 0 turns launching ahead off. */
    private readonly slots: number,
    private readonly host: LaunchAheadHost,
  ) {
    const height = chainLengths(steps);
    this.byPriority = [...steps].sort((a, b) => height.get(b.name)! - height.get(a.name)!);
  }

  /** Runs `task` once, in a free slot, when no step is left to launch ahead (see `fill`). */
  whenIdle(task: () => Promise<unknown>): void {
    this.idleTask = task;
    this.fill();
  }

  private busySlots(): number {
    return this.host.runningCount() + this.booting.size + (this.idleRunning ? 1 : 0);
  }

  /** Launches ahead the steps that qualify, best first, while slots are free. Call when a step becomes ready or ends. */
  fill(): void {
    if (this.stopped || this.slots === 0) return;
    let unlaunched = 0;
    for (const step of this.byPriority) {
      if (this.waiting.has(step.name) || !this.host.isWaiting(step.name)) continue;
      unlaunched++;
      if (this.busySlots() >= this.slots || !this.qualifies(step) || !this.understandsArgsFromStdin(step)) continue;
      this.launch(step);
      unlaunched--;
    }
    if (unlaunched === 0 && this.idleTask && this.busySlots() < this.slots) {
      const task = this.idleTask;
      this.idleTask = undefined;
      this.idleRunning = true;
      task()
        .catch(() => {})
        .finally(() => {
          this.idleRunning = false;
          this.fill();
        });
    }
  }

  private launch(step: PipelineStep): void {
    const p = launchStepProcess(this.host.launchOptions(step));
    this.waiting.set(step.name, p);
    this.booting.add(step.name);
    void p.ready.then(() => {
      this.booting.delete(step.name);
      this.fill();
    });
  }

  /** Every dependency is done or running past its start-up, and at least one still runs (else it starts now anyway). */
  private qualifies(step: PipelineStep): boolean {
    const states = step.deps.map((d) => this.host.dependencyState(d));
    return states.includes('ready') && states.every((s) => s === 'ready' || s === 'done');
  }

  /**
   * The waiting process of `step`, taken for its run — unless it died while waiting
   * (its imports failed, say): then it is started afresh, which reports why.
   */
  take(step: string): StepProcess | undefined {
    const p = this.waiting.get(step) ?? this.claimEarly(step);
    this.waiting.delete(step);
    this.booting.delete(step);
    return p?.ended ? undefined : p;
  }

  /** A process the CLI started for this step before the run began (early-launch.ts), if it matches. */
  private claimEarly(step: string): StepProcess | undefined {
    const spec = this.byPriority.find((s) => s.name === step);
    return spec ? claimEarlyLaunch(this.host.launchOptions(spec)) : undefined;
  }

  /** Kills the waiting process of a step that will not run (skipped, or served from the cache). */
  discard(step: string): void {
    (this.waiting.get(step) ?? this.claimEarly(step))?.discard();
    this.waiting.delete(step);
    this.booting.delete(step);
  }

  /** The run is over (or cancelled): kill every waiting process and launch no more. */
  stop(): void {
    this.stopped = true;
    for (const step of [...this.waiting.keys()]) this.discard(step);
    discardEarlyLaunches();
  }

  private understandsArgsFromStdin(step: PipelineStep): boolean {
    let ok = this.supported.get(step.name);
    if (ok === undefined) {
      ok = bundleReadsArgsFromStdin(bundlePath(this.pipelineDir, step));
      this.supported.set(step.name, ok);
    }
    return ok;
  }
}

/** For each step, the number of steps on the longest chain of its descendants. */
function chainLengths(steps: readonly PipelineStep[]): Map<string, number> {
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
