/**
 * Which run and step this code runs in, from the variables the local runner sets
 * for every step process (STEP-CONTRACT.md, "Environment"). Outside a run (tslab,
 * a plain script) there is no context. These variables name the run, not its
 * inputs: the step runtime leaves them out of the reads it traces for the cache.
 */
export const RUN_CONTEXT_ENV = {
  runId: 'STILLWATER_RUN_ID',
  step: 'STILLWATER_STEP',
  notebook: 'STILLWATER_NOTEBOOK',
  artifacts: 'STILLWATER_RUN_ARTIFACTS',
} as const;

export interface RunContext {
  runId: string;
  step: string;
  notebook: string;
  /** Folder for this step's run artifacts (reports, plots); created by whoever writes there. */
  artifacts: string | null;
}

/** The run context of this process, or undefined outside a pipeline run. */
export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext | undefined {
  const runId = env[RUN_CONTEXT_ENV.runId];
  if (!runId) return undefined;
  return {
    runId,
    step: env[RUN_CONTEXT_ENV.step] ?? '',
    notebook: env[RUN_CONTEXT_ENV.notebook] ?? '',
    artifacts: env[RUN_CONTEXT_ENV.artifacts] || null,
  };
}
