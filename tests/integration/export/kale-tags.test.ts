/**
 * Kale parity (issue 16 item 4): a notebook tagged the way Kale tags them — image:,
 * annotation:, label:, limit:RESOURCE:QTY with a GPU — compiles with those tags in
 * pipeline.json, and every export carries them where its target reads them: KFP's
 * ResourceSpec (accelerator) and the Kubernetes platform spec's podMetadata, Argo's
 * container and template metadata, Airflow's KubernetesPodOperator arguments.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExportValueError, exportPipeline } from '../../../kernel-lib/src/export/index.js';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/index.js';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { argoProblems, kfpProblems, readAirflow, sharedRefsMissing, yamlDocs } from '../../helpers/export-checks.js';
import { repoRoot } from '../../helpers/paths.js';

const notebook = path.join(repoRoot, 'tests', 'fixtures', 'notebooks', 'kale-tags.ipynb');
const out = path.join(repoRoot, 'tests', '.out', 'export-kale-tags');
const DIGEST_IMAGE = `python:3.11-slim@sha256:${'ab'.repeat(32)}`;
let spec: PipelineSpec;

beforeAll(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  spec = (await compileNotebook(notebook, { outDir: path.join(out, 'pipeline') })).spec!;
});

/**
 * What each step carries: its own tags over the notebook's Kale `steps_defaults`
 * (label pipeline=kale-demo, annotation example.com/owner=platform, limit memory 2Gi), key by key.
 */
const EXPECTED = {
  load: {
    image: 'registry.example/ml/steps:2',
    annotations: { 'example.com/owner': 'team a: the ML people' },
    labels: { pipeline: 'kale-demo', team: 'ml' },
    limits: { cpu: '2', memory: '1Gi' },
  },
  train: {
    image: undefined,
    annotations: { 'example.com/owner': 'platform', 'sidecar.istio.io/inject': 'false' },
    labels: { pipeline: 'kale-demo', 'app.kubernetes.io/part-of': 'turbofan' },
    limits: { memory: '2Gi', 'nvidia.com/gpu': '1' },
  },
  report: {
    image: DIGEST_IMAGE,
    annotations: { 'example.com/owner': 'platform' },
    labels: { pipeline: 'kale-demo' },
    limits: { memory: '2Gi' },
  },
};

