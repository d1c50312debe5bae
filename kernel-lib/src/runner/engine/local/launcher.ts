/**
 * The local engine's launcher: the one owner of a run's step processes and of its
 * `--concurrency` slots. The scheduler asks it for a slot before starting a step and
 * gives it back when the step is over; the launcher also starts processes ahead of
 * their turn (launch-ahead.ts) and runs the runner's own background work when a slot
 * is to spare.
 *
 * The slot rule: each step the scheduler started holds its weight in slots (one, or
 * its `limit:cpu:N`; from its cache decision to its outputs being filed), each process
 * launched ahead holds one until it says it is ready (booting takes a CPU; a ready
 * process only waits), and the idle task holds one while it runs. When the step of a
 * booting process gets its turn, the process's slot becomes one of the step's.
 *
 * How a step's process is started — its command, environment, its heap bound by
 * `limit:memory` — is decided in one place, `launchOptions(step)`, for a step started
 * in its turn and one launched ahead alike; while it runs, memory-limit.ts watches its
 * resident memory against that limit.
 */
import { hostname } from 'node:os';
import { clampWeight } from '../counting-slots.js';
import {
  type Engine,
  type EngineEvent,
  type EngineRun,
  type EngineRunPlan,
  type PlannedStep,
  type Slots,
  type StepExit,
  type StepLaunch,
  heapLimitArgs,
  memoryLimitBytes,
} from '../engine.js';
import { type DependencyState, byLaunchPriority, qualifiesToLaunchAhead } from './launch-ahead.js';
import { watchMemory } from './memory-limit.js';
import { ProcessGroups } from './process-groups.js';
import { type LaunchOptions, type StepProcess, type StepProcessResult, launchStepProcess } from './step-process.js';

export interface LauncherOptions {
  /** Start processes ahead of their turn (default true). */
  launchAhead?: boolean;
}

export class LocalLauncher implements EngineRun, Slots {
  readonly slots: Slots = this;
  private readonly capacity: number;
  private readonly launchAhead: boolean;
  private readonly byPriority: PlannedStep[];
  private readonly planned: Map<string, PlannedStep>;
  private readonly groups = new ProcessGroups();
  /** Where steps run: this host. */
  private readonly node = hostname();
  /** Steps holding slots the scheduler took, with how many. */
  private readonly running = new Map<string, number>();
  private runningSlots = 0;
  /** Processes launched ahead that have not said they are ready: each holds a slot. */
  private readonly booting = new Set<string>();
  /** Processes launched ahead, not yet handed their command line. */
  private readonly waiting = new Map<string, StepProcess>();
  /** Steps whose process was started for their turn; and those whose process said it is ready. */
  private readonly started = new Set<string>();
  private readonly ready = new Set<string>();
  /** Steps over (true: succeeded), and steps that will not run. */
  private readonly ended = new Map<string, boolean>();
  private readonly dropped = new Set<string>();
  private readonly listeners: Array<() => void> = [];
  private idleTask: (() => Promise<unknown>) | undefined;
  private idleRunning = false;
  private closed = false;

  constructor(
    private readonly plan: EngineRunPlan,
    options: LauncherOptions = {},
  ) {
    this.capacity = Math.max(1, Math.floor(plan.concurrency));
    this.launchAhead = options.launchAhead !== false;
    this.byPriority = byLaunchPriority(plan.steps);
    this.planned = new Map(plan.steps.map((s) => [s.name, s]));
  }

  /** Slots in use: running steps (their weight each), booting processes, the idle task. */
  get used(): number {
    return this.runningSlots + this.booting.size + (this.idleRunning ? 1 : 0);
  }

  tryAcquire(step: string, weight = 1): boolean {
    if (this.running.has(step)) return true;
    const w = clampWeight(weight, this.capacity);
    // The slot of the step's own booting process counts towards its weight.
    const own = this.booting.has(step) ? 1 : 0;
    if (this.used - own + w > this.capacity) return false;
    this.booting.delete(step);
    this.running.set(step, w);
    this.runningSlots += w;
    // If that was the last step waiting for its turn, a spare slot may go to the idle task (not
    // to launching ahead: the scheduler may be about to ask for more slots in this same pass).
    if (this.byPriority.every((p) => !this.isWaiting(p.name))) this.startIdle();
    return true;
  }

  release(step: string, succeeded = true): void {
    const w = this.running.get(step);
    if (w !== undefined) {
      this.running.delete(step);
      this.runningSlots -= w;
    }
    this.ended.set(step, succeeded);
    this.freed();
  }

  onFree(listener: () => void): void {
    this.listeners.push(listener);
  }

