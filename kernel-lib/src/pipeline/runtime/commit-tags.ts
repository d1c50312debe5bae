/**
 * Lineage in the tables themselves: while a step runs for a pipeline run, every Delta
 * commit its code makes (its own writes, ModelRegistry's, DataBaselines'…) carries
 * `commitInfo.stillwater = {runId, step, notebook}`, so a table version names the run
 * and step that wrote it even without the run history (`stillwater runs lineage`).
 * The lakehouse asks for these fields on a diagnostics channel
 * (lakehouse/access-events.ts, not imported: the runtime must not load the lakehouse).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { RunContext } from '../../ml/run-context.js';

const COMMIT_INFO_CHANNEL = 'stillwater:delta-commit-info';

/** The `commitInfo` key Stillwater's fields go under (Spark ignores keys it does not know). */
export const COMMIT_INFO_KEY = 'stillwater';

/** What a commit made inside a run says about it. */
export interface CommitRunInfo {
  runId: string;
  step: string;
  notebook: string;
}

/** Tags every commit of this process with the run context (for the rest of the process: one step). */
export function tagCommits(context: RunContext): void {
  const info: CommitRunInfo = { runId: context.runId, step: context.step, notebook: context.notebook };
  subscribe(COMMIT_INFO_CHANNEL, (message) => {
    const request = message as { fields?: Record<string, unknown> };
    if (request?.fields && typeof request.fields === 'object') request.fields[COMMIT_INFO_KEY] = { ...info };
  });
}
