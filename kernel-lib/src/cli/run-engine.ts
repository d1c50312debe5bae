/**
 * `stillwater run --engine local|ray [--address HOST:PORT] [--ray-python PATH]`: which
 * engine runs the steps. Ray is loaded only when asked for, so a local run starts
 * without it.
 */
import { type Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import type { Engine } from '../runner/engine/engine.js';

export const ENGINES = ['local', 'ray'] as const;

export interface EngineFlags {
  engine: (typeof ENGINES)[number];
  address?: string;
  rayPython?: string;
}

export function addEngineOptions(command: Command): Command {
  return command
    .addOption(new Option('--engine <name>', 'where steps run').choices(ENGINES).default('local'))
    .option('--address <host:port>', 'the Ray cluster to run on (--engine ray; default: $RAY_ADDRESS)')
    .option(
      '--ray-python <path>',
      'a Python with `ray` installed (--engine ray; default: $STILLWATER_RAY_PYTHON, else python3)',
    );
}

/** The engine the flags ask for; undefined for the local engine (the runner's default). */
export async function engineFromFlags(o: EngineFlags, env = process.env): Promise<Engine | undefined> {
  if (o.engine === 'local') {
    if (o.address !== undefined || o.rayPython !== undefined)
      throw new CommanderArgError('--address and --ray-python go with --engine ray');
    return undefined;
  }
  const address = o.address ?? env.RAY_ADDRESS;
  if (!address)
    throw new CommanderArgError('--engine ray needs --address HOST:PORT of a running Ray cluster (or RAY_ADDRESS)');
  const { RayEngine } = await import('../runner/engine/ray/ray-engine.js');
  return new RayEngine({ address, python: o.rayPython ?? env.STILLWATER_RAY_PYTHON ?? 'python3' });
}
