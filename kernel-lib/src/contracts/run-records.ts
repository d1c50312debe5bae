/**
 * Rows of the run history tables. Nested values (params, hashes, metrics,
 * errors) are stored as JSON text so the tables stay flat, readable with
 * `stillwater table read`, and evolvable without schema changes.
 */
import type { MetricValue, RunStatus, StepErrorInfo, StepStatus } from './run-events.js';
import type { TableVersion, TracedReads } from '../pipeline/runtime/trace-format.js';

export type { TableVersion } from '../pipeline/runtime/trace-format.js';

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
  /**
   * Lineage of an execution (issue 16 item 1): exact table versions read and written and the
   * run artifacts left; null when the step did not execute in this run (cached, skipped) or
   * was recorded before lineage. The artifacts it consumed and produced are `inputs`/`outputs`.
   */
  lineage?: StepLineage | null;
}

/** What one step execution read and wrote, exactly. */
export interface StepLineage {
  /** Delta table versions its code read (not those it wrote itself and read back). */
  tablesRead: TableVersion[];
  /** Delta table versions it committed: its own writes and those of ModelRegistry, DataBaselines… */
  tablesWritten: TableVersion[];
  /** Files it left in its run artifacts folder (reports), by content hash; paths relative to that folder. */
  runArtifacts: { path: string; sha256: string }[];
}

/** Which run and step wrote one version of a Delta table, from which inputs (`stillwater runs lineage`). */
export interface TableVersionLineage {
  /** Absolute path of the table. */
  table: string;
  version: number;
  /** The commit's operation (`WRITE`, `MERGE`, `CREATE TABLE`…) and time (ISO-8601). */
  operation: string | null;
  committedAt: string;
  /**
   * Run, step and notebook from the commit's `commitInfo.stillwater`, else from the history's
   * record of the step that wrote it; null when no Stillwater run wrote this version.
   */
  writtenBy: { runId: string; step: string; notebook: string | null } | null;
  /** That run and step execution as this home's history has them (null when not in it). */
  run: RunRecord | null;
  stepExecution: StepExecutionRecord | null;
  /** What the step read and consumed: null when its execution is not in the history. */
  inputs: {
    tables: TableVersion[];
    /** Step inputs by content hash, with the step of the same run that produced each. */
    artifacts: { name: string; sha256: string; fromStep: string | null }[];
    /** Files its code read, by content hash (null: changed while the step ran). */
    files: { path: string; sha256: string | null }[];
    params: Record<string, unknown>;
  } | null;
}
