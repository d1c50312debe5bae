/**
 * The run history for the history view: the runs `stillwater runs list` shows, filtered the
 * same way, with each step's lineage in its executions; and `stillwater runs lineage`.
 */
import path from 'node:path';
import type { HistoryOutcome, HistoryRequest, LineageOutcome, LineageRequest } from '../contracts/lab.js';
import type { StepExecutionRecord } from '../contracts/run-records.js';
import { resolveHome } from '../runner/home.js';
import { tableVersionLineage } from '../runner/lineage-query.js';
import { findRuns, runHistoryAt } from '../runner/runs-query.js';

export async function historyForLab(req: HistoryRequest, cwd: string): Promise<HistoryOutcome> {
  const home = resolveHome({ cwd });
  const history = runHistoryAt(home);
  const runs = await findRuns(history, req.filter ?? {});
  const steps: Record<string, StepExecutionRecord[]> = {};
  for (const id of req.runIds) steps[id] = await history.stepExecutions(id);
  return { kind: 'history', home, runs, steps };
}

/** Which run and step wrote `req.table` at `req.version`; a missing table or version is `ok: false`. */
export async function lineageForLab(req: LineageRequest, cwd: string): Promise<LineageOutcome> {
  try {
    const history = runHistoryAt(resolveHome({ cwd }));
    return {
      kind: 'lineage',
      ok: true,
      lineage: await tableVersionLineage(history, path.resolve(cwd, req.table), req.version),
    };
  } catch (e) {
    return { kind: 'lineage', ok: false, error: (e as Error).message };
  }
}
