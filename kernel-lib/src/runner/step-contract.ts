/**
 * The runner's side of the step entry contract (kernel-lib/src/pipeline/STEP-CONTRACT.md):
 * how a step is invoked, and how its last stderr line reports an error.
 * Nothing here is specific to the local runner — container engines build the
 * same command line with their own paths.
 */
import type { RunContext } from '../ml/run-context.js';
import { RUN_CONTEXT_FLAG } from '../pipeline/runtime/run-context.js';
import { TRACE_READS_FLAG } from '../pipeline/runtime/trace-format.js';
import type { StepErrorInfo } from './events.js';

export interface StepInvocation {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** Parameter name → value text. */
  params: Record<string, string>;
  metricsPath: string;
  /** Where the step writes what its code read (`--trace-reads`); a runner that keeps no cache omits it. */
  tracePath?: string;
  /** The run, step and notebook (`--run-context`). */
  runContext?: RunContext;
}

/** `--in NAME=PATH … --out NAME=PATH … --param NAME=VALUE … --metrics PATH [--trace-reads PATH] [--run-context JSON]`. */
export function stepArguments(inv: StepInvocation): string[] {
  const args: string[] = [];
  for (const [n, p] of Object.entries(inv.inputs)) args.push('--in', `${n}=${p}`);
  for (const [n, p] of Object.entries(inv.outputs)) args.push('--out', `${n}=${p}`);
  for (const [n, v] of Object.entries(inv.params)) args.push('--param', `${n}=${v}`);
  args.push('--metrics', inv.metricsPath);
  if (inv.tracePath !== undefined) args.push(TRACE_READS_FLAG, inv.tracePath);
  if (inv.runContext !== undefined) args.push(RUN_CONTEXT_FLAG, JSON.stringify(inv.runContext));
  return args;
}

/**
 * Reads the structured error a failing step prints as its last stderr line,
 * falling back to the last non-empty line as the message.
 */
export function parseStepError(
  stderrTail: string,
): Pick<StepErrorInfo, 'type' | 'message' | 'cell' | 'line' | 'stack'> {
  const lines = stderrTail.split('\n').filter((l) => l.trim() !== '');
  const last = lines.at(-1) ?? '';
  for (const candidate of [last, ...lines.slice(-5).reverse()]) {
    const parsed = parseErrorLine(candidate);
    if (parsed) return parsed;
  }
  return { type: 'Error', message: last.trim() || 'step failed without an error message' };
}

function parseErrorLine(line: string): Pick<StepErrorInfo, 'type' | 'message' | 'cell' | 'line' | 'stack'> | undefined {
  const marker = line.indexOf('{');
  if (marker < 0) return undefined;
  try {
    const o = JSON.parse(line.slice(marker)) as Record<string, unknown>;
    const e = (o.stillwaterError ?? o.error ?? o) as Record<string, unknown>;
    if (typeof e.message !== 'string') return undefined;
    const out: Pick<StepErrorInfo, 'type' | 'message' | 'cell' | 'line' | 'stack'> = {
      type: typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'Error',
      message: e.message,
    };
    if (typeof e.cell === 'number') out.cell = e.cell;
    if (typeof e.line === 'number') out.line = e.line;
    if (Array.isArray(e.stack) && e.stack.every((f) => typeof f === 'string')) out.stack = e.stack;
    return out;
  } catch {
    return undefined;
  }
}
