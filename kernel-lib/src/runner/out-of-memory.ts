/**
 * A step whose JavaScript heap is exhausted does not throw: V8 prints a fatal error
 * and aborts the process (SIGABRT), with no JavaScript stack. Reported as it was, that
 * read "killed by SIGABRT" — nothing about memory, no cell. The step runtime says on
 * its signal pipe what its heap limit is and which cell it is in (runtime/signal-pipe.ts),
 * so the failure reads "step `a` ran out of memory (heap limit 64 MB) in cell 7".
 */
import type { StepErrorInfo } from './events.js';
import type { StepExit } from './engine/engine.js';

/** V8's last words when an allocation fails at the heap limit (also "Reached heap limit", "Ineffective mark-compacts near heap limit"). */
const V8_HEAP_OOM = /FATAL ERROR: .*JavaScript heap out of memory/;

/** The step's error when its process died of heap exhaustion, else undefined. */
export function outOfMemoryError(
  step: string,
  p: Pick<StepExit, 'signal' | 'exitCode' | 'stderrTail' | 'heapLimitMb' | 'lastAt'>,
): StepErrorInfo | undefined {
  const aborted = p.signal === 'SIGABRT' || p.exitCode === 134;
  if (!aborted || !V8_HEAP_OOM.test(p.stderrTail)) return undefined;
  const limit = p.heapLimitMb !== undefined ? ` (heap limit ${p.heapLimitMb} MB)` : '';
  const where = placeOf(p.lastAt);
  return {
    type: 'OutOfMemory',
    message: `step \`${step}\` ran out of memory${limit}${where.text}`,
    ...(where.cell !== undefined ? { cell: where.cell } : {}),
  };
}

function placeOf(at: string | undefined): { text: string; cell?: number } {
  const cell = /^cell (\d+)$/.exec(at ?? '');
  if (cell) return { text: ` in cell ${cell[1]}`, cell: Number(cell[1]) };
  if (at?.startsWith('input ')) return { text: ` while reading its input \`${at.slice(6)}\`` };
  if (at === 'output') return { text: ' while writing its outputs' };
  return { text: '' };
}
