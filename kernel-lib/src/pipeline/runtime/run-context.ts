/**
 * `--run-context JSON` (STEP-CONTRACT.md): which run, step and notebook a step
 * executes for, and its run artifacts folder. Passed as an argument, not as
 * environment, so a process launched ahead of its turn gets it with its command
 * line. The runtime puts it into the environment (ml/run-context.ts names the
 * variables) before notebook code runs; those variables are not traced reads.
 */
import { RUN_CONTEXT_ENV, type RunContext } from '../../ml/run-context.js';
import { StepUsageError } from './errors.js';

export const RUN_CONTEXT_FLAG = '--run-context';

/** The flag's value, checked. */
export function parseRunContext(step: string, text: string): RunContext {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new StepUsageError(`step "${step}": ${RUN_CONTEXT_FLAG} is not JSON (${(e as Error).message})`);
  }
  const r = o as Record<string, unknown>;
  const ok =
    r !== null &&
    typeof r === 'object' &&
    typeof r.runId === 'string' &&
    r.runId !== '' &&
    typeof r.step === 'string' &&
    typeof r.notebook === 'string' &&
    (r.artifacts === null || typeof r.artifacts === 'string');
  if (!ok) {
    throw new StepUsageError(
      `step "${step}": ${RUN_CONTEXT_FLAG} expects {"runId","step","notebook","artifacts"} strings, got ${text.slice(0, 80)}`,
    );
  }
  return {
    runId: r.runId as string,
    step: r.step as string,
    notebook: r.notebook as string,
    artifacts: r.artifacts as string | null,
  };
}

/** Sets the run context's environment variables of this process. */
export function applyRunContext(context: RunContext): void {
  process.env[RUN_CONTEXT_ENV.runId] = context.runId;
  process.env[RUN_CONTEXT_ENV.step] = context.step;
  process.env[RUN_CONTEXT_ENV.notebook] = context.notebook;
  if (context.artifacts) process.env[RUN_CONTEXT_ENV.artifacts] = context.artifacts;
}

/** Names of the run context variables (never part of a step's traced reads). */
export const RUN_CONTEXT_NAMES: ReadonlySet<string> = new Set(Object.values(RUN_CONTEXT_ENV));
