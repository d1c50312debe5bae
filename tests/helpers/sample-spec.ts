/** A pipeline spec that uses every field of the spec types, for schema and validator tests. */
import type { PipelineSpec, PipelineStep } from '../../kernel-lib/src/pipeline/spec.js';

export const sampleStep = {
  name: 'train',
  kind: 'train',
  deps: ['load'],
  bundle: 'steps/train.mjs',
  inputs: [{ name: 'table', from: 'load', marshal: 'arrow' }],
  outputs: [{ name: 'model', marshal: 'xgboost-model' }],
  parameters: ['rate'],
  metrics: ['auc'],
  cache: true,
  retries: 1,
  timeoutSeconds: 600,
  limits: { cpu: '500m', memory: '2Gi', 'nvidia.com/gpu': '1', 'ephemeral-storage': '10Gi' },
  image: 'registry.example/team/steps:1.2',
  annotations: { 'example.com/owner': 'ml: team a' },
  labels: { team: 'ml' },
  source: [{ cell: 4, startLine: 1, endLine: 9 }],
  hash: 'a'.repeat(64),
} satisfies Required<PipelineStep>;

export const sampleSpec = {
  specVersion: 1,
  name: 'turbofan',
  description: 'RUL',
  hash: 'b'.repeat(64),
  notebook: '../turbofan.ipynb',
  lakehouseRoot: 'lakehouse',
  parameters: [{ name: 'rate', type: 'number', default: 0.1, cell: 2 }],
  steps: [sampleStep],
  metrics: [{ name: 'auc', step: 'train' }],
  sourceMap: { format: 'source-map-v3', sourcePattern: '../../turbofan.ipynb/cell-{cell}' },
} satisfies Required<PipelineSpec>;

/** A step with nothing but a name (and `over`): no inputs, outputs, parameters or limits. */
export function plainStep(name: string, over: Partial<PipelineStep> = {}): PipelineStep {
  return {
    name,
    kind: 'other',
    deps: [],
    bundle: `steps/${name}.mjs`,
    inputs: [],
    outputs: [],
    parameters: [],
    metrics: [],
    cache: true,
    retries: 0,
    timeoutSeconds: null,
    limits: {},
    source: [],
    hash: name.repeat(64).slice(0, 64),
    ...over,
  };
}

/** A spec of `steps` with nothing else (no lakehouse, no metrics). */
export function plainSpec(name: string, steps: PipelineStep[], over: Partial<PipelineSpec> = {}): PipelineSpec {
  return {
    specVersion: 1,
    name,
    description: '',
    hash: 'f'.repeat(64),
    notebook: `${name}.ipynb`,
    lakehouseRoot: null,
    parameters: [],
    steps,
    metrics: [],
    sourceMap: { format: 'source-map-v3', sourcePattern: `${name}.ipynb/cell-{cell}` },
    ...over,
  };
}
