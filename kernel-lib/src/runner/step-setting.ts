/**
 * Where every step of a pipeline runs (STEP-CONTRACT.md): in the notebook's
 * folder, with the runner's environment plus the lakehouse root the contract
 * promises. The same for all steps of a run.
 */
import path from 'node:path';
import type { PipelineSpec } from '../pipeline/spec.js';

export interface StepSetting {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function stepSetting(
  spec: Pick<PipelineSpec, 'notebook' | 'lakehouseRoot'>,
  pipelineDir: string,
  baseEnv: NodeJS.ProcessEnv,
): StepSetting {
  const cwd = path.resolve(pipelineDir, path.dirname(spec.notebook));
  const env = { ...baseEnv };
  if (spec.lakehouseRoot) env.STILLWATER_LAKEHOUSE_ROOT = path.resolve(cwd, spec.lakehouseRoot);
  return { cwd, env };
}
