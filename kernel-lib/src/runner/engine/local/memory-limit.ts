/**
 * `limit:memory:QTY` on the local engine (issue 16 item 4): what Kubernetes does with a
 * container's memory limit, for a step process. Two bounds, because a step's memory is
 * more than its JavaScript heap (Arrow buffers, the XGBoost and parquet WASM memories
 * live outside it):
 * - the V8 heap is capped at the limit (`heapLimitArgs`, engine.ts), so the garbage
 *   collector works within it instead of growing towards Node's default;
 * - the resident memory of the step's process and its children is sampled while it
 *   runs, and the step's process group is killed once it exceeds the limit.
 * Either way the step fails "exceeded memory limit QTY" (runner/out-of-memory.ts).
 * Sampling reads `/proc` (Linux); elsewhere only the heap bound applies.
 */
import { readFile } from 'node:fs/promises';
import { killGroup } from './process-groups.js';

/** How often the resident memory is sampled. */
const SAMPLE_MS = 50;

export interface MemoryWatch {
  /** Set once the step was killed for its resident memory: the peak sampled, in bytes. */
  readonly exceededBytes: number | undefined;
  stop(): void;
}

/** Samples the resident memory of `pid` and its descendants; kills its process group above `limitBytes`. */
export function watchMemory(pid: number, limitBytes: number): MemoryWatch {
  let exceededBytes: number | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const sample = async () => {
    if (stopped) return;
    const rss = await residentBytes(pid);
    if (stopped) return;
    if (rss !== undefined && rss > limitBytes) {
      exceededBytes = rss;
      killGroup(pid, 'SIGKILL');
      return;
    }
    timer = setTimeout(sample, SAMPLE_MS);
    timer.unref();
  };
  void sample();
  return {
    get exceededBytes() {
      return exceededBytes;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Resident bytes of a process and its descendants (`/proc`), or undefined when it cannot be read. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  const own = await vmRss(pid);
  if (own === undefined) return undefined;
  let total = own;
  for (const child of await childrenOf(pid)) total += (await residentBytes(child)) ?? 0;
  return total;
}

async function vmRss(pid: number): Promise<number | undefined> {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
