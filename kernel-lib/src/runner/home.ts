/**
 * The Stillwater home: the one directory holding run history, the artifact
 * store, the cache index and per-run scratch space. `--home DIR` wins, then
 * `STILLWATER_HOME`, then `.stillwater/` in the working directory — so two
 * projects never share a cache by accident.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { HomeError } from './errors.js';

export interface HomeOptions {
  home?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Absolute path of the Stillwater home for these options. */
export function resolveHome(options: HomeOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const chosen = options.home ?? env.STILLWATER_HOME ?? '.stillwater';
  return path.resolve(cwd, chosen);
}

/** Where each kind of runner state lives inside a home. */
export function homeLayout(home: string) {
  return {
    home,
    artifacts: path.join(home, 'artifacts'),
    cache: path.join(home, 'cache'),
    runsTable: path.join(home, 'history', 'runs'),
    stepsTable: path.join(home, 'history', 'step_executions'),
    work: path.join(home, 'work'),
    /** Journals of runs in progress (run-journal.ts). */
    journal: path.join(home, 'journal'),
    /** Files steps leave for the user (reports), per run and step; kept, unlike `work/`. */
    runArtifacts: path.join(home, 'run-artifacts'),
  };
}

/** Throws HomeError when `home` exists but is not a folder (it is created on first use otherwise). */
export function assertHomeIsFolder(home: string): void {
  const info = statSync(home, { throwIfNoEntry: false });
  if (info && !info.isDirectory()) throw new HomeError(`the Stillwater home ${home} is a file, not a folder`);
}
