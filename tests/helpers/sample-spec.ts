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
