/**
 * The turbofan example and every compiler fixture that compiles, exported to KFP, Argo
 * and Airflow: strict schema/proto reading, wiring and DAG equal to pipeline.json,
 * byte-identical on repeat.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_TARGETS, exportPipeline } from '../../../kernel-lib/src/export/index.js';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/index.js';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import {
  argoDag,
  type AirflowReading,
  argoProblems,
  kfpProblems,
  readAirflow,
  sharedRefsMissing,
  specEdges,
  yamlDocs,
} from '../../helpers/export-checks.js';
import { repoRoot } from '../../helpers/paths.js';

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as Record<
  string,
  { ok: boolean }
>;
const notebooks: [string, string][] = [
  ['turbofan', path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb')],
  ...Object.keys(expected)
    .filter((n) => expected[n]!.ok)
    .map((n): [string, string] => [n, path.join(fixtures, `${n}.ipynb`)]),
];
const out = path.join(repoRoot, 'tests', '.out', 'export');
const specs = new Map<string, PipelineSpec>();
let airflow: Record<string, AirflowReading> = {};
const dagFile = (name: string) => path.join(out, `${name}_dag.py`);

beforeAll(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const [name, nb] of notebooks) {
    const { spec } = await compileNotebook(nb, { outDir: path.join(out, `${name}.pipeline`) });
    specs.set(name, spec!);
    writeFileSync(dagFile(name), exportPipeline(spec!, 'airflow').text);
  }
  if (!sharedRefsMissing) airflow = readAirflow(notebooks.map(([n]) => dagFile(n)));
});

describe.skipIf(sharedRefsMissing)('exports of the turbofan example and every compiling fixture', () => {
  it('covers the turbofan example and at least 15 fixtures', () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(16);
  });

  it.each(notebooks.map(([n]) => n))('%s → KFP: strict PipelineSpec, consistent wiring, same DAG', (name) => {
    const spec = specs.get(name)!;
    const { text } = exportPipeline(spec, 'kfp', { image: 'registry.example/steps:1' });
    expect(kfpProblems(text)).toEqual([]);
    const [ir] = yamlDocs(text);
    const tasks = Object.values<{ taskInfo: { name: string }; dependentTasks?: string[] }>(ir!.root.dag.tasks);
    const stepOfTask = new Map(
      Object.entries<{ taskInfo: { name: string } }>(ir!.root.dag.tasks).map(([k, t]) => [k, t.taskInfo.name]),
    );
    expect(tasks.map((t) => t.taskInfo.name).sort()).toEqual(spec.steps.map((s) => s.name).sort());
    const edges = tasks.flatMap((t) =>
      (t.dependentTasks ?? []).map((d) => `${stepOfTask.get(d)} -> ${t.taskInfo.name}`),
    );
    expect(edges.sort()).toEqual(specEdges(spec));
  });

  it.each(notebooks.map(([n]) => n))('%s → Argo: valid against Argo schema, DAG equals pipeline.json', (name) => {
    const spec = specs.get(name)!;
    for (const template of [false, true]) {
      const { text } = exportPipeline(spec, 'argo', { template });
      expect(argoProblems(text)).toEqual([]);
      expect(argoDag(text)).toEqual(Object.fromEntries(spec.steps.map((s) => [s.name, [...s.deps].sort()])));
    }
  });

  it.each(notebooks.map(([n]) => n))('%s → Airflow: compiles, one operator per step, exactly its edges', (name) => {
    const spec = specs.get(name)!;
    const dag = airflow[dagFile(name)]!;
    expect(dag.operators.map((o) => o.task_id).sort()).toEqual(spec.steps.map((s) => s.name).sort());
    expect(dag.edges.map(([a, b]) => `${a} -> ${b}`).sort()).toEqual(specEdges(spec));
    for (const step of spec.steps) {
      const op = dag.operators.find((o) => o.task_id === step.name)!;
      expect(op.retries).toBe(step.retries);
      // The container's command line, after Airflow's Jinja and Kubernetes: the step entry contract.
      // JSON-typed values are compared as values (Jinja's tojson spaces them differently).
      const asValues = (args: string[]) =>
        args.map((a, i) => {
          const name = args[i - 1] === '--param' ? a.slice(0, a.indexOf('=')) : undefined;
          const p = spec.parameters.find((q) => q.name === name);
          return p && p.type !== 'string' ? [name, JSON.parse(a.slice(a.indexOf('=') + 1))] : a;
        });
      expect(asValues([...op.cmds, ...op.rendered])).toEqual(
        asValues([
          'node',
          `/app/pipeline/${step.bundle}`,
          ...step.inputs.flatMap((i) => ['--in', `${i.name}=/stillwater/runs/RUN/${i.from}/${i.name}`]),
          ...step.outputs.flatMap((o) => ['--out', `${o.name}=/stillwater/runs/RUN/${step.name}/${o.name}`]),
          ...step.parameters.flatMap((p) => {
            const param = spec.parameters.find((q) => q.name === p)!;
            return ['--param', `${p}=${param.type === 'string' ? param.default : JSON.stringify(param.default)}`];
          }),
          ...(step.metrics.length > 0 ? ['--metrics', '/airflow/xcom/return.json'] : []),
        ]),
      );
    }
  });

  it.each(notebooks.map(([n]) => n))('%s: every target is byte-identical on repeat', (name) => {
    const spec = specs.get(name)!;
    for (const target of EXPORT_TARGETS) {
      const copy = JSON.parse(JSON.stringify(spec)) as PipelineSpec;
      expect(exportPipeline(copy, target).text).toBe(exportPipeline(spec, target).text);
    }
  });
});
