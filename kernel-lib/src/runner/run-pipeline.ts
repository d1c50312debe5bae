/**
 * `runPipeline`: runs a compiled pipeline on this machine. It validates the
 * parameters, selects steps (`from`, `only`, `resume`), schedules them over the
 * DAG, serves each from the cache or runs it in its own process, files outputs
 * in the artifact store, and records the run in the history. Progress comes out
 * as a stream of `RunEvent`s; the final `RunResult` is awaited separately.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { JsonValue, MarshalKind, PipelineSpec, PipelineStep } from '../pipeline/spec.js';
import { type ArtifactStore, LocalArtifactStore } from './artifact-store.js';
import { CacheIndex, cacheKey } from './cache.js';
import { descendants } from './dag.js';
import { HistoryWriteError, MissingOutputError, ParameterError, RunNotFoundError, SelectionError } from './errors.js';
import { EventStream } from './event-stream.js';
import type {
  MetricValue,
  RunEvent,
  RunFinishedEvent,
  RunStatus,
  StepErrorInfo,
  StepEvent,
  StepStatus,
} from './events.js';
import type { RunHistory } from './history.js';
import { homeLayout, resolveHome } from './home.js';
import { HistoryWithActiveRuns } from './active-runs.js';
import { LazyDeltaRunHistory } from './lazy-history.js';
import { loadPipeline } from './load-pipeline.js';
import { outOfMemoryError } from './out-of-memory.js';
import { formatParameterValue, resolveParameters } from './params.js';
import type { RunRecord, StepExecutionRecord } from './records.js';
import { RunJournal } from './run-journal.js';
import { bundlePath, runWorkDir, stepWorkDir } from './safe-paths.js';
import { type NodeOutcome, schedule } from './scheduler.js';
import { bundleTakesRunContext, parseStepError, stepArguments } from './step-contract.js';
import { isReferenceKind, pinReference, referenceStillCurrent } from './table-refs.js';
import { type TracedReads, bundleTracesReads, checkTracedReads, readTracedReads } from './input-trace.js';
import { type DependencyState, LaunchAhead } from './launch-ahead.js';
import { type LaunchOptions, type StepProcessResult, launchStepProcess } from './step-process.js';
import { PackageVersions, bundlePackages } from './step-packages.js';
import { type StepSetting, stepSetting } from './step-setting.js';

export interface RunOptions {
  /** Stillwater home (default: `STILLWATER_HOME`, else `.stillwater` in `cwd`). */
  home?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Folder holding `pipeline.json`, required when passing a spec object. */
  pipelineDir?: string;
  /** Parameter overrides: `--param` text, or already-typed values. */
  params?: Record<string, string | JsonValue>;
  /** Steps running at once (default: number of cores). */
  concurrency?: number;
  /** `false` = `--no-cache`: execute every step (successes are still recorded in the cache). */
  cache?: boolean;
  /** Run this step and its descendants; other inputs come from the newest successful executions. */
  from?: string;
  /** Run only this step; its inputs come from the newest successful executions. */
  only?: string;
  /** Continue this failed or cancelled run: its successful steps are not executed again. */
  resume?: string;
  /** Aborting cancels the run: running steps are killed, the run ends `cancelled`. */
  signal?: AbortSignal;
  /** Where artifacts live (default: `<home>/artifacts` on the local disk). */
  artifactStore?: ArtifactStore;
  /** Where the run is recorded (default: Delta tables in the home); `false` records nothing. */
  history?: RunHistory | false;
  runId?: string;
  /** First retry waits this long; each further retry doubles it (default 1000 ms, capped at 30 s). */
  retryBackoffMs?: number;
  /** After SIGTERM on cancellation, SIGKILL follows after this long (default 2000 ms). */
  killGraceMs?: number;
  /**
   * Start a step's process while its upstream steps still run, so Node start-up and
   * module loading overlap their work; the step gets its command line on stdin once
   * its inputs exist (STEP-CONTRACT.md, "Launching ahead"). Default true.
   */
  launchAhead?: boolean;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  durationMs: number;
  steps: Record<string, StepStatus>;
  metrics: Record<string, MetricValue>;
  error?: RunFinishedEvent['error'];
  run: RunRecord;
  stepExecutions: StepExecutionRecord[];
}

