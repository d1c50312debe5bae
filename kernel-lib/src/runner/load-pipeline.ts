/**
 * Finds and reads the compiled pipeline a run is about: a `pipeline.json`, the
 * folder holding one, a spec object, or a notebook — compiled first unless an
 * up-to-date compile already sits next to it.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PIPELINE_SPEC_VERSION, type PipelineSpec } from '../pipeline/spec.js';
import { specSchemaErrors } from '../pipeline/spec-schema.js';
import { checkDependencies } from './dag.js';
import { InvalidSpecError, PipelineLoadError } from './errors.js';
import { ensureCompiled } from './compile-stamp.js';
import { resolveHome } from './home.js';
import { bundlePath } from './safe-paths.js';

export interface LoadedPipeline {
  spec: PipelineSpec;
  /** Absolute folder of `pipeline.json`; bundle paths are relative to it. */
  dir: string;
}

export async function loadPipeline(
  specOrPath: string | PipelineSpec,
  options: { pipelineDir?: string; cwd?: string; home?: string } = {},
): Promise<LoadedPipeline> {
  const cwd = options.cwd ?? process.cwd();
  if (typeof specOrPath !== 'string') {
    if (options.pipelineDir === undefined) {
      throw new PipelineLoadError(
        'a pipeline spec object needs `pipelineDir` (the folder its bundle paths are relative to)',
      );
    }
    return checked(specOrPath, path.resolve(cwd, options.pipelineDir), 'the pipeline spec');
  }
  const target = path.resolve(cwd, specOrPath);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new PipelineLoadError(`${target}: no such file or directory`);
  if (target.endsWith('.ipynb')) {
    const { dir } = await ensureCompiled(target, options.home ?? resolveHome({ cwd }));
    return loadPipeline(dir, { cwd });
  }
  const file = info.isDirectory() ? path.join(target, 'pipeline.json') : target;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new PipelineLoadError(`${target}: not a compiled pipeline (no pipeline.json); compile the notebook first`);
  }
  let spec: PipelineSpec;
  try {
    spec = JSON.parse(text) as PipelineSpec;
  } catch (err) {
    throw new PipelineLoadError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return checked(spec, path.dirname(file), file);
}

/**
 * A spec is data from disk (possibly hand-edited): before the runner derives a
 * single path from it, it must match the schema — step names, bundle paths and
 * variable names by their patterns — and every bundle must lie in its folder, and be there.
 */
function checked(spec: PipelineSpec, dir: string, where: string): LoadedPipeline {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new InvalidSpecError(where, ['/ must be an object']);
  }
  if (spec.specVersion !== PIPELINE_SPEC_VERSION) {
    throw new PipelineLoadError(
      `${dir}: pipeline spec version ${String(spec.specVersion)} is not supported (expected ${PIPELINE_SPEC_VERSION}); recompile the notebook`,
    );
  }
  const errors = specSchemaErrors(spec);
  if (errors.length > 0)
    throw new InvalidSpecError(
      where,
      errors.map((e) => withValue(spec, e)),
    );
  for (const step of spec.steps) {
    // A missing bundle would only show up as Node's MODULE_NOT_FOUND stack in the step's log.
    if (!existsSync(bundlePath(dir, step))) {
      throw new PipelineLoadError(
        `${where}: the bundle of step \`${step.name}\` (${step.bundle}) is missing; recompile the notebook`,
      );
    }
  }
  checkDependencies(spec.steps);
  return { spec, dir };
}

/** `/steps/0/name must match …` → `/steps/0/name "../x" must match …`: the offending value, shortened. */
function withValue(spec: unknown, error: string): string {
  const [pointer = '', ...rest] = error.split(' ');
  let value: unknown = spec;
  for (const key of pointer.split('/').slice(1)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') return error;
  const shown = JSON.stringify(value);
  return [pointer, shown.length > 80 ? `${shown.slice(0, 77)}…"` : shown, ...rest].join(' ');
}
