/**
 * `runPipeline`: runs a compiled pipeline on this machine. It validates the
 * parameters, selects steps (`from`, `only`, `resume`), schedules them over the
 * DAG, serves each from the cache or runs it in its own process, files outputs
 * in the artifact store, and records the run in the history. Progress comes out
 * as a stream of `RunEvent`s; the final `RunResult` is awaited separately.
 */
import { rm } from 'node:fs/promises';
import type { JsonValue, PipelineSpec } from '../pipeline/spec.js';
import { HistoryWithActiveRuns } from './active-runs.js';
import { type ArtifactStore, LocalArtifactStore } from './artifact-store.js';
import { CacheIndex } from './cache.js';
import { type Engine, type PlannedStep, stepSlots } from './engine/engine.js';
import { LocalEngine } from './engine/local/launcher.js';
import { FailableEventStream } from './event-stream.js';
import type { MetricValue, RunEvent, RunFinishedEvent, RunStatus, StepStatus } from './events.js';
import type { RunHistory } from './history.js';
import { homeLayout, resolveHome } from './home.js';
import { LazyDeltaRunHistory } from './lazy-history.js';
import { loadPipeline } from './load-pipeline.js';
import type { RunRecord, StepExecutionRecord } from './records.js';
import { RunJournal, type RunStart } from './run-journal.js';
import { type RunPlan, planRun } from './run-plan.js';
import { RunRecorder } from './run-record.js';
import { bundlePath, runWorkDir } from './safe-paths.js';
import { schedule } from './scheduler.js';
import { StepExecution } from './step-execution.js';
import { StepReuse } from './step-reuse.js';
import { stepSetting } from './step-setting.js';

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
  /** How step processes are started and where they run (default: the local engine, engine/local/). */
  engine?: Engine;
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
  /** The engine that ran the steps, and how long opening it took (connecting, starting a driver). */
  engine: { name: string; setupMs: number };
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

class Run {
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
    const { spec, dir } = await loadPipeline(this.specOrPath, { pipelineDir: o.pipelineDir, cwd, home: layout.home });
    const store = o.artifactStore ?? new LocalArtifactStore(layout.artifacts);
    const recorded = o.history === false ? undefined : (o.history ?? new LazyDeltaRunHistory(layout.home));
    // Killed runs are found through their journals: shown `interrupted`, resumable (active-runs.ts).
    const history = recorded && new HistoryWithActiveRuns(recorded, layout);
    const workDir = runWorkDir(layout.work, this.runId);

    // Everything that can be wrong with the request is checked before any step runs.
    const plan = await planRun(spec, o, history, store);
    const setting = stepSetting(spec, dir, o.env ?? process.env);
    const env = definedOnly(setting.env);
    const recorder = new RunRecorder(this.runId, spec, plan.params, this.emit);
    const steps: PlannedStep[] = spec.steps
      .filter((s) => plan.selected.has(s.name))
      .map((s) => ({
        name: s.name,
        deps: s.deps.filter((d) => plan.selected.has(d)),
        bundle: bundlePath(dir, s),
        limits: s.limits ?? {},
        slots: stepSlots(s.limits ?? {}, plan.concurrency),
      }));
    const chosen: Engine = o.engine ?? new LocalEngine({ launchAhead: o.launchAhead !== false });
    const opening = performance.now();
    const engine = await chosen.open({
      runId: this.runId,
      spec,
      pipelineDir: dir,
      home: layout.home,
      concurrency: plan.concurrency,
      steps,
      cwd: setting.cwd,
      env,
    });
    const engineInfo = { name: chosen.name, setupMs: engine.setupMs ?? performance.now() - opening };
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    if (o.signal?.aborted) abort.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let journal: RunJournal | undefined;
    let start: RunStart;
    try {
      ({ journal, start } = await this.started(spec, dir, plan, recorder, history, layout.journal));
      // What recording the run needs (the lakehouse, the history tables) is loaded while steps
      // run, once a CPU is to spare; otherwise on first use, at the end.
      if (recorded instanceof LazyDeltaRunHistory) engine.whenIdle(() => recorded.preload());
      const execution = new StepExecution({
        runId: this.runId,
        pipeline: spec.name,
        pipelineDir: dir,
        workDir,
        notebook: spec.notebook,
        artifactsDir: runWorkDir(layout.runArtifacts, this.runId),
        params: plan.params,
        store,
        reuse: new StepReuse({ pipelineDir: dir, store, cache: new CacheIndex(layout.cache), cwd, env: setting.env }),
        engine,
        recorder,
        external: plan.external,
        resumed: plan.resumed,
        cacheOff: (step) => o.cache === false || plan.forced.has(step.name),
        cwd: setting.cwd,
        env,
        signal: abort.signal,
        concurrency: plan.concurrency,
        retryBackoffMs: o.retryBackoffMs ?? 1000,
        killGraceMs: o.killGraceMs ?? 2000,
      });
      await schedule(steps, {
        slots: engine.slots,
        signal: abort.signal,
        run: (n) => execution.run(recorder.state(n.name)),
        onSkip: (n, reason) => {
          engine.drop(n.name);
          recorder.finishStep(recorder.state(n.name), 'skipped', { reason });
        },
      });
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      await engine.close();
      journal?.stop();
      await rm(workDir, { recursive: true, force: true });
    }

    const run = recorder.runRecord(start, abort.signal.aborted);
    await recorder.finish(run, history, engineInfo);
    const status = run.status as RunStatus;
    return {
      runId: this.runId,
      status,
      durationMs: run.durationMs,
      steps: recorder.statuses(),
      metrics: run.metrics,
      ...(run.error ? { error: run.error } : {}),
      run,
      stepExecutions: recorder.records(),
      engine: engineInfo,
    };
  }

  /** The run has started: journaled, announced, every step queued or skipped as unselected. */
  private async started(
    spec: PipelineSpec,
    dir: string,
    plan: RunPlan,
    recorder: RunRecorder,
    history: HistoryWithActiveRuns | undefined,
    journalDir: string,
  ): Promise<{ journal: RunJournal | undefined; start: RunStart }> {
    const startedAt = new Date().toISOString();
    const start = {
      runId: this.runId,
      pipeline: spec.name,
      pipelineHash: spec.hash,
      pipelineDir: dir,
      startedAt,
      params: plan.params,
      resumeOf: plan.prior?.runId ?? null,
      selection: plan.selection,
    };
    // Journaled before anyone hears of the run, so every run id seen can be resumed.
    const journal = history ? await RunJournal.start(journalDir, start) : undefined;
    recorder.journalTo(journal);
    this.emit({
      type: 'run-started',
      runId: this.runId,
      time: startedAt,
      pipeline: spec.name,
      pipelineHash: spec.hash,
      pipelineDir: dir,
      params: plan.params,
      steps: spec.steps.map((s) => s.name),
      concurrency: plan.concurrency,
      ...(plan.prior ? { resumeOf: plan.prior.runId } : {}),
    });
    for (const state of recorder.states.values()) {
      if (plan.selected.has(state.step.name)) recorder.stepEvent(state, 'queued');
      else recorder.finishStep(state, 'skipped', { reason: plan.notSelectedReason });
    }
    return { journal, start };
  }
}

/** An environment without unset variables (what crosses the engine seam is JSON). */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
