/**
 * Errors of the step runtime. `phase` says which part of the step contract
 * failed; the final stderr line (STEP-CONTRACT.md) carries it to the runner.
 */
export type StepPhase = 'args' | 'input' | 'run' | 'output' | 'metrics';

export class StepRuntimeError extends Error {
  constructor(
    readonly phase: StepPhase,
    message: string,
    readonly variable?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line does not match the step (exit code 2). */
export class StepUsageError extends StepRuntimeError {
  constructor(message: string, variable?: string) {
    super('args', message, variable);
  }
}

/** The machine-readable last stderr line of a failed step. */
export interface StillwaterErrorLine {
  stillwaterError: {
    step: string;
    phase: StepPhase;
    name: string;
    message: string;
    cell: number | null;
    line: number | null;
    column: number | null;
    variable?: string;
    /** Every frame of the error's stack, those in notebook code as `cell N, line L:C`. */
    stack?: string[];
  };
}

/** Parses the final stderr line of a step, or undefined if it is not one. */
export function parseStepErrorLine(stderr: string): StillwaterErrorLine['stillwaterError'] | undefined {
  const last = stderr.trimEnd().split('\n').pop() ?? '';
  if (!last.startsWith('{"stillwaterError"')) return undefined;
  try {
    return (JSON.parse(last) as StillwaterErrorLine).stillwaterError;
  } catch {
    return undefined;
  }
}
