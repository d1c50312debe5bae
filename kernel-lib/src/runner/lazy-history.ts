/**
 * The Delta run history, imported on first use. Loading the lakehouse behind it
 * (Arrow, parquet-wasm; its cost: tests/bench/runner, section 4) is nothing a run
 * needs before its first step starts: the runner calls `preload` while steps run,
 * once a slot is to spare (the engine's `whenIdle`, engine/local/launcher.ts), so that by the time the run is
 * recorded the module is ready and the history tables exist
 * (`DeltaRunHistory.prepare`), and recording is a plain append.
 */
import type { DeltaRunHistory } from './delta-history.js';
import type { RunHistory } from './history.js';
import type { RunRecord, StepExecutionRecord } from './records.js';

export class LazyDeltaRunHistory implements RunHistory {
  private loaded: Promise<DeltaRunHistory> | undefined;
  private prepared: Promise<void> | undefined;

  /** `home` is the Stillwater home (as for `DeltaRunHistory`). */
  constructor(private readonly home: string) {}

  /** Starts loading, and creating missing tables, in the background; errors surface on first real use. */
  preload(): Promise<void> {
    this.prepared ??= this.history().then(
      (h) => h.prepare(),
      () => {},
    );
    return this.prepared;
  }

  private history(): Promise<DeltaRunHistory> {
    this.loaded ??= import('./delta-history.js').then((m) => new m.DeltaRunHistory(this.home));
    return this.loaded;
  }

  async recordRun(run: RunRecord, steps: readonly StepExecutionRecord[]): Promise<void> {
    const history = await this.history();
    // Not racing our own table creation keeps the log free of a needless conflict retry.
    await this.prepared?.catch(() => {});
    return history.recordRun(run, steps);
  }
  async listRuns(): Promise<RunRecord[]> {
    return (await this.history()).listRuns();
  }
  async getRun(runId: string): Promise<RunRecord | undefined> {
    return (await this.history()).getRun(runId);
  }
  async stepExecutions(runId: string): Promise<StepExecutionRecord[]> {
    return (await this.history()).stepExecutions(runId);
  }
  async successfulExecutions(pipeline: string, step: string): Promise<StepExecutionRecord[]> {
    return (await this.history()).successfulExecutions(pipeline, step);
  }
}