  async run(launch: StepLaunch, onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<StepExit> {
    const { step } = launch;
    this.started.add(step);
    this.ready.delete(step);
    const ahead = this.take(step);
    const p = ahead ?? launchStepProcess(this.launchOptions(launch), this.groups, launch.args);
    const limit = memoryLimitBytes(launch.limits);
    const memory = limit !== undefined && p.pid !== undefined ? watchMemory(p.pid, limit) : undefined;
    onEvent({ type: 'started', node: this.node });
    // Once this step's own imports are loaded, its children may boot beside it.
    void p.ready.then((ready) => {
      if (!ready) return;
      this.ready.add(step);
      this.fill();
    });
    const result = await p.run(launch.args, {
      timeoutMs: launch.timeoutMs,
      signal,
      killGraceMs: launch.killGraceMs,
      onOutput: (stream, text) => onEvent({ type: 'output', stream, text }),
    });
    memory?.stop();
    const exit = toExit(result, this.node);
    if (memory?.exceededBytes !== undefined && launch.limits.memory !== undefined) {
      exit.memoryExceeded = { limit: launch.limits.memory, residentBytes: memory.exceededBytes };
    }
    return exit;
  }

  drop(step: string): void {
    this.dropped.add(step);
    this.waiting.get(step)?.discard();
    this.waiting.delete(step);
    if (this.booting.delete(step)) this.freed();
  }

  whenIdle(task: () => Promise<unknown>): void {
    this.idleTask = task;
    this.fill();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.waiting.values()) p.discard();
    this.waiting.clear();
    this.booting.clear();
    this.groups.close();
  }

  /** Launches ahead the steps that qualify, best first, while slots are free; then the idle task. */
  private fill(): void {
    if (this.closed) return;
    let unlaunched = 0;
    for (const step of this.byPriority) {
      if (!this.isWaiting(step.name)) continue;
      unlaunched++;
      if (!this.launchAhead || this.used >= this.capacity) continue;
      if (!qualifiesToLaunchAhead(step.deps.map((d) => this.dependencyState(d)))) continue;
      this.launch(step);
      unlaunched--;
    }
    if (unlaunched === 0) this.startIdle();
  }

  /** Runs the idle task in a spare slot; the caller has checked that no step waits for its turn. */
  private startIdle(): void {
    if (this.closed || !this.idleTask || this.used >= this.capacity) return;
    const task = this.idleTask;
    this.idleTask = undefined;
    this.idleRunning = true;
    task()
      .catch(() => {})
      .finally(() => {
        this.idleRunning = false;
        this.freed();
      });
  }

  private launch(step: PlannedStep): void {
    const p = launchStepProcess(this.launchOptions(step), this.groups);
    this.waiting.set(step.name, p);
    this.booting.add(step.name);
    void p.ready.then(() => {
      if (this.booting.delete(step.name)) this.freed();
    });
  }

  /** The waiting process of `step` — unless it died while waiting (its imports failed): then none. */
  private take(step: string): StepProcess | undefined {
    const p = this.waiting.get(step);
    this.waiting.delete(step);
    this.booting.delete(step);
    return p?.ended ? undefined : p;
  }

  /** A selected step that has not started, ended, been dropped or been launched ahead. */
  private isWaiting(step: string): boolean {
    return !this.running.has(step) && !this.ended.has(step) && !this.dropped.has(step) && !this.waiting.has(step);
  }

  private dependencyState(step: string): DependencyState {
    if (!this.planned.has(step)) return 'done'; // outside the selection: its outputs exist
    const ended = this.ended.get(step);
    if (ended !== undefined) return ended ? 'done' : 'failed';
    if (this.dropped.has(step)) return 'failed';
    if (!this.started.has(step)) return 'not-started';
    return this.ready.has(step) ? 'ready' : 'booting';
  }

  /** How the process of `step` is started (the per-step hook: limits go here). */
  private launchOptions(step: Pick<PlannedStep, 'bundle' | 'limits'>): LaunchOptions {
    const nodeArgs = heapLimitArgs(memoryLimitBytes(step.limits));
    return {
      script: step.bundle,
      cwd: this.plan.cwd,
      env: this.plan.env,
      ...(nodeArgs.length > 0 ? { nodeArgs } : {}),
    };
  }

  /** A slot may be free: the scheduler asks again, then what is left goes to launching ahead. */
  private freed(): void {
    for (const listener of this.listeners) listener();
    this.fill();
  }
}

function toExit(r: StepProcessResult, node: string): StepExit {
  const { spawnError, signal, ...rest } = r;
  return {
    ...rest,
    signal,
    ...(spawnError ? { spawnError: { name: spawnError.name, message: spawnError.message } } : {}),
    node,
  };
}

/** The local engine: every step a child process of this one, launched by a `LocalLauncher` per run. */
export class LocalEngine implements Engine {
  readonly name = 'local';
  constructor(private readonly options: LauncherOptions = {}) {}
  async open(plan: EngineRunPlan): Promise<LocalLauncher> {
    return new LocalLauncher(plan, this.options);
  }
}
