/**
 * The step runtime: bundled into every step `.mjs` by the compiler. The
 * generated entry calls `runStep(meta, body)`; this parses the command line,
 * reads inputs, runs the notebook code, writes outputs and metrics, and turns
 * failures into the exit codes and final stderr line of STEP-CONTRACT.md.
 */
import { closeSync, writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ARGS_FROM_STDIN, type StepArgs, type StepMeta, parseStepArgs, readArgsFromStdin } from './args.js';
import { StepRuntimeError, StepUsageError } from './errors.js';
import { preloadMarshalling, readVariable, writeVariable } from './marshal.js';
import { enterCell, failureReport, STACK_FRAMES } from './report.js';
import { collectReads } from './read-trace-collect.js';
import { startTracing, traceExclusions } from './trace-setup.js';

export type { StepMeta } from './args.js';
export * from './errors.js';
export { thrown } from './thrown.js';

/** What the generated code gets: its inputs and parameter values. */
export interface StepContext {
  input(name: string): Promise<unknown>;
  param(name: string): unknown;
  /** The generated code calls this as each notebook cell starts (0-based index). */
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
  if (Error.stackTraceLimit < STACK_FRAMES) Error.stackTraceLimit = STACK_FRAMES;
  // Errors outside the awaited chain (a rejected promise nobody awaited, a throw in a
  // timer callback) still fail the step with the contract's final stderr line.
  const fail = (err: unknown) => {
    report(meta, bundleUrl, err, phase);
    process.exit(1);
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
    const startedMs = Date.now();
    phase = 'run';
    const ctx = makeContext(meta, args);
    const trace = args.tracePath !== undefined ? startTracing() : undefined;
    const result = await body(ctx);
    trace?.stop();
    // Hashing what the code read overlaps writing the outputs.
    const traced = trace ? collectReads(trace.recorded, traceExclusions(args, bundleUrl)) : undefined;
    traced?.catch(() => {});
    phase = 'output';
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
    if (traced) await writeFile(args.tracePath!, `${JSON.stringify(await traced)}\n`);
    exitDone();
  } catch (err) {
    report(meta, bundleUrl, err, phase);
    process.exit(err instanceof StepUsageError ? 2 : 1);
  }
}

/** The runner's signal pipe (`STILLWATER_READY_FD`), if it gave one; open until `done`. */
let signalFd: number | undefined;

/**
 * Tells a runner that asked (`STILLWATER_READY_FD`) that the bundle's imports are
 * loaded: the step is about to run, or to wait for its command line. The local
 * runner holds back launching the next steps until then, so their start-up does
 * not compete with this one's. The variable is removed so processes the notebook
 * starts do not inherit it.
 */
function signalReady(): void {
  const fd = Number(process.env.STILLWATER_READY_FD);
  delete process.env.STILLWATER_READY_FD;
  if (!Number.isInteger(fd) || fd <= 2) return;
  signalFd = fd;
  signal('ready');
  exitWithRunner();
}

/**
 * A runner that gave a signal pipe supervises this step, and the step leads its own
 * process group, so a runner killed outright (SIGKILL, a crash) would leave it
 * computing on. Once a second the step checks that its parent is still the one that
 * started it; when not, it ends itself and whatever it started.
 */
function exitWithRunner(): void {
  const runner = process.ppid;
  setInterval(() => {
    if (process.ppid === runner) return;
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.kill(process.pid, 'SIGKILL');
    }
  }, 1000).unref();
}

/**
 * Exits 0 after telling the runner `done` (STEP-CONTRACT.md): outputs and metrics
 * are written and the notebook's own `exit` handlers have run. Closing stdout and
 * stderr first lets the runner see the end of the step's output at once; otherwise
 * their end of file would wait for the kernel to free the process's memory (~15 ms
 * for a step holding a few hundred MB), which the runner need not wait for.
 */
function exitDone(): never {
  // Registered now, so it runs after every `exit` handler the notebook added.
  process.once('exit', () => {
    if (signalFd === undefined) return;
    for (const fd of [1, 2]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    signal('done');
  });
  process.exit(0);
}

function signal(word: 'ready' | 'done'): void {
  if (signalFd === undefined) return;
  try {
    writeSync(signalFd, `${word}\n`);
    if (word === 'done') closeSync(signalFd);
  } catch {
    // Nobody listening: the signals are advisory.
    signalFd = undefined;
  }
}

function makeContext(meta: StepMeta, args: StepArgs): StepContext {
  return {
    input: (name) => readVariable(meta.inputs[name]!, args.inputs.get(name)!, name),
    param: (name) => (args.params.has(name) ? args.params.get(name) : structuredClone(meta.parameters[name]!.default)),
    cell: enterCell,
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
