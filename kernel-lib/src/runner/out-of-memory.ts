/**
 * A step whose JavaScript heap is exhausted does not throw: V8 prints a fatal error
 * and aborts the process (SIGABRT), with no JavaScript stack. Reported as it was, that
 * read "killed by SIGABRT" — nothing about memory, no cell. The step runtime says on
 * its signal pipe what its heap limit is and which cell it is in (runtime/signal-pipe.ts),
 * so the failure reads "step `a` ran out of memory (heap limit 64 MB) in cell 7".
 * A step with a `limit:memory:QTY` tag that the local engine killed for its resident
 * memory, or whose heap (bounded by that limit) ran out, "exceeded memory limit QTY".
 */
import { memoryBytes } from '../pipeline/quantity.js';
import type { StepErrorInfo } from './events.js';
import type { StepExit } from './engine/engine.js';

/** V8's last words when an allocation fails at the heap limit (also "Reached heap limit", "Ineffective mark-compacts near heap limit"). */
const V8_HEAP_OOM = /FATAL ERROR: .*JavaScript heap out of memory/;

/**
 * The step's error when its process died of heap exhaustion or was killed for its
 * memory limit, else undefined. `memoryLimit` is the step's `limit:memory` quantity.
 */
export function outOfMemoryError(
  step: string,
  p: Pick<StepExit, 'signal' | 'exitCode' | 'stderrTail' | 'heapLimitMb' | 'lastAt' | 'memoryExceeded'>,
  memoryLimit?: string,
): StepErrorInfo | undefined {
  const where = placeOf(p.lastAt);
  const cell = where.cell !== undefined ? { cell: where.cell } : {};
  if (p.memoryExceeded) {
    const mb = Math.round(p.memoryExceeded.residentBytes / 2 ** 20);
    return {
      type: 'MemoryLimitExceeded',
      message: `step \`${step}\` exceeded memory limit ${p.memoryExceeded.limit} (resident memory reached ${mb} MB)${where.text}`,
      ...cell,
    };
  }
  const aborted = p.signal === 'SIGABRT' || p.exitCode === 134;
  if (!aborted || !V8_HEAP_OOM.test(p.stderrTail)) return undefined;
  // The heap was bounded by the limit (engine/local/memory-limit.ts), not by something smaller.
  const limitMb = memoryLimit !== undefined ? (memoryBytes(memoryLimit) ?? 0) / 2 ** 20 : undefined;
  if (limitMb !== undefined && p.heapLimitMb !== undefined && p.heapLimitMb >= Math.floor(limitMb)) {
    const heap = ` (JavaScript heap full at ${p.heapLimitMb} MB)`;
    return {
      type: 'MemoryLimitExceeded',
      message: `step \`${step}\` exceeded memory limit ${memoryLimit}${heap}${where.text}`,
      ...cell,
    };
  }
  const limit = p.heapLimitMb !== undefined ? ` (heap limit ${p.heapLimitMb} MB)` : '';
  return { type: 'OutOfMemory', message: `step \`${step}\` ran out of memory${limit}${where.text}`, ...cell };
}

function placeOf(at: string | undefined): { text: string; cell?: number } {
  const cell = /^cell (\d+)$/.exec(at ?? '');
  if (cell) return { text: ` in cell ${cell[1]}`, cell: Number(cell[1]) };
  if (at?.startsWith('input ')) return { text: ` while reading its input \`${at.slice(6)}\`` };
  if (at === 'output') return { text: ' while writing its outputs' };
  return { text: '' };
}
