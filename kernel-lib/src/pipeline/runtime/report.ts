/**
 * The failure report of a step (STEP-CONTRACT.md, "Exit status and errors"): a
 * human line naming the notebook cell and line, the stack frames in notebook
 * code, and a last stderr line of JSON for machines — with the whole stack, so
 * library frames stay out of the user's way but are there for whoever needs them.
 */
import { types } from 'node:util';
import { StepRuntimeError, type StepPhase, type StillwaterErrorLine } from './errors.js';
import { type CellPosition, loadBundleMap, mapStack } from './locate.js';
import { stackOfThrown } from './thrown.js';

/**
 * Enough frames that a notebook frame survives under a deep library stack: V8's
 * default of 10 is used up by the lakehouse's own calls and their async frames.
 */
export const STACK_FRAMES = 64;

/** The notebook cell the step's code is in (entered by the generated body), for errors with no notebook frame. */
let runningCell: number | undefined;

export function enterCell(index: number): void {
  runningCell = index;
}

interface Described {
  name: string;
  message: string;
  stack: string | undefined;
}

/** What was thrown, as name, message and stack — also for values that are not Errors. */
function describeThrown(err: unknown): Described {
  if (err instanceof Error || types.isNativeError(err)) {
    const e = err as Error;
    return { name: e.name, message: e.message, stack: e.stack };
  }
  let text: string;
  try {
    text = typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  } catch {
    text = String(err);
  }
  const kind =
    err === null ? 'null' : Array.isArray(err) ? 'an array' : typeof err === 'object' ? 'an object' : `a ${typeof err}`;
  return {
    name: 'NonErrorThrown',
    message: `${text} (${kind} was thrown, not an Error)`,
    // A thrown value has no stack of its own: `throw` statements of notebook code record one (thrown.ts).
    stack: stackOfThrown(err),
  };
}

/** The text to write to stderr for a failed step, ending in its JSON line. */
export function failureReport(step: string, bundleUrl: string, err: unknown, phase: StepPhase): string {
  const thrown = describeThrown(err);
  const p = err instanceof StepRuntimeError ? err.phase : phase;
  const frames = thrown.stack ? mapStack(thrown.stack, bundleUrl, loadBundleMap(bundleUrl)) : [];
  let at: Partial<CellPosition> | undefined = frames.find((f) => f.position)?.position;
  let where = at ? ` at cell ${at.cell}, line ${at.line}` : '';
  // No frame in notebook code (an error raised in a native callback, a rejection with a
  // plain value): the cell that was running is still right, its line is unknown.
  if (!at && p === 'run' && runningCell !== undefined) {
    at = { cell: runningCell };
    where = ` while cell ${runningCell} ran`;
  }
  const lines = [`stillwater: step "${step}" failed${where}: ${thrown.name}: ${thrown.message}`];
  for (const f of frames) if (f.position || process.env.STILLWATER_STEP_DEBUG) lines.push(f.text);
  const line: StillwaterErrorLine = {
    stillwaterError: {
      step,
      phase: p,
      name: thrown.name,
      message: thrown.message,
      cell: at?.cell ?? null,
      line: at?.line ?? null,
      column: at?.column ?? null,
      ...(err instanceof StepRuntimeError && err.variable ? { variable: err.variable } : {}),
      ...(frames.length ? { stack: frames.map((f) => f.text.trim()) } : {}),
    },
  };
  lines.push(JSON.stringify(line));
  return `${lines.join('\n')}\n`;
}
