/**
 * Rows of the run history tables. Nested values (params, hashes, metrics,
 * errors) are stored as JSON text so the tables stay flat, readable with
 * `stillwater table read`, and evolvable without schema changes.
 */
import type { MetricValue, RunStatus, StepErrorInfo, StepStatus } from './run-events.js';
import type { TracedReads } from '../pipeline/runtime/trace-format.js';

/** One row of `history/runs`: a finished (or cancelled) run. */
export interface RunRecord {
  runId: string;
  pipeline: string;
  pipelineHash: string;
  /** Absolute path of the compiled pipeline folder. */
  pipelineDir: string;
  /**
   * How the run ended; `interrupted`: its runner was killed before the end (recorded
   * afterwards from its journal); `running`: not ended yet (only ever read, never recorded).
   */
  status: RunStatus | 'interrupted' | 'running';
  startedAt: string;
  endedAt: string;
  durationMs: number;
  params: Record<string, unknown>;
  metrics: Record<string, MetricValue>;
  /** The run this one resumed, if any. */
  resumeOf: string | null;
  /** How the steps were selected: `all`, `from:STEP` or `only:STEP`. */
  selection: string;
  error: (StepErrorInfo & { step?: string }) | null;
}

/** One row of `history/step_executions`: what happened to one step in one run. */
export interface StepExecutionRecord {
  runId: string;
  pipeline: string;
  step: string;
  status: StepStatus;
  /** True when the outputs came from the cache (or from the resumed run) instead of executing. */
  cacheHit: boolean;
  attempts: number;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  bundleHash: string;
  cacheKey: string | null;
  params: Record<string, unknown>;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  metrics: Record<string, MetricValue>;
  error: StepErrorInfo | null;
  /** Why the step was cached or skipped, or why a cached result was not reused (e.g. `input data.csv changed`). */
  reason: string | null;
  /** What the step's code read besides its inputs (files, tables, environment variables), when traced. */
  tracedInputs?: TracedReads | null;
  /** Where its last attempt ran (a host name, a Ray node); null when it did not execute. */
  node?: string | null;
}
