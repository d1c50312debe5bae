/**
 * Runs one step attempt in its own child process and supervises it. The runner
 * only ever sees an exit code, a signal and the stderr tail, so a step that
 * throws, calls `process.exit`, or is killed cannot take the runner down.
 * Each child leads its own process group: a timeout or cancellation kills the
 * step together with anything it spawned.
 *
 * A step can also be launched *ahead* of its turn (`launchStepProcess` without
 * arguments): the process boots and loads its bundle's imports while its
 * upstream steps still run, then waits for its command line on stdin
 * (`--args-from-stdin`, STEP-CONTRACT.md). `run` hands it the arguments once
 * its inputs exist. Node start-up and module loading then overlap upstream
 * compute instead of adding to the critical path (tests/bench/pipeline, section 3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ARGS_FROM_STDIN } from '../../../pipeline/runtime/args.js';
import { type ProcessGroups, killGroup } from './process-groups.js';
import { StepSignals } from '../step-signals.js';

export interface LaunchOptions {
  /** Script to run with `node` (the step bundle). */
  script: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Extra Node flags (e.g. `--enable-source-maps`). */
  nodeArgs?: string[];
}

export interface SuperviseOptions {
  /** Kill the process (SIGKILL) after this many milliseconds, counted from `run`. */
  timeoutMs?: number | null;
  /** Aborting kills the process: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  killGraceMs?: number;
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface StepProcessOptions extends LaunchOptions, SuperviseOptions {
  args: string[];
}

export interface StepProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The last lines of stderr (bounded), for error parsing. */
  stderrTail: string;
  /** From `run` (for a launched-ahead step: from when it got its arguments) to the end. */
  durationMs: number;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
  /** The step's V8 heap limit in MB, as its runtime reported it (signal pipe). */
  heapLimitMb?: number;
  /** Where the step last said it was (`cell 7`, `input table`, `output`; signal pipe). */
  lastAt?: string;
}

const STDERR_TAIL_BYTES = 64 * 1024;
/** The child's file descriptor on which the step runtime says `ready`, then `done` (its signal pipe). */
const SIGNAL_FD = 3;

type Ending = Pick<StepProcessResult, 'exitCode' | 'signal' | 'spawnError'>;

/** A started step process: `run` it (once) or `discard` it. */
export class StepProcess {
  private readonly child: ChildProcess;
  /** The process (and process group) id; undefined when it could not be started. */
  readonly pid: number | undefined;
  private readonly deferred: boolean;
  private stderrTail = '';
  /** Output that arrived before `run` attached a listener (e.g. warnings printed while importing). */
  private early: Array<['stdout' | 'stderr', string]> = [];
  private onOutput: SuperviseOptions['onOutput'];
  private ending: Ending | undefined;
  private onEnd: ((e: Ending) => void) | undefined;
  private used = false;
  /** The step reported `done` on its signal pipe. */
  private done = false;
  /** Of stdout and stderr, those not yet at end of file. */
  private openOutputs = 2;
  /** What the step said on its signal pipe besides ready/done (runtime/signal-pipe.ts). */
  private readonly said = new StepSignals();
  /**
   * Resolves true once the step says its imports are loaded (`STILLWATER_SIGNAL_FD`,
   * STEP-CONTRACT.md), false if it ends first.
   */
  readonly ready: Promise<boolean>;

