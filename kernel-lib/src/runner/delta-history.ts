/**
 * The run history as two Delta tables in the Stillwater home —
 * `history/runs` (one row per run) and `history/step_executions` (one row per
 * step per run) — so lineage is queryable with the same tools as any other
 * table (`stillwater table read`, Spark, pyarrow). Times are ISO-8601 strings
 * and nested values JSON text: flat, readable and easy to evolve.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { DeltaTable } from '../lakehouse/table.js';
import type { StepErrorInfo } from './events.js';
import type { RunHistory } from './history.js';
import { homeLayout } from './home.js';
import { stepLineage } from './lineage.js';
import type { RunRecord, StepExecutionRecord } from './records.js';

type Column = [name: string, type: arrow.DataType, values: unknown[]];

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toTable(columns: Column[]): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const [name, type, values] of columns) vectors[name] = arrow.vectorFromArray(values, type);
  return new arrow.Table(vectors);
}

function rows(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON());
}

const STEPS_TABLE = { name: 'step_executions', description: 'Stillwater run history: one row per step per run' };
const RUNS_TABLE = { name: 'runs', description: 'Stillwater run history: one row per run' };
const u = new arrow.Utf8();
const f = new arrow.Float64();

function stepExecutionsTable(steps: readonly StepExecutionRecord[]): arrow.Table {
  return toTable([
    ['run_id', u, steps.map((s) => s.runId)],
    ['pipeline', u, steps.map((s) => s.pipeline)],
    ['step', u, steps.map((s) => s.step)],
    ['status', u, steps.map((s) => s.status)],
    ['cache_hit', new arrow.Bool(), steps.map((s) => s.cacheHit)],
    ['attempts', new arrow.Int32(), steps.map((s) => s.attempts)],
    ['started_at', u, steps.map((s) => s.startedAt)],
    ['ended_at', u, steps.map((s) => s.endedAt)],
    ['duration_ms', f, steps.map((s) => s.durationMs)],
    ['bundle_hash', u, steps.map((s) => s.bundleHash)],
    ['cache_key', u, steps.map((s) => s.cacheKey)],
    ['params', u, steps.map((s) => json(s.params))],
    ['inputs', u, steps.map((s) => json(s.inputs))],
    ['outputs', u, steps.map((s) => json(s.outputs))],
    ['metrics', u, steps.map((s) => json(s.metrics))],
    ['error', u, steps.map((s) => json(s.error))],
    ['reason', u, steps.map((s) => s.reason)],
    // The trace's table versions are the lineage column's: not stored twice.
    ['traced_inputs', u, steps.map((s) => json(s.tracedInputs && { ...s.tracedInputs, lineage: undefined }))],
    ['lineage', u, steps.map((s) => json(s.lineage))],
    ['node', u, steps.map((s) => s.node ?? null)],
  ]);
}

function runsTable(runs: readonly RunRecord[]): arrow.Table {
  return toTable([
    ['run_id', u, runs.map((r) => r.runId)],
    ['pipeline', u, runs.map((r) => r.pipeline)],
    ['pipeline_hash', u, runs.map((r) => r.pipelineHash)],
    ['pipeline_dir', u, runs.map((r) => r.pipelineDir)],
    ['status', u, runs.map((r) => r.status)],
    ['started_at', u, runs.map((r) => r.startedAt)],
    ['ended_at', u, runs.map((r) => r.endedAt)],
    ['duration_ms', f, runs.map((r) => r.durationMs)],
    ['params', u, runs.map((r) => json(r.params))],
    ['metrics', u, runs.map((r) => json(r.metrics))],
    ['resume_of', u, runs.map((r) => r.resumeOf)],
    ['selection', u, runs.map((r) => r.selection)],
    ['error', u, runs.map((r) => json(r.error))],
  ]);
}

export class DeltaRunHistory implements RunHistory {
  readonly runs: DeltaTable;
  readonly steps: DeltaTable;

  private readonly runArtifacts: string;

  constructor(home: string) {
    const layout = homeLayout(home);
    this.runs = new DeltaTable(layout.runsTable);
    this.steps = new DeltaTable(layout.stepsTable);
    this.runArtifacts = layout.runArtifacts;
  }

  /** Step executions first: a run row then always has its steps (readers key on runs). */
  async recordRun(run: RunRecord, steps: readonly StepExecutionRecord[]): Promise<void> {
    const withLineage = await Promise.all(
      steps.map(async (s) =>
        s.lineage !== undefined ? s : { ...s, lineage: await stepLineage(s, this.runArtifacts) },
      ),
    );
    // mergeSchema: tables written before a column was added gain it.
    if (steps.length > 0) {
      await this.steps.append(stepExecutionsTable(withLineage), { ...STEPS_TABLE, mergeSchema: true });
    }
    await this.runs.append(runsTable([run]), RUNS_TABLE);
  }

  /**
   * Creates the history tables if they do not exist yet, and warms the write path,
   * so that recording a run at its end is a plain append of already compiled code.
   * The runner calls it in the background while steps run; a table another run
   * creates meanwhile is fine, and real errors surface in `recordRun`.
   */
  async prepare(): Promise<void> {
    const ensure = async (table: DeltaTable, empty: arrow.Table, info: { name: string; description: string }) => {
      if (await table.exists()) return;
      await table.create({ schema: empty.schema, ...info }).catch(() => {});
    };
    await Promise.all([
      ensure(this.steps, stepExecutionsTable([]), STEPS_TABLE),
      ensure(this.runs, runsTable([]), RUNS_TABLE),
    ]);
    await warmWritePath();
  }
  async listRuns(): Promise<RunRecord[]> {
    if (!(await this.runs.exists())) return [];
    return rows(await this.runs.read())
      .map(toRunRecord)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return (await this.listRuns()).find((r) => r.runId === runId);
  }

  async stepExecutions(runId: string): Promise<StepExecutionRecord[]> {
    return (await this.allSteps()).filter((s) => s.runId === runId);
  }

  async successfulExecutions(pipeline: string, step: string): Promise<StepExecutionRecord[]> {
    return (await this.allSteps())
      .filter((s) => s.pipeline === pipeline && s.step === step && (s.status === 'done' || s.status === 'cached'))
      .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''));
  }

  private async allSteps(): Promise<StepExecutionRecord[]> {
    if (!(await this.steps.exists())) return [];
    return rows(await this.steps.read()).map(toStepRecord);
  }
}

