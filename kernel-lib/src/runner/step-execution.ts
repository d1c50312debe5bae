/**
 * Step execution: one step of a run, from its inputs to its outcome. Its inputs are
 * the outputs of its dependencies (or of earlier executions, for steps outside the
 * selection); a result of the resumed run or of the cache stands in when it still
 * holds (step-reuse.ts); otherwise the engine runs it, attempt after attempt up to
 * its retries, and its outputs move into the artifact store.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue, PipelineStep } from '../pipeline/spec.js';
import type { ArtifactStore } from './artifact-store.js';
import { type EngineRun, type StepLaunch, stepSlots } from './engine/engine.js';
import { formatParamText } from '../pipeline/runtime/param-text.js';
import { MissingOutputError } from './errors.js';
import type { StepErrorInfo } from './events.js';
import { readTracedReads } from './input-trace.js';
import type { RunRecorder, StepState } from './run-record.js';
import { bundlePath, stepWorkDir } from './safe-paths.js';
import type { NodeOutcome } from './scheduler.js';
import { stepArguments } from './step-contract.js';
import { collectOutputs, exitError, outputPaths, readMetrics } from './step-outcome.js';
import type { Reuse, StepReuse } from './step-reuse.js';
import type { StepExecutionRecord } from './records.js';

export interface StepExecutionContext {
  runId: string;
  pipeline: string;
  pipelineDir: string;
  /** The run's scratch folder; each step attempt works in a folder of its own inside. */
  workDir: string;
  /** The notebook (as the spec names it), and the run's folder for files steps leave for the user. */
  notebook: string;
  artifactsDir: string;
  params: Record<string, JsonValue>;
  store: ArtifactStore;
  reuse: StepReuse;
  engine: EngineRun;
  recorder: RunRecorder;
  /** Outputs of steps outside the selection, from earlier executions. */
  external: Map<string, Record<string, string>>;
  /** Successful executions of the resumed run, by step. */
  resumed: Map<string, StepExecutionRecord>;
  /** Steps the cache may not serve: `--no-cache` (all), or explicitly selected. */
  cacheOff: (step: PipelineStep) => boolean;
  /** Where steps run, and their environment. */
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  /** `--concurrency` (what a step's `limit:cpu` is capped at). */
  concurrency: number;
  /** First retry waits this long; each further retry doubles it (capped at 30 s). */
  retryBackoffMs: number;
  killGraceMs: number;
}

export class StepExecution {
  constructor(private readonly ctx: StepExecutionContext) {}

  /** Runs the step; a failure of the runner itself around it (disk full, unreadable store) fails it, visibly. */
  async run(state: StepState): Promise<NodeOutcome> {
    try {
      return await this.decide(state);
    } catch (err) {
      const e = err as Error;
      this.ctx.recorder.finishStep(state, 'failed', {
        error: { type: e.name || 'Error', message: `runner: ${e.message}` },
      });
      return 'failed';
    }
  }

  private async decide(state: StepState): Promise<NodeOutcome> {
    const { step, record } = state;
    for (const input of step.inputs) {
      const hash =
        this.ctx.recorder.state(input.from)?.outputs[input.name] ?? this.ctx.external.get(input.from)?.[input.name];
      if (hash === undefined) {
        const error = {
          type: 'MissingInput',
          message: `input \`${input.name}\` from step \`${input.from}\` was not produced`,
        };
        this.ctx.recorder.finishStep(state, 'failed', { error });
        return 'failed';
      }
      record.inputs[input.name] = hash;
    }
    const key = await this.ctx.reuse.keyOf(step, record.inputs, record.params);
    record.cacheKey = key;
    // 1. A step that succeeded in the run being resumed (same code, same inputs) is not executed again.
    // 2. The cache, unless turned off for the run or the step, or the step was explicitly selected.
    const resumed = await this.ctx.reuse.fromResumed(this.ctx.resumed.get(step.name), key);
    if (typeof resumed === 'object') return this.serve(state, resumed);
    if (resumed) record.reason = resumed;
    if (step.cache && !this.ctx.cacheOff(step)) {
      const cached = await this.ctx.reuse.fromCache(step, key);
      if (typeof cached === 'object') return this.serve(state, cached);
      if (cached) record.reason = cached;
    }
    // 3. Execute.
    return this.execute(state);
  }

  private serve(state: StepState, reuse: Reuse): NodeOutcome {
    this.ctx.engine.drop(state.step.name);
    const now = new Date().toISOString();
    Object.assign(state.record, {
      cacheHit: true,
      startedAt: now,
      endedAt: now,
      durationMs: 0,
      outputs: reuse.outputs,
      metrics: reuse.metrics,
      tracedInputs: reuse.tracedInputs,
    });
    state.outputs = reuse.outputs;
    this.ctx.recorder.finishStep(state, 'cached', { reason: reuse.reason });
    return 'succeeded';
  }

