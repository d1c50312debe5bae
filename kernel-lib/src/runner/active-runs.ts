/**
 * The run history as people and `--resume` see it: the recorded runs (Delta tables)
 * plus the runs that have a journal (run-journal.ts) but no record yet — `running`
 * while their owner process lives, `interrupted` once it is gone (run-owner.ts).
 *
 * A run that ends records itself, then `settle`s the journals of interrupted runs
 * into the history (status `interrupted`, the steps they finished) and removes them
 * with the work folders they left. Two runs settling the same journal at the same
 * moment could both append it; reads here therefore keep one row per run and per step.
 */
import { rm } from 'node:fs/promises';
import type { MetricValue } from './events.js';
import type { RunHistory } from './history.js';
import { LazyDeltaRunHistory } from './lazy-history.js';
import type { RunRecord, StepExecutionRecord } from './records.js';
import { type JournalView, journalOf, listJournals } from './run-journal.js';
import { ownerAlive } from './run-owner.js';
import { runWorkDir } from './safe-paths.js';

export interface ActiveRunsLayout {
  /** `<home>/journal` */
  journal: string;
  /** `<home>/work` */
  work: string;
}

/** The record a journal stands for: its final one, or the run so far as `running` / `interrupted`. */
export function journalRun(j: JournalView): RunRecord {
  if (j.end) return j.end;
  const metrics: Record<string, MetricValue> = {};
  for (const s of j.steps) Object.assign(metrics, s.metrics);
  const alive = ownerAlive(j.owner, j.renewedAt);
  const startedMs = Date.parse(j.start.startedAt);
  const lastSeen = Math.max(startedMs, j.renewedAt);
  return {
    ...j.start,
    status: alive ? 'running' : 'interrupted',
    endedAt: new Date(lastSeen).toISOString(),
    durationMs: lastSeen - startedMs,
    metrics,
    error: alive
      ? null
      : {
          type: 'Interrupted',
          message: `the runner (pid ${j.owner.pid} on ${j.owner.host}) ended before the run did; resume it with --resume ${j.start.runId}`,
        },
  };
}

const lastPerKey = <T>(items: T[], key: (t: T) => string): T[] => [...new Map(items.map((i) => [key(i), i])).values()];

export class HistoryWithActiveRuns implements RunHistory {
  constructor(
    private readonly recorded: RunHistory,
    private readonly layout: ActiveRunsLayout,
  ) {}

  recordRun(run: RunRecord, steps: readonly StepExecutionRecord[]): Promise<void> {
    return this.recorded.recordRun(run, steps);
  }

  async listRuns(): Promise<RunRecord[]> {
    const [recorded, journals] = await Promise.all([this.recorded.listRuns(), listJournals(this.layout.journal)]);
    const known = new Set(recorded.map((r) => r.runId));
    const active = journals.filter((j) => !known.has(j.start.runId)).map(journalRun);
    return lastPerKey([...active, ...recorded].reverse(), (r) => r.runId)
      .reverse()
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const recorded = await this.recorded.getRun(runId);
    if (recorded) return recorded;
    const j = await journalOf(this.layout.journal, runId);
    return j ? journalRun(j) : undefined;
  }

  async stepExecutions(runId: string): Promise<StepExecutionRecord[]> {
    const recorded = await this.recorded.stepExecutions(runId);
    if (recorded.length > 0) return lastPerKey(recorded, (s) => s.step);
    return (await journalOf(this.layout.journal, runId))?.steps ?? [];
  }

  successfulExecutions(pipeline: string, step: string): Promise<StepExecutionRecord[]> {
    return this.recorded.successfulExecutions(pipeline, step);
  }

  /**
   * Records every journal whose owner is gone in the history, then removes it and
   * the run's work folder. `except`: the calling run's own journal.
   */
  async settle(except?: string): Promise<void> {
    for (const j of await listJournals(this.layout.journal)) {
      if (j.start.runId === except || ownerAlive(j.owner, j.renewedAt)) continue;
      const run = journalRun(j);
      if (!(await this.recorded.getRun(run.runId))) {
        const already = new Set((await this.recorded.stepExecutions(run.runId)).map((s) => s.step));
        await this.recorded.recordRun(
          run,
          j.steps.filter((s) => !already.has(s.step)),
        );
      }
      await rm(j.file, { force: true });
      await rm(runWorkDir(this.layout.work, run.runId), { recursive: true, force: true });
    }
  }
}

/** The history of a Stillwater home: its Delta tables plus the journals of runs not recorded yet. */
export const runHistory = (layout: ActiveRunsLayout & { home: string }): HistoryWithActiveRuns =>
  new HistoryWithActiveRuns(new LazyDeltaRunHistory(layout.home), layout);