/** The events of a run (iterate once) plus its final result. */
export interface RunHandle extends AsyncIterable<RunEvent> {
  readonly runId: string;
  readonly result: Promise<RunResult>;
}

/** Starts a run. Load and validation errors (bad parameter, unknown step) reject `result` and end the iteration with that error. */
export function runPipeline(specOrPath: string | PipelineSpec, options: RunOptions = {}): RunHandle {
  const runId = options.runId ?? newRunId();
  const stream = new FailableEventStream<RunEvent>();
  const result = new Run(runId, specOrPath, options, (e) => stream.push(e)).execute().then(
    (r) => {
      stream.close();
      return r;
    },
    (err: unknown) => {
      stream.fail(err);
      throw err;
    },
  );
  // The caller may consume only the events; the error then surfaces there.
  result.catch(() => {});
  return {
    runId,
    result,
    [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator](),
  };
}

/** Sortable, readable, unique enough: `20261126-054612-3f9a1c`. */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${Math.random().toString(16).slice(2, 8).padEnd(6, '0')}`;
}

class FailableEventStream<T> extends EventStream<T> {
  private error: unknown;
  private failed = false;
  fail(err: unknown): void {
    this.failed = true;
    this.error = err;
    this.close();
  }
  override [Symbol.asyncIterator](): AsyncIterator<T> {
    const inner = super[Symbol.asyncIterator]();
    return {
      next: async () => {
        const r = await inner.next();
        if (r.done && this.failed) throw this.error;
        return r;
      },
    };
  }
}

const OUTPUT_EXTENSION: Record<MarshalKind, string> = {
  arrow: 'arrow',
  'delta-table': 'json',
  lakehouse: 'json',
  'xgboost-model': 'model',
  'structured-clone': 'v8',
};

interface StepState {
  step: PipelineStep;
  record: StepExecutionRecord;
  outputs: Record<string, string>;
}

class Run {
  private readonly states = new Map<string, StepState>();
  private readonly abort = new AbortController();
  private spec!: PipelineSpec;
  private dir!: string;
  private store!: ArtifactStore;
  private cache!: CacheIndex;
  private workDir!: string;
  private params: Record<string, JsonValue> = {};
  /** Outputs of steps outside the selection, taken from earlier executions. */
  private readonly external = new Map<string, Record<string, string>>();
  /** Successful step executions of the run being resumed, by step. */
  private readonly resumed = new Map<string, StepExecutionRecord>();
  private forced = new Set<string>();
  private ahead!: LaunchAhead;
  /** Steps whose process has been started, whatever happened since; and those that said they are ready. */
  private readonly started = new Set<string>();
  private readonly ready = new Set<string>();
  private running = 0;
  private setting: StepSetting | undefined;
  /** Where this run notes each step as it ends, so a killed run can be resumed (run-journal.ts). */
  private journal: RunJournal | undefined;
  private readonly packageVersions = new PackageVersions();
  /** Steps whose bundle reports what its code reads (`--trace-reads`). */
  private readonly tracing = new Set<string>();
  /** Bundles whose runtime takes `--run-context`. */
  private readonly takesRunContext = new Set<string>();
  private artifactsDir = '';

  constructor(
    private readonly runId: string,
    private readonly specOrPath: string | PipelineSpec,
    private readonly options: RunOptions,
    private readonly emit: (e: RunEvent) => void,
  ) {}

  async execute(): Promise<RunResult> {
    const o = this.options;
    const cwd = o.cwd ?? process.cwd();
    const layout = homeLayout(resolveHome({ home: o.home, cwd, env: o.env }));
    const loaded = await loadPipeline(this.specOrPath, { pipelineDir: o.pipelineDir, cwd, home: layout.home });
    this.spec = loaded.spec;
    this.dir = loaded.dir;
    this.store = o.artifactStore ?? new LocalArtifactStore(layout.artifacts);
    this.cache = new CacheIndex(layout.cache);
    const recorded = o.history === false ? undefined : (o.history ?? new LazyDeltaRunHistory(layout.home));
    // Killed runs are found through their journals: shown `interrupted`, resumable (active-runs.ts).
    const history = recorded && new HistoryWithActiveRuns(recorded, layout);
    this.workDir = runWorkDir(layout.work, this.runId);
    this.artifactsDir = runWorkDir(layout.runArtifacts, this.runId);

    // Everything that can be wrong with the request is checked before any step runs.
    let given = o.params ?? {};
    let prior: RunRecord | undefined;
    if (o.resume !== undefined) {
      if (!history) throw new SelectionError('--resume needs the run history, which is turned off');
      prior = await history.getRun(o.resume);
      if (!prior) throw new RunNotFoundError(o.resume);
      if (prior.pipeline !== this.spec.name) {
        throw new SelectionError(`run ${o.resume} is of pipeline \`${prior.pipeline}\`, not \`${this.spec.name}\``);
      }
      if (prior.status === 'done') throw new SelectionError(`run ${o.resume} already succeeded; nothing to resume`);
      if (prior.status === 'running') {
        throw new SelectionError(`run ${o.resume} is still running; resume it once it has ended`);
      }
      given = { ...(prior.params as Record<string, JsonValue>), ...given };
      for (const r of await history.stepExecutions(o.resume)) {
        if (r.status === 'done' || r.status === 'cached') this.resumed.set(r.step, r);
      }
    }
    this.params = resolveParameters(this.spec.parameters, given);
    const selected = this.select();
    if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1)) {
      throw new ParameterError('concurrency', `--concurrency expects a positive integer, got ${o.concurrency}`);
    }
    await this.resolveExternalInputs(selected, history);
    const concurrency = o.concurrency ?? availableParallelism();
    this.ahead = new LaunchAhead(this.spec.steps, this.dir, o.launchAhead === false ? 0 : concurrency, {
      isWaiting: (n) => selected.has(n) && !this.started.has(n) && this.states.get(n)?.record.status === 'queued',
      dependencyState: (n) => this.dependencyState(n),
      runningCount: () => this.running,
      launchOptions: (step) => this.launchOptions(step),
    });

    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const selection = o.only !== undefined ? `only:${o.only}` : o.from !== undefined ? `from:${o.from}` : 'all';
    // Journaled before anyone hears of the run, so every run id seen can be resumed.
    this.journal = history
      ? await RunJournal.start(layout.journal, {
          runId: this.runId,
          pipeline: this.spec.name,
          pipelineHash: this.spec.hash,
          pipelineDir: this.dir,
          startedAt,
          params: this.params,
          resumeOf: prior?.runId ?? null,
          selection,
        })
      : undefined;
    this.emit({
      type: 'run-started',
      runId: this.runId,
      time: startedAt,
      pipeline: this.spec.name,
      pipelineHash: this.spec.hash,
      pipelineDir: this.dir,
      params: this.params,
      steps: this.spec.steps.map((s) => s.name),
      concurrency,
      ...(prior ? { resumeOf: prior.runId } : {}),
    });

    for (const step of this.spec.steps) {
      const state: StepState = { step, outputs: {}, record: this.emptyRecord(step) };
      this.states.set(step.name, state);
      if (selected.has(step.name)) this.stepEvent(state, 'queued');
      else this.finishStep(state, 'skipped', { reason: this.notSelectedReason() });
    }

    // What recording the run needs (the lakehouse, the history tables) is loaded while steps
    // run, once a CPU is to spare; otherwise on first use, at the end.
    const lazyHistory = recorded instanceof LazyDeltaRunHistory ? recorded : undefined;
    if (lazyHistory) this.ahead.whenIdle(() => lazyHistory.preload());
    const onAbort = () => this.abort.abort();
    if (o.signal?.aborted) this.abort.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const nodes = this.spec.steps
      .filter((s) => selected.has(s.name))
      .map((s) => ({ name: s.name, deps: s.deps.filter((d) => selected.has(d)) }));
    try {
      await schedule(nodes, {
        concurrency,
        signal: this.abort.signal,
        run: (n) => this.runStepSafely(this.states.get(n.name)!),
        onSkip: (n, reason) => {
          this.ahead.discard(n.name);
          this.finishStep(this.states.get(n.name)!, 'skipped', { reason });
        },
      });
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      this.ahead.stop();
      this.journal?.stop();
      await rm(this.workDir, { recursive: true, force: true });
    }

    const records = [...this.states.values()].map((s) => s.record);
    const steps = Object.fromEntries(records.map((r) => [r.step, r.status])) as Record<string, StepStatus>;
    const metrics: Record<string, MetricValue> = {};
    for (const r of records) Object.assign(metrics, r.metrics);
    const firstFailure = records.find((r) => r.status === 'failed');
    const status: RunStatus = this.abort.signal.aborted ? 'cancelled' : firstFailure ? 'failed' : 'done';
    const error =
      status === 'cancelled'
        ? { type: 'Cancelled', message: 'the run was cancelled' }
        : firstFailure?.error
          ? { ...firstFailure.error, step: firstFailure.step }
          : undefined;
    const ended = Date.now();
    const run: RunRecord = {
      runId: this.runId,
      pipeline: this.spec.name,
      pipelineHash: this.spec.hash,
      pipelineDir: this.dir,
      status,
      startedAt,
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - started,
      params: this.params,
      metrics,
      resumeOf: prior?.runId ?? null,
      selection,
      error: error ?? null,
    };
    // Record first, so whoever sees `run-finished` finds the run in the history; but the final
    // event is emitted even when recording fails, and the failure is reported after it.
    let historyError: unknown;
    this.journal?.end(run);
    if (history) await history.recordRun(run, records).catch((err: unknown) => (historyError = err));
    if (historyError === undefined) await this.journal?.remove();
    else this.journal?.stop();
    // Runs killed earlier in this home go into the history too; that is no concern of this run's.
    await history?.settle(this.runId).catch(() => {});
    this.emit({
      type: 'run-finished',
      runId: this.runId,
      time: new Date().toISOString(),
      status,
      durationMs: run.durationMs,
      steps,
      metrics,
      ...(error ? { error } : {}),
    });
    if (historyError !== undefined) {
      throw new HistoryWriteError(
        `run ${this.runId} ended ${status} but could not be recorded in the run history: ${(historyError as Error).message}`,
        { cause: historyError },
      );
    }
    return {
      runId: this.runId,
      status,
      durationMs: run.durationMs,
      steps,
      metrics,
      ...(error ? { error } : {}),
      run,
      stepExecutions: records,
    };
  }

  /** The steps this run executes (or serves from cache), after `from` / `only`. */
  private select(): Set<string> {
    const { from, only } = this.options;
    if (from !== undefined && only !== undefined) throw new SelectionError('use either --from or --only, not both');
    const names = new Set(this.spec.steps.map((s) => s.name));
    const check = (flag: string, name: string) => {
      if (!names.has(name)) {
        throw new SelectionError(`${flag} ${name}: no such step; the pipeline has: ${[...names].join(', ')}`);
      }
    };
    if (only !== undefined) {
      check('--only', only);
      this.forced = new Set([only]);
      return new Set(this.forced);
    }
    if (from !== undefined) {
      check('--from', from);
      this.forced = new Set([from, ...descendants(this.spec.steps, from)]);
      return new Set(this.forced);
    }
    return names;
  }

  private notSelectedReason(): string {
    return this.options.only !== undefined
      ? `not selected (--only ${this.options.only})`
      : `not selected (--from ${this.options.from})`;
  }

  /** For `from` / `only`: inputs produced outside the selection come from the newest successful executions. */
  private async resolveExternalInputs(selected: Set<string>, history: RunHistory | undefined): Promise<void> {
    const flag = this.options.only !== undefined ? `--only ${this.options.only}` : `--from ${this.options.from}`;
    for (const step of this.spec.steps) {
      if (!selected.has(step.name)) continue;
      for (const input of step.inputs) {
        if (selected.has(input.from)) continue;
        if (!this.external.has(input.from)) {
          if (!history) throw new SelectionError(`${flag} needs the run history, which is turned off`);
          const producer = this.spec.steps.find((s) => s.name === input.from);
          const candidates = await history.successfulExecutions(this.spec.name, input.from);
          // Prefer an execution of the producer's current code; fall back to the newest.
          const ordered = [
            ...candidates.filter((c) => c.bundleHash === producer?.hash),
            ...candidates.filter((c) => c.bundleHash !== producer?.hash),
          ];
          let found: Record<string, string> | undefined;
          for (const c of ordered) {
            const needed = this.spec.steps
              .filter((s) => selected.has(s.name))
              .flatMap((s) => s.inputs.filter((i) => i.from === input.from).map((i) => i.name));
            const present = await Promise.all(
              needed.map(async (n) => c.outputs[n] !== undefined && (await this.store.has(c.outputs[n]!))),
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
          this.external.set(input.from, found);
        }
      }
    }
  }

  private emptyRecord(step: PipelineStep): StepExecutionRecord {
    return {
      runId: this.runId,
      pipeline: this.spec.name,
      step: step.name,
      status: 'queued',
      cacheHit: false,
      attempts: 0,
      startedAt: null,
      endedAt: null,
      durationMs: null,
      bundleHash: step.hash,
      cacheKey: null,
      params: Object.fromEntries(step.parameters.map((p) => [p, this.params[p]])),
      inputs: {},
      outputs: {},
      metrics: {},
      error: null,
      reason: null,
    };
  }

  private stepEvent(state: StepState, status: StepStatus, extra: Partial<StepEvent> = {}): void {
    this.emit({
      type: 'step',
      runId: this.runId,
      time: new Date().toISOString(),
      step: state.step.name,
      status,
      ...extra,
    });
  }

  private finishStep(state: StepState, status: StepStatus, extra: Partial<StepEvent> & { reason?: string } = {}): void {
    const r = state.record;
    r.status = status;
    if (extra.reason !== undefined) r.reason = extra.reason;
    if (extra.error !== undefined) r.error = extra.error;
    this.journal?.step(r);
    if (status === 'skipped') {
      this.stepEvent(state, status, extra);
      return;
    }
    this.stepEvent(state, status, {
      ...(r.cacheKey ? { cacheKey: r.cacheKey } : {}),
      inputs: r.inputs,
      outputs: r.outputs,
      metrics: r.metrics,
      ...(r.attempts > 0 ? { attempt: r.attempts } : {}),
      ...(r.durationMs !== null && status !== 'cached' ? { durationMs: r.durationMs } : {}),
      ...extra,
    });
    // A slot may have freed up for launching a later step ahead.
    this.ahead.fill();
  }

  /** A failure of the runner itself around a step (disk full, unreadable store) fails that step, visibly. */
  private async runStepSafely(state: StepState): Promise<NodeOutcome> {
    try {
      return await this.runStep(state);
    } catch (err) {
      const e = err as Error;
      this.finishStep(state, 'failed', { error: { type: e.name || 'Error', message: `runner: ${e.message}` } });
      return 'failed';
    }
  }

  private async runStep(state: StepState): Promise<NodeOutcome> {
    const { step, record } = state;
    for (const input of step.inputs) {
      const hash = this.states.get(input.from)?.outputs[input.name] ?? this.external.get(input.from)?.[input.name];
      if (hash === undefined) {
        const e = {
          type: 'MissingInput',
          message: `input \`${input.name}\` from step \`${input.from}\` was not produced`,
        };
        this.finishStep(state, 'failed', { error: e });
        return 'failed';
      }
      record.inputs[input.name] = hash;
    }
    const key = cacheKey({
      step: step.name,
      bundleHash: step.hash,
      inputs: record.inputs,
      params: record.params,
      outputs: step.outputs.map((x) => x.name),
      packages: await this.packagesOf(step),
    });
    record.cacheKey = key;

    // 1. A step that succeeded in the run being resumed (same code, same inputs) is not executed again.
    const prior = this.resumed.get(step.name);
    if (prior && prior.cacheKey === key && (await this.allPresent(prior.outputs))) {
      const changed = await this.changedRead(prior.tracedInputs);
      if (!changed) return this.serveFrom(state, prior.outputs, prior.metrics, `resumed from run ${prior.runId}`);
      record.reason = changed;
    }
    // 2. The cache, unless turned off for the run or the step, or the step was explicitly selected.
    if (this.options.cache !== false && step.cache && !this.forced.has(step.name)) {
      const hit = await this.cache.lookup(key, this.store);
      if (hit && (await this.referencesCurrent(step, hit.outputs))) {
        const changed = await this.changedRead(hit.traced, (refreshed) =>
          this.cache.record({ ...hit, traced: refreshed }),
        );
        if (!changed) {
          record.tracedInputs = hit.traced ?? null;
          return this.serveFrom(state, hit.outputs, hit.metrics, `cached from run ${hit.runId}`);
        }
        record.reason = changed;
      }
    }
    // 3. Execute.
    return this.executeStep(state);
  }

  /**
   * Why what an earlier execution read (input-trace.ts) no longer holds, or undefined.
   * `onRefreshed` gets the trace with new stats of files touched but unchanged.
   */
  private async changedRead(
    traced: TracedReads | null | undefined,
    onRefreshed?: (t: TracedReads) => Promise<void>,
  ): Promise<string | undefined> {
    if (!traced) return undefined;
    const setting = this.stepSetting();
    const check = await checkTracedReads(traced, setting.env, this.options.cwd ?? process.cwd());
    if (check.refreshed) await onRefreshed?.(check.refreshed);
    return check.changed;
  }

  /** The installed versions of the packages the step's bundle imports (step-packages.ts). */
  private async packagesOf(step: PipelineStep): Promise<Record<string, string>> {
    const bundle = bundlePath(this.dir, step);
    const text = await readFile(bundle, 'utf8').catch(() => '');
    if (bundleTracesReads(text)) this.tracing.add(step.name);
    if (bundleTakesRunContext(text)) this.takesRunContext.add(step.name);
    return this.packageVersions.of(bundlePackages(text), path.dirname(bundle));
  }

  /** Table/lakehouse outputs are only reusable while the data they point at is unchanged (table-refs.ts). */
  private async referencesCurrent(step: PipelineStep, outputs: Record<string, string>): Promise<boolean> {
    for (const o of step.outputs) {
      const hash = outputs[o.name];
      if (!isReferenceKind(o.marshal) || hash === undefined) continue;
      if (!(await referenceStillCurrent(await this.store.localPath(hash)))) return false;
    }
    return true;
  }

  private async allPresent(outputs: Record<string, string>): Promise<boolean> {
    for (const h of Object.values(outputs)) if (!(await this.store.has(h))) return false;
    return true;
  }

  private serveFrom(
    state: StepState,
    outputs: Record<string, string>,
    metrics: Record<string, MetricValue>,
    reason: string,
  ): NodeOutcome {
    this.ahead.discard(state.step.name);
    const now = new Date().toISOString();
    Object.assign(state.record, { cacheHit: true, startedAt: now, endedAt: now, durationMs: 0, outputs, metrics });
    state.outputs = outputs;
    this.finishStep(state, 'cached', { reason });
    return 'succeeded';
  }

  private async executeStep(state: StepState): Promise<NodeOutcome> {
    const { step, record } = state;
    const dir = stepWorkDir(this.workDir, step.name);
    const inPaths: Record<string, string> = {};
    for (const [name, hash] of Object.entries(record.inputs)) inPaths[name] = await this.store.localPath(hash);
    const outPaths = Object.fromEntries(
      step.outputs.map((x) => [x.name, path.join(dir, `${x.name}.${OUTPUT_EXTENSION[x.marshal]}`)]),
    );
    const metricsPath = path.join(dir, 'metrics.json');
    const tracePath = this.tracing.has(step.name) ? path.join(dir, 'reads.json') : undefined;
    const args = stepArguments({
      inputs: inPaths,
      outputs: outPaths,
      params: Object.fromEntries(step.parameters.map((p) => [p, formatParameterValue(this.params[p] ?? null)])),
      metricsPath,
      tracePath,
      ...(this.takesRunContext.has(step.name)
        ? {
            runContext: {
              runId: this.runId,
              step: step.name,
              notebook: this.spec.notebook,
              artifacts: stepWorkDir(this.artifactsDir, step.name),
            },
          }
        : {}),
    });
    const maxAttempts = 1 + Math.max(0, step.retries);
    const started = Date.now();
    record.startedAt = new Date(started).toISOString();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      record.attempts = attempt;
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      this.stepEvent(state, 'running', {
        attempt,
        cacheKey: record.cacheKey!,
        inputs: record.inputs,
        ...(record.reason ? { reason: record.reason } : {}),
      });
      this.started.add(step.name);
      const launched = this.ahead.take(step.name) ?? launchStepProcess(this.launchOptions(step), args);
      const running = launched.run(args, {
        timeoutMs: step.timeoutSeconds != null ? step.timeoutSeconds * 1000 : null,
        signal: this.abort.signal,
        killGraceMs: this.options.killGraceMs,
        onOutput: (stream, text) =>
          this.emit({ type: 'log', runId: this.runId, time: new Date().toISOString(), step: step.name, stream, text }),
      });
      // Once this step's own imports are loaded, its children may boot beside it without
      // slowing its start-up (launch-ahead.ts decides which, and when).
      void launched.ready.then((ready) => {
        if (!ready) return;
        this.ready.add(step.name);
        this.ahead.fill();
      });
      this.running++;
      const p = await running.finally(() => this.running--);
      let error: StepErrorInfo | undefined = processError(step, p);
      if (!error) {
        try {
          await this.collect(state, outPaths, metricsPath, started);
        } catch (err) {
          if (!(err instanceof MissingOutputError)) throw err;
          error = { type: 'MissingOutput', message: err.message };
        }
      }
      const ended = Date.now();
      record.endedAt = new Date(ended).toISOString();
      record.durationMs = ended - started;
      if (!error) {
        if (tracePath) record.tracedInputs = (await readTracedReads(tracePath)) ?? null;
        // Without the trace a bundle promised, what the step read is unknown: not reusable.
        if (step.cache && (!tracePath || record.tracedInputs)) {
          await this.cache.record({
            key: record.cacheKey!,
            pipeline: this.spec.name,
            step: step.name,
            runId: this.runId,
            finishedAt: record.endedAt,
            outputs: record.outputs,
            metrics: record.metrics,
            ...(record.tracedInputs ? { traced: record.tracedInputs } : {}),
          });
        }
        this.finishStep(state, 'done');
        return 'succeeded';
      }
      if (p.cancelled) {
        this.finishStep(state, 'cancelled', { error: { type: 'Cancelled', message: 'cancelled while running' } });
        return 'cancelled';
      }
      if (attempt < maxAttempts) {
        this.stepEvent(state, 'retrying', { attempt, durationMs: p.durationMs, error });
        const wait = Math.min(30_000, (this.options.retryBackoffMs ?? 1000) * 2 ** (attempt - 1));
        if (!(await sleep(wait, this.abort.signal))) {
          this.finishStep(state, 'cancelled', { error: { type: 'Cancelled', message: 'cancelled before a retry' } });
          return 'cancelled';
        }
        continue;
      }
      this.finishStep(state, 'failed', { error });
      return 'failed';
    }
    return 'failed';
  }

  private dependencyState(step: string): DependencyState {
    const status = this.states.get(step)?.record.status;
    if (status === 'done' || status === 'cached') return 'done';
    if (status !== 'queued') return 'failed';
    if (!this.started.has(step)) return 'not-started';
    return this.ready.has(step) ? 'ready' : 'booting';
  }

  private launchOptions(step: PipelineStep): LaunchOptions {
    return { script: bundlePath(this.dir, step), ...this.stepSetting() };
  }

  private stepSetting(): StepSetting {
    this.setting ??= stepSetting(this.spec, this.dir, this.options.env ?? process.env);
    return this.setting;
  }

  /** After a successful exit: every declared output must exist; they move into the artifact store. */
  private async collect(
    state: StepState,
    outPaths: Record<string, string>,
    metricsPath: string,
    stepStartedMs: number,
  ): Promise<void> {
    for (const [name, file] of Object.entries(outPaths)) {
      try {
        await stat(file);
      } catch {
        throw new MissingOutputError(`step \`${state.step.name}\` exited 0 but did not write its output \`${name}\``);
      }
    }
    await Promise.all(
      state.step.outputs
        .filter((o) => isReferenceKind(o.marshal))
        .map((o) => pinReference(outPaths[o.name]!, stepStartedMs)),
    );
    const refs = await Promise.all(
      Object.entries(outPaths).map(async ([n, f]) => [n, await this.store.put(f)] as const),
    );
    state.record.outputs = Object.fromEntries(refs.map(([n, r]) => [n, r.hash]));
    state.outputs = state.record.outputs;
    state.record.metrics = await readMetrics(metricsPath);
  }
}

