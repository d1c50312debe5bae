/**
 * The run plan: everything a run decides before any step starts, and everything that
 * can be wrong with the request — the run being resumed and what it finished, the
 * parameters, the selection (`--from`, `--only`), the inputs that come from earlier
 * executions, the concurrency. A plan is data: the run executes it (run-pipeline.ts).
 */
import { availableParallelism } from 'node:os';
import type { JsonValue, PipelineSpec } from '../pipeline/spec.js';
import type { ArtifactStore } from './artifact-store.js';
import { descendants } from './dag.js';
import { ParameterError, RunNotFoundError, SelectionError } from './errors.js';
import type { RunHistory } from './history.js';
import { resolveParameters } from './params.js';
import type { RunRecord, StepExecutionRecord } from './records.js';

export interface PlanRequest {
  /** Parameter overrides: `--param` text, or already-typed values. */
  params?: Record<string, string | JsonValue>;
  from?: string;
  only?: string;
  resume?: string;
  concurrency?: number;
}

export interface RunPlan {
  /** Every parameter's value (defaults, then the resumed run's, then the request's). */
  params: Record<string, JsonValue>;
  /** The steps this run executes or serves from the cache. */
  selected: Set<string>;
  /** Steps explicitly selected (`--from`, `--only`): never served from the cache. */
  forced: Set<string>;
  /** `all`, `from:STEP` or `only:STEP` (recorded with the run). */
  selection: string;
  /** Why an unselected step is skipped. */
  notSelectedReason: string;
  /** The run being resumed. */
  prior?: RunRecord;
  /** Its successful step executions, by step: not executed again when nothing changed. */
  resumed: Map<string, StepExecutionRecord>;
  /** Outputs of steps outside the selection, from their newest successful executions. */
  external: Map<string, Record<string, string>>;
  concurrency: number;
}

/** Checks the request against the spec and the history, and plans the run; throws on anything wrong. */
export async function planRun(
  spec: PipelineSpec,
  request: PlanRequest,
  history: RunHistory | undefined,
  store: ArtifactStore,
): Promise<RunPlan> {
  let given = request.params ?? {};
  const resumed = new Map<string, StepExecutionRecord>();
  let prior: RunRecord | undefined;
  if (request.resume !== undefined) {
    prior = await priorRun(spec, request.resume, history);
    given = { ...(prior.params as Record<string, JsonValue>), ...given };
    for (const r of await history!.stepExecutions(request.resume)) {
      if (r.status === 'done' || r.status === 'cached') resumed.set(r.step, r);
    }
  }
  const params = resolveParameters(spec.parameters, given);
  const { selected, forced } = select(spec, request);
  const { concurrency } = request;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ParameterError('concurrency', `--concurrency expects a positive integer, got ${concurrency}`);
  }
  const flag = request.only !== undefined ? `--only ${request.only}` : `--from ${request.from}`;
  return {
    params,
    selected,
    forced,
    selection:
      request.only !== undefined ? `only:${request.only}` : request.from !== undefined ? `from:${request.from}` : 'all',
    notSelectedReason: `not selected (${flag})`,
    ...(prior ? { prior } : {}),
    resumed,
    external: await externalInputs(spec, selected, flag, history, store),
    concurrency: concurrency ?? availableParallelism(),
  };
}

async function priorRun(spec: PipelineSpec, runId: string, history: RunHistory | undefined): Promise<RunRecord> {
  if (!history) throw new SelectionError('--resume needs the run history, which is turned off');
  const prior = await history.getRun(runId);
  if (!prior) throw new RunNotFoundError(runId);
  if (prior.pipeline !== spec.name) {
    throw new SelectionError(`run ${runId} is of pipeline \`${prior.pipeline}\`, not \`${spec.name}\``);
  }
  if (prior.status === 'done') throw new SelectionError(`run ${runId} already succeeded; nothing to resume`);
  if (prior.status === 'running') {
    throw new SelectionError(`run ${runId} is still running; resume it once it has ended`);
  }
  return prior;
}

/** The steps this run executes (or serves from cache), after `from` / `only`. */
function select(spec: PipelineSpec, request: PlanRequest): { selected: Set<string>; forced: Set<string> } {
  const { from, only } = request;
  if (from !== undefined && only !== undefined) throw new SelectionError('use either --from or --only, not both');
  const names = new Set(spec.steps.map((s) => s.name));
  const check = (flag: string, name: string) => {
    if (!names.has(name)) {
      throw new SelectionError(`${flag} ${name}: no such step; the pipeline has: ${[...names].join(', ')}`);
    }
  };
  if (only !== undefined) {
    check('--only', only);
    return { selected: new Set([only]), forced: new Set([only]) };
  }
  if (from !== undefined) {
    check('--from', from);
    const forced = new Set([from, ...descendants(spec.steps, from)]);
    return { selected: new Set(forced), forced };
  }
  return { selected: names, forced: new Set() };
}

/** For `from` / `only`: inputs produced outside the selection come from the newest successful executions. */
async function externalInputs(
  spec: PipelineSpec,
  selected: Set<string>,
  flag: string,
  history: RunHistory | undefined,
  store: ArtifactStore,
): Promise<Map<string, Record<string, string>>> {
  const external = new Map<string, Record<string, string>>();
  for (const step of spec.steps) {
    if (!selected.has(step.name)) continue;
    for (const input of step.inputs) {
      if (selected.has(input.from) || external.has(input.from)) continue;
      if (!history) throw new SelectionError(`${flag} needs the run history, which is turned off`);
      const producer = spec.steps.find((s) => s.name === input.from);
      const candidates = await history.successfulExecutions(spec.name, input.from);
      // Prefer an execution of the producer's current code; fall back to the newest.
      const ordered = [
        ...candidates.filter((c) => c.bundleHash === producer?.hash),
        ...candidates.filter((c) => c.bundleHash !== producer?.hash),
      ];
      const needed = spec.steps
        .filter((s) => selected.has(s.name))
        .flatMap((s) => s.inputs.filter((i) => i.from === input.from).map((i) => i.name));
      let found: Record<string, string> | undefined;
      for (const c of ordered) {
        const present = await Promise.all(
          needed.map(async (n) => c.outputs[n] !== undefined && (await store.has(c.outputs[n]!))),
        );
        if (present.every(Boolean)) {
          found = c.outputs;
          break;
        }
      }
      if (!found) {
        throw new SelectionError(
          `${flag}: step \`${step.name}\` needs \`${input.name}\` from step \`${input.from}\`, but no successful ` +
            `execution of \`${input.from}\` with that output is in the run history (or its artifact is gone); ` +
            `run the pipeline, or --from ${input.from}, first`,
        );
      }
      external.set(input.from, found);
    }
  }
  return external;
}
