/**
 * Step processes lead their own process groups, so a runner killed outright (SIGKILL)
 * takes none of them along; the step runtime's own watchdog polls its parent from the
 * step's event loop, which a CPU-bound cell (or a bundle without the runtime) never
 * yields to. The reaper is a tiny shell process beside the runner, in a session of its
 * own, told on its stdin the group of each step as it starts (`+PID`) and ends (`-PID`).
 * When that pipe reaches end of file — the runner has ended, however — it kills every
 * group still listed, at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const SCRIPT = `pids=' '
while IFS= read -r l; do
  case "$l" in
    +*) pids="$pids\${l#+} " ;;
    -*) pids="\${pids/ \${l#-} / }" ;;
  esac
done
for p in $pids; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done`;

let reaper: ChildProcess | undefined | null;

function started(): ChildProcess | undefined {
  if (reaper === undefined) {
    try {
      reaper = spawn('/bin/bash', ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      reaper.on('error', () => (reaper = null));
      reaper.stdin?.on('error', () => {});
      reaper.unref();
      (reaper.stdin as unknown as { unref?: () => void }).unref?.();
    } catch {
      reaper = null;
    }
  }
  return reaper ?? undefined;
}

/** A step process group to kill should the runner die. */
export function reapIfRunnerDies(pid: number): void {
  started()?.stdin?.write(`+${pid}\n`);
}

/** The group has been reaped by the runner itself. */
export function forgetReaped(pid: number): void {
  reaper?.stdin?.write(`-${pid}\n`);
}