/** The error of a finished step process, or undefined when it succeeded. */
function processError(step: PipelineStep, p: StepProcessResult): StepErrorInfo | undefined {
  const base = { exitCode: p.exitCode, signal: p.signal };
  if (p.spawnError)
    return { type: 'SpawnError', message: `could not start the step: ${p.spawnError.message}`, ...base };
  if (p.cancelled) return { type: 'Cancelled', message: 'cancelled while running', ...base };
  if (p.timedOut) {
    return {
      type: 'Timeout',
      message: `step \`${step.name}\` exceeded its timeout of ${step.timeoutSeconds}s and was killed`,
      ...base,
    };
  }
  const oom = outOfMemoryError(step.name, p);
  if (oom) return { ...oom, ...base };
  if (p.signal) {
    return { type: 'Signal', message: `step \`${step.name}\` was killed by ${p.signal}`, ...base };
  }
  if (p.exitCode !== 0) {
    const parsed = parseStepError(p.stderrTail);
    if (parsed.cell === undefined && !p.stderrTail.trim()) {
      return { type: 'Exit', message: `step \`${step.name}\` exited with code ${p.exitCode}`, ...base };
    }
    return { ...parsed, ...base };
  }
  return undefined;
}

async function readMetrics(file: string): Promise<Record<string, MetricValue>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  const o = JSON.parse(text) as unknown;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return {};
  const out: Record<string, MetricValue> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    out[k] = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null ? v : String(v);
  }
  return out;
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
