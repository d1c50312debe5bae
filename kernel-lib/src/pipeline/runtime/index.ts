/**
 * The step runtime: bundled into every step `.mjs` by the compiler. The
 * generated entry calls `runStep(meta, body)`; this parses the command line,
 * reads inputs, runs the notebook code, writes outputs and metrics, and turns
 * failures into the exit codes and final stderr line of STEP-CONTRACT.md.
 */
import { writeFile } from 'node:fs/promises';
import { ARGS_FROM_STDIN, type StepArgs, type StepMeta, parseStepArgs, readArgsFromStdin } from './args.js';
import { StepRuntimeError, StepUsageError } from './errors.js';
import { exitFlushed, exitStarted } from './flush-stdio.js';
import { preloadMarshalling, readVariable, writeVariable } from './marshal.js';
import { tagCommits } from './commit-tags.js';
import { collectReads } from './read-trace-collect.js';
import { applyRunContext } from './run-context.js';
import { enterCell, failureReport, STACK_FRAMES } from './report.js';
import { closeOutputsAndSayDone, signalAt, signalReady } from './signal-pipe.js';
import type { ReadTrace } from './read-trace.js';
import type { TracedReads } from './trace-format.js';
import { startTracing, traceExclusions } from './trace-setup.js';

export type { StepMeta } from './args.js';
export * from './errors.js';
export { thrown } from './thrown.js';

/** What the generated code gets: its inputs and parameter values. */
export interface StepContext {
  input(name: string): Promise<unknown>;
  param(name: string): unknown;
  /**
   * The generated code calls this as each notebook cell starts (0-based index): errors
   * without a notebook frame are reported in it, and the runner is told on the signal pipe.
   */
  cell(index: number): void;
}

/** Returned by the generated body: the values of the step's outputs and metrics. */
export interface StepResult {
  outputs: Record<string, () => unknown>;
  metrics: Record<string, () => unknown>;
}

/**
 * Runs one step. `bundleUrl` is the bundle's `import.meta.url` (for its source
 * map). Ends the process: exit 0, 1 (step failed) or 2 (bad command line).
 * With the single argument `--args-from-stdin` the command line is read from
 * stdin instead (STEP-CONTRACT.md, "Launching ahead").
 */
export async function runStep(
  meta: StepMeta,
  bundleUrl: string,
  body: (ctx: StepContext) => Promise<StepResult>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<never> {
  let phase: StepRuntimeError['phase'] = 'args';
  let writeTrace: (() => Promise<void>) | undefined;
  if (Error.stackTraceLimit < STACK_FRAMES) Error.stackTraceLimit = STACK_FRAMES;
  // Errors outside the awaited chain (a rejected promise nobody awaited, a throw in a
  // timer callback) still fail the step with the contract's final stderr line.
  const fail = (err: unknown) => {
    // Once the exit code is decided (outputs written, or an error reported), a late throw changes nothing.
    if (exitStarted()) return;
    report(meta, bundleUrl, err, phase);
    void exitFlushed(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  signalReady();
  try {
    if (argv.length === 1 && argv[0] === ARGS_FROM_STDIN) {
      // Launched ahead of its turn: load what reading inputs and writing outputs will
      // need while the runner waits for upstream steps, then take the real command line.
      preloadMarshalling([...Object.values(meta.inputs), ...Object.values(meta.outputs)]);
      argv = await readArgsFromStdin(meta);
    }
    // Lets a profiler tell waiting for the command line from running the step.
    performance.mark('stillwater:step-args');
    const args = parseStepArgs(argv, meta);
    if (args.runContext) {
      applyRunContext(args.runContext);
      tagCommits(args.runContext);
    }
    const startedMs = Date.now();
    phase = 'run';
    const ctx = makeContext(meta, args);
    const trace = args.tracePath !== undefined ? startTracing() : undefined;
    let traced: Promise<TracedReads> | undefined;
    const collect = (t: ReadTrace) => {
      t.stop();
      traced ??= collectReads(t.recorded, traceExclusions(args, bundleUrl));
      traced.catch(() => {});
      return traced;
    };
    if (trace) writeTrace = async () => writeFile(args.tracePath!, `${JSON.stringify(await collect(trace))}\n`);
    const result = await body(ctx);
    // Hashing what the code read overlaps writing the outputs.
    if (trace) collect(trace);
    phase = 'output';
    signalAt('output');
    const values = [...args.outputs].map(([name, file]) => {
      try {
        return { name, file, value: result.outputs[name]!() };
      } catch (e) {
        throw new StepRuntimeError('output', `output "${name}" is not defined: ${(e as Error).message}`, name);
      }
    });
    // The files are independent: written concurrently (pinning a table reference reads Delta
    // logs; Arrow outputs are written on libuv threads). The first failure in declared order counts.
    const written = await Promise.allSettled(
      values.map(({ name, file, value }) => writeVariable(meta.outputs[name]!, file, name, value, startedMs)),
    );
    const failed = written.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    phase = 'metrics';
    if (args.metricsPath) await writeFile(args.metricsPath, metricsJson(meta, result));
    await writeTrace?.();
  } catch (err) {
    report(meta, bundleUrl, err, phase);
    // A failed step's trace still says which table versions it read and committed (its lineage);
    // a runner never reuses a failed step's results, so nothing else depends on it.
    await writeTrace?.().catch(() => {});
    return exitFlushed(err instanceof StepUsageError ? 2 : 1);
  }
  return exitDone();
}

/**
 * Exits 0 after telling the runner `done` (STEP-CONTRACT.md): outputs and metrics
 * are written, all queued output has reached stdout and stderr (flush-stdio.ts),
 * and the notebook's own `exit` handlers have run.
 */
function exitDone(): Promise<never> {
  // Registered last, so it runs after every `exit` handler the notebook added.
  return exitFlushed(0, () => process.once('exit', closeOutputsAndSayDone));
}

function makeContext(meta: StepMeta, args: StepArgs): StepContext {
  return {
    input: (name) => {
      signalAt(`input ${name}`);
      return readVariable(meta.inputs[name]!, args.inputs.get(name)!, name);
    },
    cell: (index) => {
      enterCell(index);
      signalAt(`cell ${index}`);
    },
    param: (name) => (args.params.has(name) ? args.params.get(name) : structuredClone(meta.parameters[name]!.default)),
  };
}

function metricsJson(meta: StepMeta, result: StepResult): string {
  const out: Record<string, number> = {};
  for (const name of [...meta.metrics].sort()) {
    let v: unknown;
    try {
      v = result.metrics[name]!();
    } catch (e) {
      throw new StepRuntimeError('metrics', `metric "${name}" is not defined: ${(e as Error).message}`, name);
    }
    if (typeof v === 'boolean') v = v ? 1 : 0;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new StepRuntimeError('metrics', `metric "${name}" must be a finite number, got ${describe(v)}`, name);
    out[name] = v;
  }
  return `${JSON.stringify(out)}\n`;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v)})` : `a ${typeof v}`;
}

function report(meta: StepMeta, bundleUrl: string, err: unknown, phase: StepRuntimeError['phase']): void {
  process.stderr.write(failureReport(meta.step, bundleUrl, err, phase));
}
