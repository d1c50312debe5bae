/** Whether processes are still running, read from /proc (a zombie counts as gone). */
import { readFileSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Polls until `pid` has ended or `withinMs` passed; true when it ended. */
export async function processGoneWithin(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !processAlive(pid);
}
