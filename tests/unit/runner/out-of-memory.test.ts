/**
 * How a memory failure reads (runner/out-of-memory.ts), for each way a step process can
 * end: killed by the local engine for its resident memory, its heap (bounded by its
 * `limit:memory`) exhausted, or its heap exhausted under a smaller bound than the limit.
 */
import { describe, expect, it } from 'vitest';
import type { StepExit } from '../../../kernel-lib/src/runner/engine/engine.js';
import { outOfMemoryError } from '../../../kernel-lib/src/runner/out-of-memory.js';

const V8_OOM =
  '\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n';
const exit = (over: Partial<StepExit>): StepExit => ({
  exitCode: null,
  signal: null,
  timedOut: false,
  cancelled: false,
  stderrTail: '',
  durationMs: 10,
  node: 'here',
  ...over,
});

describe('memory failures', () => {
  it('a step killed for its resident memory exceeded its limit, in the cell it was in', () => {
    const p = exit({
      signal: 'SIGKILL',
      lastAt: 'cell 4',
      memoryExceeded: { limit: '1Gi', residentBytes: 1100 * 2 ** 20 },
    });
    expect(outOfMemoryError('train', p, '1Gi')).toEqual({
      type: 'MemoryLimitExceeded',
      message: 'step `train` exceeded memory limit 1Gi (resident memory reached 1100 MB) in cell 4',
      cell: 4,
    });
  });

  it('a heap bounded by the limit and exhausted exceeded the limit too', () => {
    const p = exit({ signal: 'SIGABRT', stderrTail: V8_OOM, heapLimitMb: 528, lastAt: 'output' });
    expect(outOfMemoryError('train', p, '512Mi')?.message).toBe(
      'step `train` exceeded memory limit 512Mi (JavaScript heap full at 528 MB) while writing its outputs',
    );
  });

  it('a heap exhausted under a smaller bound (NODE_OPTIONS) ran out of memory, limit or not', () => {
    const p = exit({ signal: 'SIGABRT', stderrTail: V8_OOM, heapLimitMb: 64, lastAt: 'cell 2' });
    for (const limit of ['2Gi', undefined]) {
      expect(outOfMemoryError('train', p, limit)).toMatchObject({
        type: 'OutOfMemory',
        message: 'step `train` ran out of memory (heap limit 64 MB) in cell 2',
      });
    }
    expect(outOfMemoryError('train', exit({ signal: 'SIGKILL' }), '1Gi')).toBeUndefined();
  });
});
