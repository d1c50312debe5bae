/**
 * The run record: each step's execution record as it changes, the events that say
 * so, the journal line of each step as it ends (run-journal.ts), and at the end the
 * run's own record — written to the history before `run-finished` is emitted.
 */
import type { PipelineSpec, PipelineStep } from '../pipeline/spec.js';
import type { HistoryWithActiveRuns } from './active-runs.js';
import { HistoryWriteError } from './errors.js';
import type { MetricValue, RunEvent, RunFinishedEvent, RunStatus, StepEvent, StepStatus } from './events.js';
import type { RunRecord, StepExecutionRecord } from './records.js';
import type { RunJournal, RunStart } from './run-journal.js';

/** A step's record, plus the outputs its dependants read (by output name → artifact hash). */
export interface StepState {
  step: PipelineStep;
  record: StepExecutionRecord;
  outputs: Record<string, string>;
}

export type StepEventExtra = Partial<StepEvent> & { reason?: string };

export class RunRecorder {
  readonly states = new Map<string, StepState>();
  private journal: RunJournal | undefined;

  constructor(
    readonly runId: string,
    private readonly spec: PipelineSpec,
    private readonly params: Record<string, unknown>,
    private readonly emit: (e: RunEvent) => void,
  ) {
    for (const step of spec.steps) this.states.set(step.name, { step, outputs: {}, record: this.emptyRecord(step) });
  }

  state(step: string): StepState {
    return this.states.get(step)!;
  }

  /** From now on, each step that ends is noted in `journal`. */
  journalTo(journal: RunJournal | undefined): void {
    this.journal = journal;
  }

  stepEvent(state: StepState, status: StepStatus, extra: Partial<StepEvent> = {}): void {
    this.emit({
      type: 'step',
      runId: this.runId,
      time: new Date().toISOString(),
      step: state.step.name,
      status,
      ...extra,
    });
  }

  /** A chunk of a step's stdout or stderr. */
  emitLog(step: string, stream: 'stdout' | 'stderr', text: string): void {
    this.emit({ type: 'log', runId: this.runId, time: new Date().toISOString(), step, stream, text });
  }

  /** The step has ended with `status` (or will not run): recorded, journaled, announced. */
  finishStep(state: StepState, status: StepStatus, extra: StepEventExtra = {}): void {
    const r = state.record;
    r.status = status;
    if (extra.reason !== undefined) r.reason = extra.reason;
    if (extra.error !== undefined) r.error = extra.error;
    this.journal?.step(r);
    if (status === 'skipped') {
      this.stepEvent(state, status, extra);
      return;
    }
    this.stepEvent(state, status, {
      ...(r.cacheKey ? { cacheKey: r.cacheKey } : {}),
      inputs: r.inputs,
      outputs: r.outputs,
      metrics: r.metrics,
      ...(r.attempts > 0 ? { attempt: r.attempts } : {}),
      ...(r.durationMs !== null && status !== 'cached' ? { durationMs: r.durationMs } : {}),
      ...(r.node && status !== 'cached' ? { node: r.node } : {}),
      ...extra,
    });
  }

  /** The run's record once every step has ended. */
  runRecord(start: RunStart, cancelled: boolean): RunRecord {
    const records = this.records();
    const metrics: Record<string, MetricValue> = {};
    for (const r of records) Object.assign(metrics, r.metrics);
    const firstFailure = records.find((r) => r.status === 'failed');
    const status: RunStatus = cancelled ? 'cancelled' : firstFailure ? 'failed' : 'done';
    const error =
      status === 'cancelled'
        ? { type: 'Cancelled', message: 'the run was cancelled' }
        : firstFailure?.error
          ? { ...firstFailure.error, step: firstFailure.step }
          : null;
    const ended = Date.now();
    const startedMs = Date.parse(start.startedAt);
    return {
      ...start,
      status,
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - startedMs,
      metrics,
      error,
    };
  }

  records(): StepExecutionRecord[] {
    return [...this.states.values()].map((s) => s.record);
  }

  /**
   * Records the run — first, so whoever sees `run-finished` finds it in the history — then
   * emits `run-finished`, even when recording failed; that failure is thrown after it.
   */
  async finish(
    run: RunRecord,
    history: HistoryWithActiveRuns | undefined,
    engine?: RunFinishedEvent['engine'],
  ): Promise<void> {
    let historyError: unknown;
    this.journal?.end(run);
    if (history) await history.recordRun(run, this.records()).catch((err: unknown) => (historyError = err));
    if (historyError === undefined) await this.journal?.remove();
    else this.journal?.stop();
    // Runs killed earlier in this home go into the history too; that is no concern of this run's.
    await history?.settle(this.runId).catch(() => {});
    this.emit({
      type: 'run-finished',
      runId: this.runId,
      time: new Date().toISOString(),
      status: run.status as RunFinishedEvent['status'],
      durationMs: run.durationMs,
      steps: this.statuses(),
      metrics: run.metrics,
      ...(run.error ? { error: run.error } : {}),
      ...(engine ? { engine } : {}),
    });
    if (historyError !== undefined) {
      throw new HistoryWriteError(
        `run ${this.runId} ended ${run.status} but could not be recorded in the run history: ${(historyError as Error).message}`,
        { cause: historyError },
      );
    }
  }

  statuses(): Record<string, StepStatus> {
    return Object.fromEntries(this.records().map((r) => [r.step, r.status]));
  }

  private emptyRecord(step: PipelineStep): StepExecutionRecord {
    return {
      runId: this.runId,
      pipeline: this.spec.name,
      step: step.name,
      status: 'queued',
      cacheHit: false,
      attempts: 0,
      startedAt: null,
      endedAt: null,
      durationMs: null,
      bundleHash: step.hash,
      cacheKey: null,
      params: Object.fromEntries(step.parameters.map((p) => [p, this.params[p]])),
      inputs: {},
      outputs: {},
      metrics: {},
      error: null,
      reason: null,
      node: null,
    };
  }
}
