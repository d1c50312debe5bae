/**
 * Run history: what ran, when, with which parameters, inputs, outputs and
 * metrics. Kept behind an interface so the orchestrator does not care where it
 * lives; `DeltaRunHistory` (delta-history.ts) stores it as Delta tables in the
 * Stillwater home.
 */
import type { RunRecord, StepExecutionRecord } from './records.js';

export interface RunHistory {
  /** Appends a finished run and its step executions. */
  recordRun(run: RunRecord, steps: readonly StepExecutionRecord[]): Promise<void>;
  /** All runs, newest first. */
  listRuns(): Promise<RunRecord[]>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** The step executions of one run, in the order they were recorded. */
  stepExecutions(runId: string): Promise<StepExecutionRecord[]>;
  /** Executions of `step` in `pipeline` that ended `done` or `cached`, newest first. */
  successfulExecutions(pipeline: string, step: string): Promise<StepExecutionRecord[]>;
}