/**
 * The first append in a process costs more than the next ones (tests/bench/runner,
 * section 4): parquet-wasm compiles its functions on first call, and the JavaScript around it is not yet
 * optimised. Appending a sample row to throwaway copies of both tables, in a
 * temporary folder, pays that while steps still run instead of at the end of the run.
 */
async function warmWritePath(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stillwater-history-warm-up-'));
  try {
    const sample: StepExecutionRecord = {
      runId: 'warm-up',
      pipeline: 'warm-up',
      step: 'warm-up',
      status: 'done',
      cacheHit: false,
      attempts: 1,
      startedAt: new Date(0).toISOString(),
      endedAt: new Date(0).toISOString(),
      durationMs: 0,
      bundleHash: '0',
      cacheKey: '0',
      params: {},
      inputs: {},
      outputs: {},
      metrics: {},
      error: null,
      reason: null,
    };
    const run: RunRecord = {
      runId: 'warm-up',
      pipeline: 'warm-up',
      pipelineHash: '0',
      pipelineDir: dir,
      status: 'done',
      startedAt: sample.startedAt!,
      endedAt: sample.endedAt!,
      durationMs: 0,
      params: {},
      metrics: {},
      resumeOf: null,
      selection: 'all',
      error: null,
    };
    const history = new DeltaRunHistory(dir);
    await history.recordRun(run, [sample]);
    await history.recordRun(run, [sample]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function toRunRecord(r: Record<string, unknown>): RunRecord {
  return {
    runId: String(r.run_id),
    pipeline: String(r.pipeline),
    pipelineHash: String(r.pipeline_hash),
    pipelineDir: String(r.pipeline_dir),
    status: String(r.status) as RunRecord['status'],
    startedAt: String(r.started_at),
    endedAt: String(r.ended_at),
    durationMs: Number(r.duration_ms),
    params: parse(r.params, {}),
    metrics: parse(r.metrics, {}),
    resumeOf: str(r.resume_of),
    selection: String(r.selection),
    error: parse<RunRecord['error']>(r.error, null),
  };
}

function toStepRecord(r: Record<string, unknown>): StepExecutionRecord {
  return {
    runId: String(r.run_id),
    pipeline: String(r.pipeline),
    step: String(r.step),
    status: String(r.status) as StepExecutionRecord['status'],
    cacheHit: Boolean(r.cache_hit),
    attempts: Number(r.attempts),
    startedAt: str(r.started_at),
    endedAt: str(r.ended_at),
    durationMs: num(r.duration_ms),
    bundleHash: String(r.bundle_hash),
    cacheKey: str(r.cache_key),
    params: parse(r.params, {}),
    inputs: parse(r.inputs, {}),
    outputs: parse(r.outputs, {}),
    metrics: parse(r.metrics, {}),
    error: parse<StepErrorInfo | null>(r.error, null),
    reason: str(r.reason),
    tracedInputs: parse<StepExecutionRecord['tracedInputs']>(r.traced_inputs, null),
    node: str(r.node),
    lineage: parse<StepExecutionRecord['lineage']>(r.lineage, null),
  };
}