describe('Kale-tagged notebook', () => {
  it('compiles with its image, annotation, label and limit tags (and steps_defaults) in pipeline.json', () => {
    const onDisk = JSON.parse(readFileSync(path.join(out, 'pipeline', 'pipeline.json'), 'utf8')) as PipelineSpec;
    expect(onDisk).toEqual(spec);
    const byName = Object.fromEntries(
      onDisk.steps.map((s) => [
        s.name,
        { image: s.image, annotations: s.annotations, labels: s.labels, limits: s.limits },
      ]),
    );
    expect(byName).toEqual(EXPECTED);
    // Absent where a step has none: image is written only when set.
    expect(Object.keys(onDisk.steps[1]!)).not.toContain('image');
  });

  it.skipIf(sharedRefsMissing)(
    '→ KFP: per-step image, cpu/memory/accelerator resources, podMetadata; strict proto',
    () => {
      const { text } = exportPipeline(spec, 'kfp', { image: 'registry.example/default:1' });
      expect(kfpProblems(text)).toEqual([]);
      const [ir, platform] = yamlDocs(text);
      const container = (s: string) => ir!.deploymentSpec.executors[`exec-${s}`].container;
      expect([container('load').image, container('train').image, container('report').image]).toEqual([
        EXPECTED.load.image,
        'registry.example/default:1',
        DIGEST_IMAGE,
      ]);
      expect(container('load').resources).toEqual({ resourceCpuLimit: '2', resourceMemoryLimit: '1Gi' });
      expect(container('train').resources).toEqual({
        resourceMemoryLimit: '2Gi',
        accelerator: { resourceType: 'nvidia.com/gpu', resourceCount: '1' },
      });
      expect(container('report').resources).toEqual({ resourceMemoryLimit: '2Gi' });
      const executors = platform!.platforms.kubernetes.deploymentSpec.executors;
      for (const [step, e] of Object.entries(EXPECTED)) {
        expect(executors[`exec-${step}`].podMetadata).toEqual({ annotations: e.annotations, labels: e.labels });
      }
    },
  );

  it.skipIf(sharedRefsMissing)(
    '→ Argo: container image and resources, template annotations and labels; schema-valid',
    () => {
      const { text } = exportPipeline(spec, 'argo', { image: 'registry.example/default:1' });
      expect(argoProblems(text)).toEqual([]);
      const [doc] = yamlDocs(text);
      const template = (s: string) =>
        doc!.spec.templates.find(
          (t: { metadata?: { annotations?: Record<string, string> } }) =>
            t.metadata?.annotations?.['stillwater.dev/step'] === s,
        );
      for (const [step, e] of Object.entries(EXPECTED)) {
        const t = template(step);
        expect(t.container.image).toBe(e.image ?? 'registry.example/default:1');
        expect(t.container.resources).toEqual({ limits: e.limits });
        expect(t.metadata).toEqual({
          annotations: { ...e.annotations, 'stillwater.dev/step': step },
          labels: e.labels,
        });
      }
    },
  );

  it('→ Airflow: KubernetesPodOperator image, annotations, labels and container_resources', () => {
    const file = path.join(out, 'kale_dag.py');
    writeFileSync(file, exportPipeline(spec, 'airflow').text);
    const ops = Object.fromEntries(readAirflow([file])[file]!.operators.map((o) => [o.task_id, o]));
    for (const [step, e] of Object.entries(EXPECTED)) {
      expect(ops[step]).toMatchObject({
        image: e.image ?? null,
        annotations: e.annotations,
        labels: e.labels,
        limits: e.limits,
      });
    }
  });

  it('refuses Kale steps_defaults that are not annotation:, label: or limit: tags, naming them', async () => {
    const { buildPipelineGraph } = await import('../../../kernel-lib/src/pipeline/graph.js');
    const graph = buildPipelineGraph([{ tags: ['step:a'], source: 'const x = 1;' }], {
      kubeflow_notebook: { steps_defaults: ['prev:b', 'limit:gpu:1', 'label:team:ml'] },
    });
    expect(graph.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        'bad-metadata',
        'notebook metadata.kubeflow_notebook.steps_defaults: "prev:b" is not an annotation:, label: or limit: tag',
      ],
      ['bad-metadata', expect.stringContaining('tag "limit:gpu:1": unknown resource "gpu"')],
    ]);
    expect(graph.steps[0]!.labels).toEqual({ team: 'ml' });
  });

  it('refuses, naming the step, what a target has no field for or would read as a template', () => {
    const twoGpus = structuredClone(spec);
    twoGpus.steps[1]!.limits['amd.com/gpu'] = '1';
    expect(() => exportPipeline(twoGpus, 'kfp')).toThrow(ExportValueError);
    expect(() => exportPipeline(twoGpus, 'kfp')).toThrow(
      'step "train": the KFP IR takes one accelerator per step, not amd.com/gpu and nvidia.com/gpu',
    );
    const storage = structuredClone(spec);
    storage.steps[0]!.limits['ephemeral-storage'] = '1Gi';
    expect(() => exportPipeline(storage, 'kfp')).toThrow(
      /step "load": limit:ephemeral-storage has no field in the KFP IR/,
    );
    // Argo and Airflow carry any resource.
    expect(exportPipeline(storage, 'argo').text).toContain('ephemeral-storage: 1Gi');
    const braces = structuredClone(spec);
    braces.steps[0]!.annotations = { note: '{{workflow.name}}' };
    expect(() => exportPipeline(braces, 'argo')).toThrow(/step "load": "\{\{workflow.name\}\}" holds "\{\{"/);
    expect(() => exportPipeline(braces, 'kfp')).toThrow(ExportValueError);
  });

  it('Airflow keeps a templated-looking annotation value as text', () => {
    const braces = structuredClone(spec);
    braces.steps[0]!.annotations = { note: '{{ 7*7 }} and "quotes"\nnext line' };
    const file = path.join(out, 'braces_dag.py');
    writeFileSync(file, exportPipeline(braces, 'airflow').text);
    const load = readAirflow([file])[file]!.operators.find((o) => o.task_id === 'load')!;
    expect(load.annotations).toEqual({ note: '{{ 7*7 }} and "quotes"\nnext line' });
  });
});
