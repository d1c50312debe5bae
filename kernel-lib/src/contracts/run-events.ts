/**
 * The run event stream: what `runPipeline` yields, what `stillwater run --json`
 * prints one per line, and what the JupyterLab extension consumes. The JSON
 * Schema in `schema/run-event.schema.json` describes exactly these shapes; keep
 * the two in step.
 */

/** Status of a step as the run progresses. */
/** `cancelled`: the step was running (or waiting to retry) when the run was cancelled. */
export type StepStatus = 'queued' | 'running' | 'retrying' | 'cached' | 'done' | 'failed' | 'cancelled' | 'skipped';
/** Final status of a run. */
export type RunStatus = 'done' | 'failed' | 'cancelled';
/** A metric value recorded by a `pipeline-metrics` cell. */
export type MetricValue = number | string | boolean | null;
/** Parameter values after typing (`--param` parsed against the spec). */
export type ParamValues = Record<string, unknown>;

/** Where a step's error happened in the notebook, when the step could map it. */
export interface StepErrorInfo {
  /** Error class name reported by the step (`Error`, `TypeError`, `Exit`, `Signal`, `Timeout`, …). */
  type: string;
  message: string;
  /** 0-based index of the notebook cell, as the compiler numbers cells. */
  cell?: number;
  /** 1-based line inside that cell. */
  line?: number;
  /** The error's stack frames as the step reported them, notebook frames as `cell N, line L:C`. */
  stack?: string[];
  /** Exit code of the step process, when it exited. */
  exitCode?: number | null;
  /** Signal that ended the step process, when one did. */
  signal?: string | null;
}

interface EventBase {
  runId: string;
  /** ISO-8601 time the event was produced. */
  time: string;
}

/** First event of every run. */
export interface RunStartedEvent extends EventBase {
  type: 'run-started';
  pipeline: string;
  pipelineHash: string;
  pipelineDir: string;
  params: ParamValues;
  steps: string[];
  concurrency: number;
  /** The run this one resumes, if `--resume` was used. */
  resumeOf?: string;
}

/** A step changed status. */
export interface StepEvent extends EventBase {
  type: 'step';
  step: string;
  status: StepStatus;
  /** 1-based attempt number (retries increase it). */
  attempt?: number;
  /** Wall time of the attempt, for `done`, `failed` and `retrying`. */
  durationMs?: number;
  cacheKey?: string;
  /** Input name → artifact hash. */
  inputs?: Record<string, string>;
  /** Output name → artifact hash. */
  outputs?: Record<string, string>;
  metrics?: Record<string, MetricValue>;
  error?: StepErrorInfo;
  /** Why a step was skipped or cached (e.g. "upstream step `a` failed", "run abc123"). */
  reason?: string;
  /** Where the attempt runs or ran (`running`, `retrying`, `done`, `failed`, `cancelled`): a host name (local engine), a worker node (Ray). */
  node?: string;
}

/** A chunk of a step's stdout or stderr. */
export interface LogEvent extends EventBase {
  type: 'log';
  step: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Last event of every run: final status and the run's metrics. */
export interface RunFinishedEvent extends EventBase {
  type: 'run-finished';
  status: RunStatus;
  durationMs: number;
  /** Final status of every step. */
  steps: Record<string, StepStatus>;
  metrics: Record<string, MetricValue>;
  /** The first step failure (or the cancellation), when the run did not succeed. */
  error?: StepErrorInfo & { step?: string };
  /** The engine that ran the steps (`local`, `ray`), and how long opening it took (ms). */
  engine?: { name: string; setupMs: number };
}

export type RunEvent = RunStartedEvent | StepEvent | LogEvent | RunFinishedEvent;
