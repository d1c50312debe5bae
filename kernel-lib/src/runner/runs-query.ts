/**
 * Reading the run history the way `stillwater runs` shows it — one place, so the CLI and
 * the JupyterLab history view (through `@stillwater/kernel/lab-api`) list the same runs,
 * filtered the same way.
 */
import type { RunFilter } from '../contracts/lab.js';
import type { JsonValue } from '../pipeline/spec.js';
import { runHistory } from './active-runs.js';
import { RunNotFoundError } from './errors.js';
import type { RunHistory } from './history.js';
import { homeLayout } from './home.js';
import { formatParamText } from '../pipeline/runtime/param-text.js';
import type { RunRecord } from './records.js';

/**
 * The run history of a Stillwater home, as every reader of it should open it: the
 * recorded runs and the journaled ones (`running`, or `interrupted` when their runner was
 * killed — active-runs.ts).
 */
export function runHistoryAt(home: string): RunHistory {
  return runHistory(homeLayout(home));
}

/** Whether a run passes the filter: every condition given must hold. */
export function runMatches(run: RunRecord, filter: RunFilter): boolean {
  if (filter.pipeline !== undefined && run.pipeline !== filter.pipeline) return false;
  if (filter.status && filter.status.length > 0 && !filter.status.includes(run.status)) return false;
  for (const [name, text] of Object.entries(filter.params ?? {})) {
    if (!Object.hasOwn(run.params, name)) return false;
    if (!sameParameterValue(run.params[name] as JsonValue, text)) return false;
  }
  return true;
}

/**
 * A recorded value against `--param`-style text: `0.1` matches 0.1 and `0.10`, `abc`
 * matches the string "abc", `{"a":1}` matches that object.
 */
function sameParameterValue(recorded: JsonValue, text: string): boolean {
  if (formatParamText(recorded) === text) return true;
  if (typeof recorded === 'number') return text.trim() !== '' && Number(text) === recorded;
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(recorded);
  } catch {
    return false;
  }
}

/** Runs newest first, filtered. */
export async function findRuns(history: RunHistory, filter: RunFilter = {}): Promise<RunRecord[]> {
  return (await history.listRuns()).filter((r) => runMatches(r, filter));
}

/** One run, or a RunNotFoundError naming the id. */
export async function requireRun(history: RunHistory, runId: string): Promise<RunRecord> {
  const run = await history.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  return run;
}

/**
 * "Re-run with these parameters" (`--params-from RUN`, the history view's Re-run): every
 * parameter the earlier run used, overridden by the ones given now.
 */
export async function withParametersOf(
  history: RunHistory,
  runId: string,
  given: Record<string, string | JsonValue>,
): Promise<Record<string, string | JsonValue>> {
  const earlier = await requireRun(history, runId);
  return { ...(earlier.params as Record<string, JsonValue>), ...given };
}
