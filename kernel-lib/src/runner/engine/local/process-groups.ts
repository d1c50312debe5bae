/**
 * The process groups of one run's step processes, and what takes them down when the
 * runner goes. Each step process leads its own group, so a timeout or cancellation
 * kills the step with everything it started — and so the runner's death takes none of
 * them along by itself:
 * - the runner exiting (an uncaught error, `process.exit`): an exit hook kills every
 *   group still live;
 * - the runner killed outright (SIGKILL): no hook runs, and the step runtime's own
 *   watchdog polls its parent from the step's event loop, which a CPU-bound cell never
 *   yields to. A reaper — a tiny shell process beside the runner, in a session of its
 *   own — is told each group as it starts (`+PID`) and ends (`-PID`) on its stdin; when
 *   that pipe reaches end of file (the runner has ended, however) it kills every group
 *   still listed, at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const REAPER_SCRIPT = `pids=' '
while IFS= read -r l; do
  case "$l" in
    +*) pids="$pids\${l#+} " ;;
    -*) pids="\${pids/ \${l#-} / }" ;;
  esac
done
for p in $pids; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done`;

/** Sends `sig` to the group `pid` leads (or to `pid` alone when it leads none); gone is fine. */
export function killGroup(pid: number, sig: NodeJS.Signals): void {
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

export class ProcessGroups {
  private readonly live = new Set<number>();
  private reaper: ChildProcess | undefined | null;
  private readonly onExit = () => {
    for (const pid of this.live) killGroup(pid, 'SIGKILL');
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  /** A step process group has started. */
  add(pid: number): void {
    this.live.add(pid);
    this.startedReaper()?.stdin?.write(`+${pid}\n`);
  }

  /** The group has been killed (its leader ended and was reaped). */
  delete(pid: number): void {
    if (!this.live.delete(pid)) return;
    this.reaper?.stdin?.write(`-${pid}\n`);
  }

  /** The run is over: kills what is left and lets the reaper go. */
  close(): void {
    this.onExit();
    this.live.clear();
    process.off('exit', this.onExit);
    this.reaper?.stdin?.end();
    this.reaper = null;
  }

  private startedReaper(): ChildProcess | undefined {
    if (this.reaper === undefined) {
      try {
        const reaper = spawn('/bin/bash', ['-c', REAPER_SCRIPT], {
          stdio: ['pipe', 'ignore', 'ignore'],
          detached: true,
        });
        reaper.on('error', () => (this.reaper = null));
        reaper.stdin?.on('error', () => {});
        reaper.unref();
        // Neither the reaper nor the pipe to it may keep the runner's process alive.
        (reaper.stdin as unknown as { unref?: () => void }).unref?.();
        this.reaper = reaper;
      } catch {
        this.reaper = null;
      }
    }
    return this.reaper ?? undefined;
  }
}
