/**
 * Paths the runner derives from a pipeline spec or a run id (a step's bundle, its
 * work folder, its output files) must stay under their root. A `pipeline.json` is
 * data from disk, possibly hand-edited or hostile: a step named `../../../../ESCAPE`
 * once wrote outside the Stillwater home, and the work folder is deleted
 * recursively when a run ends. Every such path is built here, and an escape is
 * refused before anything is written, run or deleted.
 */
import path from 'node:path';
import type { PipelineStep } from '../pipeline/spec.js';
import { PipelineLoadError } from './errors.js';

/** A path derived from a spec (or a run id) would leave the folder it belongs in. */
export class UnsafePathError extends PipelineLoadError {
  constructor(
    readonly root: string,
    readonly part: string,
    what: string,
  ) {
    super(`${what} ${JSON.stringify(part)} would resolve outside ${root}; refusing it`);
  }
}

/**
 * `root` joined with `parts`, resolved; throws `UnsafePathError` (naming `what`)
 * unless the result lies strictly inside `root`.
 */
export function pathUnder(root: string, parts: string[], what: string): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  const rel = path.relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new UnsafePathError(base, parts.join('/'), what);
  }
  return full;
}

/** A step's bundle, inside the pipeline folder `dir`. */
export const bundlePath = (dir: string, step: Pick<PipelineStep, 'name' | 'bundle'>): string =>
  pathUnder(dir, [step.bundle], `the bundle of step \`${step.name}\``);

/** A run's scratch folder, inside the home's `work/`. */
export const runWorkDir = (work: string, runId: string): string => pathUnder(work, [runId], 'run id');

/** A step's scratch folder (its outputs before they are filed), inside the run's. */
export const stepWorkDir = (runWork: string, step: string): string => pathUnder(runWork, [step], 'step name');
