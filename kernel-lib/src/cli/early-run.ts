/**
 * `stillwater run DIR`: before the command parser and the runner are loaded,
 * start the pipeline's first steps (runner/early-launch.ts). Reads just enough
 * of the command line to do that safely; anything it does not recognise — or
 * `--from`, `--only`, `--resume`, `--no-launch-ahead`, help — means no early
 * start, and the run proceeds as always. A notebook counts when its compile is
 * up to date (runner/compile-stamp.ts).
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { EarlyLaunchRequest } from '../runner/early-launch.js';
import { resolveHome } from '../runner/home.js';
import { parseAssignments } from '../runner/params.js';

const WITH_VALUE = new Set(['--param', '--concurrency', '--from', '--only', '--resume', '--home', '--artifacts']);
const FLAGS = new Set(['--no-cache', '--no-logs', '--json']);
/** Options that change which steps execute, or turn launching ahead off. */
const NO_EARLY_START = new Set(['--from', '--only', '--resume', '--no-launch-ahead', '--help', '-h']);

/** The early start `args` (the words after `run`) allow, or undefined. */
export function earlyLaunchRequest(args: readonly string[], cwd = process.cwd()): EarlyLaunchRequest | undefined {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (NO_EARLY_START.has(name)) return undefined;
    if (WITH_VALUE.has(name)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) return undefined;
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if (FLAGS.has(arg)) {
      values.set(arg, []);
    } else if (arg.startsWith('-')) {
      return undefined;
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) return undefined;
  const concurrency = values.get('--concurrency')?.at(-1);
  if (concurrency !== undefined && !/^\d+$/.test(concurrency)) return undefined;
  try {
    return {
      target: path.resolve(cwd, positional[0]!),
      home: resolveHome({ home: values.get('--home')?.at(-1), cwd }),
      params: parseAssignments(values.get('--param') ?? []),
      cache: !values.has('--no-cache'),
      concurrency: concurrency !== undefined ? Number(concurrency) : availableParallelism(),
    };
  } catch {
    return undefined;
  }
}

/**
 * Starts the first steps of the pipeline `args` name, if the command line allows it.
 * Call the returned function when the command is over: it kills what the run did not
 * claim (a step waiting for its command line would otherwise keep this process alive).
 */
export async function launchEarly(args: readonly string[]): Promise<() => void> {
  const request = earlyLaunchRequest(args);
  if (!request || request.concurrency < 1) return () => {};
  const early = await import('../runner/early-launch.js');
  await early.launchFirstStepsEarly(request);
  return early.discardEarlyLaunches;
}