  constructor(
    launch: LaunchOptions,
    args: string[] | undefined,
    private readonly groups: ProcessGroups,
  ) {
    this.deferred = args === undefined;
    this.child = spawn(process.execPath, [...(launch.nodeArgs ?? []), launch.script, ...(args ?? [ARGS_FROM_STDIN])], {
      cwd: launch.cwd,
      // The step leads its own group (below): it watches for this runner's death itself.
      env: {
        ...(launch.env ?? process.env),
        STILLWATER_SIGNAL_FD: String(SIGNAL_FD),
        STILLWATER_EXIT_WITH_PARENT: '1',
      },
      stdio: [this.deferred ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.pid = this.child.pid;
    const signals = this.child.stdio[SIGNAL_FD] as NodeJS.ReadableStream | null;
    this.ready = new Promise((resolve) => {
      if (!signals) return resolve(false);
      let pending = '';
      signals.setEncoding('utf8');
      signals.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) this.signalLine(line, resolve);
      });
      signals.once('close', () => resolve(false));
      signals.once('error', () => resolve(false));
    });
    if (this.pid !== undefined) groups.add(this.pid);
    // A step that dies before reading its arguments closes the pipe; the exit status tells why.
    this.child.stdin?.on('error', () => {});
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => this.output('stdout', text));
    this.child.stderr!.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
      this.output('stderr', text);
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.once('end', () => {
        this.openOutputs--;
        this.endIfDone();
      });
    }
    this.child.on('error', (err) => this.end({ exitCode: null, signal: null, spawnError: err }));
    // 'close' (not 'exit') so every byte of stderr has arrived before it is parsed.
    this.child.on('close', (code, sig) => this.end({ exitCode: code, signal: sig }));
  }

  /** One line from the signal pipe: `ready` first, `done` last (STEP-CONTRACT.md). */
  private signalLine(line: string, resolveReady: (ready: boolean) => void): void {
    if (line === 'ready') resolveReady(true);
    else if (line === 'done') this.reportedDone();
    else this.said.read(line);
  }

  /** Whether the process has ended (e.g. a launched-ahead step whose imports failed). */
  get ended(): boolean {
    return this.ending !== undefined;
  }

  private output(stream: 'stdout' | 'stderr', text: string): void {
    if (this.onOutput) this.onOutput(stream, text);
    else this.early.push([stream, text]);
  }

  /**
   * The step said `done` (STEP-CONTRACT.md): its outputs, metrics and exit handlers
   * are complete. It is killed rather than left to tear Node down, and it has ended,
   * with exit 0, as soon as its stdout and stderr are at end of file (the runtime
   * closes them before saying `done`) — not when the kernel has freed its memory.
   */
  private reportedDone(): void {
    if (this.done || this.ending || this.pid === undefined) return;
    this.done = true;
    killGroup(this.pid, 'SIGKILL');
    this.endIfDone();
  }

  private endIfDone(): void {
    if (this.done && this.openOutputs === 0) this.end({ exitCode: 0, signal: null });
  }

  private end(e: Ending): void {
    if (this.ending) return;
    if (this.done && !e.spawnError) e = { exitCode: 0, signal: null };
    this.ending = e;
    if (this.pid !== undefined) {
      // Reap anything the step left running in its group.
      killGroup(this.pid, 'SIGKILL');
      this.groups.delete(this.pid);
    }
    this.onEnd?.(e);
  }

  /**
   * Supervises the step until it ends; a launched-ahead step first gets `args`
   * on stdin. Durations and the timeout count from this call.
   */
  run(args: string[] | undefined, options: SuperviseOptions = {}): Promise<StepProcessResult> {
    if (this.used) throw new Error('a step process runs once');
    this.used = true;
    const started = performance.now();
    this.onOutput = options.onOutput ?? (() => {});
    for (const [stream, text] of this.early) this.onOutput(stream, text);
    this.early = [];
    if (this.deferred && !this.ending) {
      this.child.stdin!.end(`${JSON.stringify(args ?? [])}\n`);
    }
    return new Promise((resolve) => {
      let timedOut = false;
      let cancelled = false;
      const timers: NodeJS.Timeout[] = [];
      const pid = this.pid;
      const onAbort = () => {
        if (pid === undefined || this.ending || this.done) return;
        cancelled = true;
        killGroup(pid, 'SIGTERM');
        timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceMs ?? 2000));
      };
      const finish = (e: Ending) => {
        for (const t of timers) clearTimeout(t);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({
          ...e,
          ...this.said.exitFields(),
          stderrTail: this.stderrTail,
          timedOut,
          cancelled,
          durationMs: performance.now() - started,
        });
      };
      if (this.ending) {
        finish(this.ending);
        return;
      }
      this.onEnd = finish;
      if (options.signal?.aborted) queueMicrotask(onAbort);
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs != null && options.timeoutMs > 0) {
        timers.push(
          setTimeout(() => {
            if (pid === undefined || this.ending || this.done) return;
            timedOut = true;
            killGroup(pid, 'SIGKILL');
          }, options.timeoutMs),
        );
      }
    });
  }

  /** Kills a process that will not be run (its turn never came, or the run ended). */
  discard(): void {
    if (this.used || this.ending || this.pid === undefined) return;
    this.used = true;
    killGroup(this.pid, 'SIGKILL');
  }
}

/** Starts a step now with its arguments (`args`), or ahead of its turn (`undefined`: arguments come with `run`). */
export function launchStepProcess(launch: LaunchOptions, groups: ProcessGroups, args?: string[]): StepProcess {
  return new StepProcess(launch, args, groups);
}
