/**
 * `exportPipeline`: pipeline.json → a Kubeflow Pipelines, Argo or Airflow file. The
 * exporters read the spec only (never the notebook or the bundles), check that its
 * wiring holds together, and return deterministic text: same spec and options, same bytes.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineSpec } from '../pipeline/spec.js';
import { toAirflow } from './airflow.js';
import { toArgo } from './argo.js';
import { defaultImage, EXPORT_TARGETS, type ExportOptions, type ExportTarget } from './container.js';
import { ExportError, ExportValueError } from './errors.js';
import { toKfp } from './kfp.js';

const WRITERS: Record<ExportTarget, (spec: PipelineSpec, options: ExportOptions) => string> = {
  kfp: toKfp,
  argo: toArgo,
  airflow: toAirflow,
};

/** File name suffix of each target's output. */
const SUFFIX: Record<ExportTarget, string> = { kfp: '.kfp.yaml', argo: '.argo.yaml', airflow: '_airflow_dag.py' };

export interface ExportResult {
  target: ExportTarget;
  text: string;
  /** The image the export runs its steps in. */
  image: string;
  /** True when no image was given and {@link defaultImage} was used. */
  defaultImage: boolean;
}

export function exportPipeline(spec: PipelineSpec, target: ExportTarget, options: ExportOptions = {}): ExportResult {
  if (!EXPORT_TARGETS.includes(target)) {
    throw new ExportError(`unknown export target "${target}" (one of: ${EXPORT_TARGETS.join(', ')})`);
  }
  checkWiring(spec);
  const image = options.image ?? defaultImage(spec);
  return {
    target,
    text: WRITERS[target](spec, { ...options, image }),
    image,
    defaultImage: options.image === undefined,
  };
}

/** Default file name for an export of `spec` (beside the notebook, by the pipeline's name). */
export function exportFileName(spec: PipelineSpec, target: ExportTarget, template = false): string {
  const base = spec.name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return target === 'argo' && template ? `${base}.argo-template.yaml` : `${base}${SUFFIX[target]}`;
}

/** Writes an export to `file` and returns the result with the absolute path. */
export async function writeExport(
  spec: PipelineSpec,
  target: ExportTarget,
  file: string,
  options: ExportOptions = {},
): Promise<ExportResult & { file: string }> {
  const result = exportPipeline(spec, target, options);
  const abs = path.resolve(file);
  await writeFile(abs, result.text);
  return { ...result, file: abs };
}

/** What every target relies on: known deps, inputs from steps that produce them, parameters that exist. */
function checkWiring(spec: PipelineSpec): void {
  const steps = new Map(spec.steps.map((s) => [s.name, s]));
  if (steps.size !== spec.steps.length) throw new ExportValueError(`pipeline "${spec.name}": two steps share a name`);
  const params = new Set(spec.parameters.map((p) => p.name));
  for (const step of spec.steps) {
    for (const dep of step.deps) {
      if (!steps.has(dep))
        throw new ExportValueError(`step ${JSON.stringify(step.name)}: depends on unknown step "${dep}"`);
    }
    for (const input of step.inputs) {
      const from = steps.get(input.from);
      if (!from?.outputs.some((o) => o.name === input.name)) {
        throw new ExportValueError(
          `step ${JSON.stringify(step.name)}: input "${input.name}" comes from step "${input.from}", which has no such output`,
        );
      }
    }
    for (const p of step.parameters) {
      if (!params.has(p))
        throw new ExportValueError(`step ${JSON.stringify(step.name)}: reads unknown parameter "${p}"`);
    }
  }
}
