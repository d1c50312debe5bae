/**
 * Runs one step attempt in its own child process and supervises it. The runner
 * only ever sees an exit code, a signal and the stderr tail, so a step that
 * throws, calls `process.exit`, or is killed cannot take the runner down.
 * Each child leads its own process group: a timeout or cancellation kills the
 * step together with anything it spawned.
 */
import { spawn } from 'node:child_process';

export interface StepProcessOptions {
  /** Script to run with `node` (the step bundle). */
  script: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process (SIGKILL) after this many milliseconds. */
  timeoutMs?: number | null;
  /** Aborting kills the process: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  killGraceMs?: number;
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Extra Node flags (e.g. `--enable-source-maps`). */
  nodeArgs?: string[];
}

export interface StepProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The last lines of stderr (bounded), for error parsing. */
  stderrTail: string;
  durationMs: number;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
}

const STDERR_TAIL_BYTES = 64 * 1024;
const live = new Set<number>();
let exitHookInstalled = false;

/** If the runner exits while steps run (e.g. an uncaught error), take the step groups with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  installExitHook();
  const started = performance.now();
  return new Promise((resolve) => {
    let stderrTail = '';
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) live.add(pid);

    const finish = (result: Omit<StepProcessResult, 'durationMs' | 'stderrTail' | 'timedOut' | 'cancelled'>) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) {
        // Reap anything the step left running in its group.
        killGroup(pid, 'SIGKILL');
        live.delete(pid);
      }
      resolve({ ...result, stderrTail, timedOut, cancelled, durationMs: performance.now() - started });
    };

    const onAbort = () => {
      if (pid === undefined || settled) return;
      cancelled = true;
      killGroup(pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceMs ?? 2000));
    };
    if (options.signal?.aborted) queueMicrotask(onAbort);
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    if (options.timeoutMs != null && options.timeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          if (pid === undefined || settled) return;
          timedOut = true;
          killGroup(pid, 'SIGKILL');
        }, options.timeoutMs),
      );
    }

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text: string) => options.onOutput?.('stdout', text));
    child.stderr.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
      options.onOutput?.('stderr', text);
    });
    child.on('error', (err) => finish({ exitCode: null, signal: null, spawnError: err }));
    // 'close' (not 'exit') so every byte of stderr has arrived before we parse it.
    child.on('close', (code, sig) => finish({ exitCode: code, signal: sig }));
  });
}
