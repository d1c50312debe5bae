/** The run history for the history view: the runs `stillwater runs list` shows, filtered the same way. */
import type { HistoryOutcome, HistoryRequest } from '../contracts/lab.js';
import type { StepExecutionRecord } from '../contracts/run-records.js';
import { resolveHome } from '../runner/home.js';
import { findRuns, runHistoryAt } from '../runner/runs-query.js';

export async function historyForLab(req: HistoryRequest, cwd: string): Promise<HistoryOutcome> {
  const home = resolveHome({ cwd });
  const history = runHistoryAt(home);
  const runs = await findRuns(history, req.filter ?? {});
  const steps: Record<string, StepExecutionRecord[]> = {};
  for (const id of req.runIds) steps[id] = await history.stepExecutions(id);
  return { kind: 'history', home, runs, steps };
}
