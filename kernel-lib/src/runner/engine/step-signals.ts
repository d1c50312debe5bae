/**
 * What a step says on its signal pipe between `ready` and `done` (STEP-CONTRACT.md):
 * where it is (`at cell 7`) and its V8 heap limit — read the same way by every engine,
 * so a step that dies without a word is placed, and its memory reported, wherever it ran.
 */
import type { StepExit } from './engine.js';

export class StepSignals {
  private lastAt: string | undefined;
  private heapLimitMb: number | undefined;

  /** Takes one signal line; lines it does not know (ready, done, newer ones) are left to the caller. */
  read(line: string): void {
    if (line.startsWith('at ')) this.lastAt = line.slice(3);
    else if (line.startsWith('heap-limit-mb ')) this.heapLimitMb = Number(line.slice(14)) || undefined;
  }

  /** The `StepExit` fields they give. */
  exitFields(): Pick<StepExit, 'lastAt' | 'heapLimitMb'> {
    return {
      ...(this.heapLimitMb !== undefined ? { heapLimitMb: this.heapLimitMb } : {}),
      ...(this.lastAt !== undefined ? { lastAt: this.lastAt } : {}),
    };
  }
}
