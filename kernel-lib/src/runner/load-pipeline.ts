/**
 * Finds and reads the compiled pipeline a run is about: a `pipeline.json`, the
 * folder holding one, a spec object, or a notebook — compiled first unless an
 * up-to-date compile already sits next to it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PIPELINE_SPEC_VERSION, type PipelineSpec } from '../pipeline/spec.js';
import { topologicalOrder } from './dag.js';
import { PipelineLoadError } from './errors.js';
import { ensureCompiled } from './compile-stamp.js';
import { resolveHome } from './home.js';

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
    return checked(specOrPath, path.resolve(cwd, options.pipelineDir));
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
  return checked(spec, path.dirname(file));
}

/** The checks the runner relies on; the full schema is the compiler's business. */
function checked(spec: PipelineSpec, dir: string): LoadedPipeline {
  if (spec.specVersion !== PIPELINE_SPEC_VERSION) {
    throw new PipelineLoadError(
      `${dir}: pipeline spec version ${String(spec.specVersion)} is not supported (expected ${PIPELINE_SPEC_VERSION}); recompile the notebook`,
    );
  }
  if (!Array.isArray(spec.steps) || !Array.isArray(spec.parameters)) {
    throw new PipelineLoadError(`${dir}: pipeline.json has no steps/parameters arrays`);
  }
  topologicalOrder(spec.steps);
  return { spec, dir };
}
