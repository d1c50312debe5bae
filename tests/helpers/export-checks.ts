/**
 * Checks of exported files used by the export tests: KFP IR strictly against the proto
 * plus wiring, Argo strictly against Argo's schema plus its DAG, Airflow through
 * python3 (py_compile + AST, tests/helpers/airflow_check.py). Needs ../shared (proto, schema).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PipelineSpec } from '../../kernel-lib/src/pipeline/spec.js';
import { argoValidator } from './argo-schema.js';
import { loadKfpProto, strictProtoErrors } from './kfp-proto.js';
import { repoRoot, sharedDir, venvPython } from './paths.js';

export const kfpProtoDir = path.join(sharedDir, 'kfp', 'proto');
export const argoSchemaPath = path.join(sharedDir, 'argo', 'schema.json');
export const sharedRefsMissing =
  !existsSync(path.join(kfpProtoDir, 'pipeline_spec.proto')) || !existsSync(argoSchemaPath);
if (sharedRefsMissing) console.warn(`export tests skipped: ${kfpProtoDir} or ${argoSchemaPath} is missing`);

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked freely by the checks
type Json = Record<string, any>;

export function yamlDocs(text: string): Json[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => {
    if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('; '));
    return d.toJS() as Json;
  });
}

let proto: ReturnType<typeof loadKfpProto> | undefined;

/** Problems of a KFP export: strict proto reading of both documents, then wiring. */
export function kfpProblems(text: string): string[] {
  proto ??= loadKfpProto(kfpProtoDir);
  const [ir, platform] = yamlDocs(text);
  const errors = [
    ...strictProtoErrors(proto, 'ml_pipelines.PipelineSpec', ir),
    ...strictProtoErrors(proto, 'ml_pipelines.PlatformSpec', platform),
  ];
  const components = ir!.components as Json;
  const executors = ir!.deploymentSpec.executors as Json;
  const tasks = ir!.root.dag.tasks as Json;
  const rootParams = ir!.root.inputDefinitions?.parameters ?? {};
  for (const [name, t] of Object.entries(tasks)) {
    const comp = components[t.componentRef.name];
    if (!comp) errors.push(`task ${name}: componentRef ${t.componentRef.name} missing`);
    else if (!executors[comp.executorLabel]) errors.push(`component ${t.componentRef.name}: executor missing`);
    for (const d of t.dependentTasks ?? []) if (!tasks[d]) errors.push(`task ${name}: dependentTask ${d} missing`);
    for (const [key, a] of Object.entries<Json>(t.inputs?.artifacts ?? {})) {
      const producer = tasks[a.taskOutputArtifact.producerTask];
      const outs = producer && components[producer.componentRef.name]?.outputDefinitions?.artifacts;
      if (!outs?.[a.taskOutputArtifact.outputArtifactKey])
        errors.push(`task ${name}: input ${key} has no producer output`);
      if (!comp?.inputDefinitions?.artifacts?.[key]) errors.push(`task ${name}: input artifact ${key} not declared`);
    }
    for (const [key, p] of Object.entries<Json>(t.inputs?.parameters ?? {})) {
      if (!rootParams[p.componentInputParameter]) errors.push(`task ${name}: parameter ${key} has no root input`);
      if (!comp?.inputDefinitions?.parameters?.[key]) errors.push(`task ${name}: parameter ${key} not declared`);
    }
    // Every placeholder in the executor's args names a declared input or output.
    const exec = comp && executors[comp.executorLabel];
    for (const arg of exec?.container.args ?? []) {
      for (const m of String(arg).matchAll(/\{\{\$\.(inputs|outputs)\.(artifacts|parameters)\['([^']+)'\]/g)) {
        const defs = m[1] === 'inputs' ? comp.inputDefinitions : comp.outputDefinitions;
        if (!defs?.[m[2]!]?.[m[3]!])
          errors.push(`executor ${comp.executorLabel}: placeholder ${m[0]} has no definition`);
      }
    }
  }
  if (!acyclic(Object.fromEntries(Object.entries(tasks).map(([n, t]) => [n, t.dependentTasks ?? []])))) {
    errors.push('dependentTasks form a cycle');
  }
  return errors;
}

function acyclic(deps: Record<string, string[]>): boolean {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string): boolean => {
    if (state.get(n) === 'done') return true;
    if (state.get(n) === 'visiting') return false;
    state.set(n, 'visiting');
    const ok = (deps[n] ?? []).every(visit);
    state.set(n, 'done');
    return ok;
  };
  return Object.keys(deps).every(visit);
}

let argo: ReturnType<typeof argoValidator> | undefined;

export function argoProblems(text: string): string[] {
  argo ??= argoValidator(argoSchemaPath);
  const [doc] = yamlDocs(text);
  return argo(doc!.kind, doc);
}

/** The Argo DAG as `task → sorted dependencies`, by step name (from each template's annotation). */
export function argoDag(text: string): Record<string, string[]> {
  const [doc] = yamlDocs(text);
  const templates = doc!.spec.templates as Json[];
  const stepOf = new Map(
    templates.filter((t) => t.container).map((t) => [t.name, t.metadata.annotations['stillwater.dev/step']]),
  );
  const dag = templates.find((t) => t.name === doc!.spec.entrypoint)!.dag.tasks as Json[];
  return Object.fromEntries(
    dag.map((t) => [stepOf.get(t.template), (t.dependencies ?? []).map((d: string) => stepOf.get(d)).sort()]),
  );
}

export interface AirflowReading {
  dag: { dag_id: string; description: string };
  params: Record<string, unknown>;
  operators: {
    task_id: string;
    cmds: string[];
    arguments: string[];
    rendered: string[];
    retries: number;
    /** The step's own image (Kale's `image:`), or null for the DAG's IMAGE. */
    image: string | null;
    annotations: Record<string, string>;
    labels: Record<string, string>;
    limits: Record<string, string>;
  }[];
  edges: [string, string][];
}

/** py_compile + AST of DAG files, in one Python process (the test venv's: JupyterLab brings jinja2). */
export function readAirflow(files: string[]): Record<string, AirflowReading> {
  const out = execFileSync(venvPython, [path.join(repoRoot, 'tests', 'helpers', 'airflow_check.py'), ...files], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, AirflowReading>;
}

/** The pipeline's edges as `dep → step` pairs, sorted. */
export function specEdges(spec: PipelineSpec): string[] {
  return spec.steps.flatMap((s) => s.deps.map((d) => `${d} -> ${s.name}`)).sort();
}