  private async execute(state: StepState): Promise<NodeOutcome> {
    const { step, record } = state;
    const { recorder } = this.ctx;
    const dir = stepWorkDir(this.ctx.workDir, step.name);
    const inputs: Record<string, string> = {};
    for (const [name, hash] of Object.entries(record.inputs)) inputs[name] = await this.ctx.store.localPath(hash);
    const outputs = outputPaths(step, dir);
    const metricsPath = path.join(dir, 'metrics.json');
    const tracePath = path.join(dir, 'reads.json');
    const params = Object.fromEntries(step.parameters.map((p) => [p, formatParamText(this.ctx.params[p] ?? null)]));
    const runContext = {
      runId: this.ctx.runId,
      step: step.name,
      // Absolute: commits carry it (commitInfo.stillwater), read far from the pipeline folder.
      notebook: path.resolve(this.ctx.pipelineDir, this.ctx.notebook),
      artifacts: stepWorkDir(this.ctx.artifactsDir, step.name),
    };
    const args = stepArguments({ inputs, outputs, params, metricsPath, tracePath, runContext });
    const maxAttempts = 1 + Math.max(0, step.retries);
    const slots = stepSlots(step.limits ?? {}, this.ctx.concurrency);
    const started = Date.now();
    record.startedAt = new Date(started).toISOString();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      record.attempts = attempt;
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      // `running` once the engine says where the attempt started (or, failing that, how it ended).
      let announced = false;
      const announce = (node: string) => {
        if (announced) return;
        announced = true;
        record.node = node;
        recorder.stepEvent(state, 'running', {
          attempt,
          cacheKey: record.cacheKey!,
          inputs: record.inputs,
          node,
          ...(record.reason ? { reason: record.reason } : {}),
        });
      };
      const launch: StepLaunch = {
        runId: this.ctx.runId,
        step: step.name,
        attempt,
        bundle: bundlePath(this.ctx.pipelineDir, step),
        args,
        cwd: this.ctx.cwd,
        env: this.ctx.env,
        inputs,
        outputs,
        metricsPath,
        timeoutMs: step.timeoutSeconds != null ? step.timeoutSeconds * 1000 : null,
        killGraceMs: this.ctx.killGraceMs,
        limits: step.limits ?? {},
        slots,
      };
      const exit = await this.ctx.engine.run(
        launch,
        (e) => (e.type === 'started' ? announce(e.node) : this.log(step.name, e.stream, e.text)),
        this.ctx.signal,
      );
      announce(exit.node);
      record.node = exit.node;
      let error: StepErrorInfo | undefined = exitError(step, exit);
      if (!error) {
        try {
          record.outputs = await collectOutputs(step, outputs, this.ctx.store);
          state.outputs = record.outputs;
          record.metrics = await readMetrics(metricsPath);
        } catch (err) {
          if (!(err instanceof MissingOutputError)) throw err;
          error = { type: 'MissingOutput', message: err.message };
        }
      }
      const ended = Date.now();
      record.endedAt = new Date(ended).toISOString();
      record.durationMs = ended - started;
      if (!error) {
        record.tracedInputs = (await readTracedReads(tracePath)) ?? null;
        // Without its trace, what the step read is unknown: not reusable.
        if (step.cache && record.tracedInputs) {
          await this.ctx.reuse.record({
            key: record.cacheKey!,
            pipeline: this.ctx.pipeline,
            step: step.name,
            runId: this.ctx.runId,
            finishedAt: record.endedAt,
            outputs: record.outputs,
            metrics: record.metrics,
            traced: record.tracedInputs,
          });
        }
        recorder.finishStep(state, 'done');
        return 'succeeded';
      }
      if (exit.cancelled) {
        recorder.finishStep(state, 'cancelled', { error: { type: 'Cancelled', message: 'cancelled while running' } });
        return 'cancelled';
      }
      if (attempt < maxAttempts) {
        recorder.stepEvent(state, 'retrying', { attempt, durationMs: exit.durationMs, node: exit.node, error });
        const wait = Math.min(30_000, this.ctx.retryBackoffMs * 2 ** (attempt - 1));
        if (!(await sleep(wait, this.ctx.signal))) {
          recorder.finishStep(state, 'cancelled', {
            error: { type: 'Cancelled', message: 'cancelled before a retry' },
          });
          return 'cancelled';
        }
        continue;
      }
      // The last attempt's trace, for its lineage: which table versions it read and committed.
      record.tracedInputs = (await readTracedReads(tracePath)) ?? null;
      recorder.finishStep(state, 'failed', { error });
      return 'failed';
    }
    return 'failed';
  }

  private log(step: string, stream: 'stdout' | 'stderr', text: string): void {
    this.ctx.recorder.emitLog(step, stream, text);
  }
}

/** Waits `ms`; resolves false early if the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
