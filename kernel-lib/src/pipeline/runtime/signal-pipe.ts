/**
 * The runner's signal pipe (`STILLWATER_SIGNAL_FD`, STEP-CONTRACT.md): one line per
 * signal. `ready` once the bundle's imports are loaded, then `heap-limit-mb N`, then
 * `at …` whenever the step moves on (a cell, an input, writing outputs), and `done`
 * last. A step that dies without a word — V8 aborts the process when the heap is
 * exhausted, with no JavaScript stack — is thereby still placed: the runner reports
 * the last `at` it read.
 */
import { closeSync, writeSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** The runner's signal pipe, if it gave one; open until `done`. */
let signalFd: number | undefined;

/**
 * Tells a runner that asked that the bundle's imports are loaded: the step is about
 * to run, or to wait for its command line. The local runner holds back launching the
 * next steps until then, so their start-up does not compete with this one's. Also arms
 * the parent watchdog when the runner asked for it (`STILLWATER_EXIT_WITH_PARENT=1`).
 * Both variables are removed so processes the notebook starts do not inherit them.
 */
export function signalReady(): void {
  const fd = Number(process.env.STILLWATER_SIGNAL_FD);
  const watch = process.env.STILLWATER_EXIT_WITH_PARENT === '1';
  delete process.env.STILLWATER_SIGNAL_FD;
  delete process.env.STILLWATER_EXIT_WITH_PARENT;
  if (watch) exitWithParent();
  if (!Number.isInteger(fd) || fd <= 2) return;
  signalFd = fd;
  signal('ready');
  signal(`heap-limit-mb ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)}`);
}

/** Where the step is now: `cell 7`, `input table`, `output`. */
export function signalAt(where: string): void {
  signal(`at ${where}`);
}

/**
 * The local runner starts each step leading its own process group, so a runner killed
 * outright (SIGKILL, a crash) would leave it computing on. Once a second the step checks
 * that its parent is still the one that started it; when not, it ends itself and
 * whatever it started.
 */
function exitWithParent(): void {
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
 * Closing stdout and stderr before `done` lets the runner see the end of the step's
 * output at once; otherwise their end of file would wait for the kernel to free the
 * process's memory, which the runner need not wait for. Runs as the last `exit` handler.
 */
export function closeOutputsAndSayDone(): void {
  if (signalFd === undefined) return;
  for (const fd of [1, 2]) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
  signal('done');
}

function signal(line: string): void {
  if (signalFd === undefined) return;
  try {
    writeSync(signalFd, `${line}\n`);
    if (line === 'done') closeSync(signalFd);
  } catch {
    // Nobody listening: the signals are advisory.
    signalFd = undefined;
  }
}
