/**
 * Who owns a run in progress, and whether that owner is still alive. A run killed
 * outright (SIGKILL, a crash, a reboot) leaves its journal behind (run-journal.ts);
 * it is `interrupted` — not `running` — exactly when its owner process is gone. That
 * is decided from facts, never from elapsed time: on the same machine, the pid must
 * exist *and* be the same process (its start time since boot, so a reused pid does
 * not count) in the same boot. Only an owner on another machine sharing the home,
 * whose process cannot be seen from here, is judged by its lease: the journal's
 * modification time, which a live owner renews every `LEASE_RENEW_MS`.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface RunOwner {
  pid: number;
  host: string;
  /** `/proc/sys/kernel/random/boot_id` (Linux), else null. */
  bootId: string | null;
  /** The process's start time in clock ticks since boot (`/proc/PID/stat` field 22), else null. */
  startTicks: string | null;
}

/** How often a live owner renews its lease. */
export const LEASE_RENEW_MS = 10_000;
/** A lease not renewed for this long is stale (owners on other machines only). */
export const LEASE_STALE_MS = 6 * LEASE_RENEW_MS;

const readText = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

/** Fields 3… of `/proc/PID/stat` (the command name, field 2, may hold spaces and parentheses). */
function procStat(pid: number): string[] | null {
  const stat = readText(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Field 22: the start time in clock ticks since boot. */
const startTicksOf = (pid: number): string | null => procStat(pid)?.[19] ?? null;

/** This process, as the owner of a run. */
export function currentOwner(): RunOwner {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: readText('/proc/sys/kernel/random/boot_id'),
    startTicks: startTicksOf(process.pid),
  };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `owner` still runs. `leaseRenewedAt` (epoch ms) decides only for an owner
 * on another host.
 */
export function ownerAlive(owner: RunOwner, leaseRenewedAt: number, now = Date.now()): boolean {
  if (owner.host !== hostname()) return now - leaseRenewedAt < LEASE_STALE_MS;
  const bootId = readText('/proc/sys/kernel/random/boot_id');
  if (owner.bootId !== null && bootId !== null && owner.bootId !== bootId) return false;
  if (!pidExists(owner.pid)) return false;
  if (owner.startTicks === null) return true;
  const stat = procStat(owner.pid);
  // A zombie (killed, not yet reaped by its parent) has ended all the same.
  return stat !== null && stat[0] !== 'Z' && stat[19] === owner.startTicks;
}
