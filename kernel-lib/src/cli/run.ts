/**
 * `stillwater run <pipeline|notebook>`: runs a compiled pipeline locally (see
 * runner/run-pipeline.ts). Progress is a live block on a terminal, plain lines
 * otherwise, or JSON events (`--json`, schema/run-event.schema.json). Ctrl-C
 * cancels cleanly; a second Ctrl-C exits at once.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { LocalArtifactStore } from '../runner/artifact-store.js';
import { RunNotFoundError, SelectionError } from '../runner/errors.js';
import { assertHomeIsFolder, homeLayout, resolveHome } from '../runner/home.js';
import { parseAssignments } from '../runner/params.js';
import { JsonProgress, PlainProgress, type ProgressRenderer, TtyProgress } from '../runner/progress.js';
import { runPipeline } from '../runner/run-pipeline.js';
import { useBaselineWasmCompiler } from './baseline-wasm.js';
import { addEngineOptions, type EngineFlags, engineFromFlags } from './run-engine.js';

interface RunFlags extends EngineFlags {
  param: string[];
  concurrency?: number;
  cache: boolean;
  from?: string;
  only?: string;
  resume?: string;
  paramsFrom?: string;
  home?: string;
  artifacts?: string;
  json?: boolean;
  logs: boolean;
  launchAhead: boolean;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1) throw new CommanderArgError('must be an integer ≥ 1');
  return n;
};

/** `--param` values, over the parameters of the `--params-from` run when given. */
async function parameters(o: RunFlags, home: string) {
  const given = parseAssignments(o.param);
  if (o.paramsFrom === undefined) return given;
  // Loaded only here: the history reader pulls in the lakehouse, which a plain run starts without.
  const { runHistoryAt, withParametersOf } = await import('../runner/runs-query.js');
  return withParametersOf(runHistoryAt(home), o.paramsFrom, given);
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command('run [pipeline]')
    .description('run a compiled pipeline folder (or a notebook, compiled first) on this machine')
    .option(
      '--param <NAME=VALUE>',
      'set a pipeline parameter (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--concurrency <n>', `steps running at once (default: cores, ${availableParallelism()})`, positiveInt)
    .option('--no-cache', 'execute every step, ignoring cached results')
    .option(
      '--from <step>',
      'execute this step and its descendants (no cache); other inputs from the newest executions',
    )
    .option('--only <step>', 'execute only this step (no cache); its inputs from the newest executions')
    .option('--resume <run-id>', 'continue a failed or cancelled run without re-executing its successful steps')
    .option('--params-from <run-id>', "re-run with that run's parameters (--param values override them)")
    .option('--home <dir>', 'Stillwater home (default: $STILLWATER_HOME, else ./.stillwater)')
    .option('--artifacts <dir>', 'artifact store root (default: <home>/artifacts)')
    .option('--no-logs', 'do not echo step output (plain mode)')
    .option(
      '--no-launch-ahead',
      "start each step's process only when its inputs are ready (default: while upstream runs)",
    )
    .option('--json', 'print one JSON run event per line');
  addEngineOptions(command).action(async (pipeline: string | undefined, o: RunFlags) => {
    // Steps are separate processes with their own flags; this one only records history.
    useBaselineWasmCompiler();
    const home = resolveHome({ home: o.home });
    assertHomeIsFolder(home);
    let target = pipeline;
    if (target === undefined) {
      if (o.resume === undefined) throw new SelectionError('give a pipeline folder or notebook (or --resume RUN_ID)');
      const { runHistory } = await import('../runner/active-runs.js');
      const prior = await runHistory(homeLayout(home)).getRun(o.resume);
      if (!prior) throw new RunNotFoundError(o.resume);
      target = prior.pipelineDir;
    }
    const engine = await engineFromFlags(o);
    const abort = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts === 1) {
        if (!o.json) process.stderr.write('\nstillwater: cancelling (Ctrl-C again to exit at once)\n');
        abort.abort();
      } else process.exit(130);
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    // A closed pipe (`stillwater run … | head`) must not kill the run before it is recorded.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    const renderer: ProgressRenderer = o.json
      ? new JsonProgress(process.stdout)
      : process.stdout.isTTY
        ? new TtyProgress(process.stdout)
        : new PlainProgress(process.stdout, { logs: o.logs });
    try {
      const handle = runPipeline(target, {
        home,
        params: await parameters(o, home),
        cache: o.cache,
        launchAhead: o.launchAhead,
        signal: abort.signal,
        ...(engine !== undefined ? { engine } : {}),
        ...(o.artifacts !== undefined ? { artifactStore: new LocalArtifactStore(path.resolve(o.artifacts)) } : {}),
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.only !== undefined ? { only: o.only } : {}),
        ...(o.resume !== undefined ? { resume: o.resume } : {}),
      });
      for await (const event of handle) renderer.onEvent(event);
      const result = await handle.result;
      process.exitCode = result.status === 'done' ? 0 : result.status === 'cancelled' ? 130 : 1;
    } finally {
      renderer.close();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
  });
}
