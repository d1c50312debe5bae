/**
 * The seam between a run and an engine. The run decides *what* executes, in which
 * order and with which inputs (run-plan.ts, scheduler.ts, step-execution.ts); an
 * engine decides *how* a step's process is started, supervised and cancelled, and
 * says *where* it ran. The local engine (engine/local/) runs each step as a child
 * process of this one; a remote engine (Ray: a driver speaking JSON lines) runs the
 * same bundle with `node` on a worker. Everything that crosses the seam towards
 * an engine — the launch, the events, the exit — is plain JSON, so a remote engine
 * can forward it as is.
 */
import { cpuCount, memoryBytes } from '../../pipeline/quantity.js';
import type { PipelineSpec, StepLimits } from '../../pipeline/spec.js';

/** One attempt of one step, as an engine needs it. Serialisable (JSON). */
export interface StepLaunch {
  runId: string;
  step: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** The step bundle, absolute (a remote engine ships or mounts it). */
  bundle: string;
  /** The step's command line after the bundle (the step entry contract, STEP-CONTRACT.md). */
  args: string[];
  /** Where the step runs: the notebook's folder (step-setting.ts). */
  cwd: string;
  /** The step's whole environment. */
  env: Record<string, string>;
  /** Input name → location the step reads it from (also inside `args`). */
  inputs: Record<string, string>;
  /** Output name → location the step writes it to (also inside `args`). */
  outputs: Record<string, string>;
  /** Where the step writes its metrics (also inside `args`). */
  metricsPath: string;
  /** Killed after this long (ms); null: no limit. */
  timeoutMs: number | null;
  /** On cancellation: SIGTERM, then SIGKILL after this long (ms). */
  killGraceMs: number;
  /** The step's `limit:cpu:N` / `limit:memory:QTY` tags (a remote engine asks its scheduler for them). */
  limits: StepLimits;
  /** `--concurrency` slots the step holds while it runs (its `limit:cpu`, at least 1, at most the concurrency). */
  slots: number;
}

/**
 * What an engine reports while a step runs. Serialisable. `started`: the attempt's
 * process has started on `node` (at most once per attempt, before its output).
 */
export type EngineEvent =
  | { type: 'started'; node: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string };

/** How a step attempt ended. Serialisable. */
export interface StepExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The last lines of stderr (bounded), where the step runtime reports its error. */
  stderrTail: string;
  /** From the launch (for a process started ahead: from when it got its command line) to the end. */
  durationMs: number;
  /** The step could not be started at all. */
  spawnError?: { name: string; message: string };
  /** The step's V8 heap limit in MB, as its runtime reported it. */
  heapLimitMb?: number;
  /** Where the step last said it was (`cell 7`, `output`). */
  lastAt?: string;
  /** Where it ran: a host name (local), a worker node id (Ray). */
  node: string;
  /** The engine killed the step for exceeding its `limit:memory` (`limit`), at this resident size. */
  memoryExceeded?: { limit: string; residentBytes: number };
}

/**
 * The `--concurrency` slots of a run, owned by its engine: the scheduler takes a
 * step's slots when it starts the step (one, or its `limit:cpu:N` — see `stepSlots`)
 * and gives them back when the step is over. An engine may hold slots for work of its
 * own (the local engine: processes booting ahead of their turn), so a step can be
 * refused while fewer steps than slots run.
 */
export interface Slots {
  /**
   * Takes `weight` slots (at least 1, at most the concurrency) for `step`; false when
   * not that many are free (`onFree` says when to ask again). A step holding slots
   * already keeps them.
   */
  tryAcquire(step: string, weight?: number): boolean;
  /** `step` is over (`succeeded`: its outputs exist): its slot is free. */
  release(step: string, succeeded: boolean): void;
  /** `listener` is called whenever a slot may have become free. */
  onFree(listener: () => void): void;
}

/** One run's use of an engine. */
export interface EngineRun {
  readonly slots: Slots;
  /** How long opening took (connecting to a cluster, starting a driver), when it took any. */
  readonly setupMs?: number;
  /**
   * Runs one attempt of a step to its end. Never rejects for the step's own failure
   * (that is in the exit); aborting `signal` cancels the step.
   */
  run(launch: StepLaunch, onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<StepExit>;
  /** The step will not be run by this run (served from the cache, skipped). */
  drop(step: string): void;
  /** Runs `task` once, when a slot is to spare and nothing else is waiting for one. */
  whenIdle(task: () => Promise<unknown>): void;
  /** The run is over: ends whatever the engine still holds for it. */
  close(): Promise<void>;
}

/** A step the run will schedule, as its engine sees it. */
export interface PlannedStep {
  name: string;
  /** Its dependencies among the planned steps. */
  deps: readonly string[];
  /** The step bundle, absolute. */
  bundle: string;
  limits: StepLimits;
  /** `--concurrency` slots it holds while it runs (`stepSlots`). */
  slots: number;
}

/** What an engine learns of a run before its steps start. */
export interface EngineRunPlan {
  runId: string;
  /** The compiled pipeline, and the folder holding its `pipeline.json` and bundles. */
  spec: PipelineSpec;
  pipelineDir: string;
  /** The Stillwater home (runs, artifacts, cache) of the run. */
  home: string;
  /** Steps running at once, at most (`--concurrency`). */
  concurrency: number;
  /** The steps the run will schedule (the selection), in the spec's order. */
  steps: readonly PlannedStep[];
  /** Where every step runs and with which environment. */
  cwd: string;
  env: Record<string, string>;
}

/** An engine: opens one `EngineRun` per run (rejecting when it cannot: no cluster, bad address). */
export interface Engine {
  /** `local`, `ray`, … */
  readonly name: string;
  open(plan: EngineRunPlan): Promise<EngineRun>;
}

/**
 * The `--concurrency` slots a step holds: its `limit:cpu:N` rounded up (`500m` is
 * half a CPU: one slot), at least 1, at most `concurrency` — so a step asking for
 * more CPUs than the run may use still runs, alone.
 */
export function stepSlots(limits: StepLimits, concurrency: number): number {
  const cpus = limits.cpu !== undefined ? cpuCount(limits.cpu) : undefined;
  const n = cpus !== undefined ? Math.ceil(cpus) : 1;
  return Math.min(Math.max(1, n), Math.max(1, Math.floor(concurrency)));
}

/** A step's `limit:memory` in bytes, or undefined when it has none. */
export function memoryLimitBytes(limits: StepLimits): number | undefined {
  return limits.memory === undefined ? undefined : memoryBytes(limits.memory);
}

/**
 * Node flags bounding a step's V8 heap by its memory limit (`--max-old-space-size`), so the
 * garbage collector works within the limit instead of growing towards Node's default —
 * whichever engine starts the step's process.
 */
export function heapLimitArgs(limitBytes: number | undefined): string[] {
  if (limitBytes === undefined) return [];
  return [`--max-old-space-size=${Math.max(16, Math.floor(limitBytes / 2 ** 20))}`];
}
