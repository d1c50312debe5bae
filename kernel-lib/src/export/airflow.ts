/**
 * Airflow: a DAG file (imports that work on Airflow 2.x and 3.x) with one
 * KubernetesPodOperator per step and one `>>` line per pipeline edge. Pipeline
 * parameters become DAG params; step data moves through the shared volume, under a
 * folder per DAG run. Every value is written as a Python literal (python-literal.ts),
 * and the operator's Jinja-templated fields get user text only as Jinja string
 * literals, so nothing in a name or value is ever evaluated.
 */
import { keyedEntries } from '../pipeline/k8s-grammar.js';
import type { PipelineParameter, PipelineSpec, PipelineStep } from '../pipeline/spec.js';
import {
  defaultImage,
  type ExportOptions,
  mapValues,
  renderArgument,
  SHARED_STORAGE,
  stepArguments,
  stepsInOrder,
} from './container.js';
import { dnsLabels, identifiers } from './names.js';
import { pyLiteral, pyString } from './python-literal.js';

/** Where XCom picks up a pod's result (`do_xcom_push`): the step's metrics land there. */
const XCOM_FILE = '/airflow/xcom/return.json';

/**
 * Text safe in a Jinja-templated operator field. Text holding braces or line breaks
 * (Jinja normalises and trims those), or ending like a template file name (Airflow would
 * try to load it, `template_ext`), becomes a Jinja string literal, whose escapes are Python's.
 */
export function jinjaText(text: string): string {
  return /[{}\r\n]|\.(ya?ml|json)$/.test(text) ? `{{ ${pyString(text)} }}` : text;
}

function paramType(p: PipelineParameter): string | undefined {
  if (p.type !== 'json') return p.type;
  if (Array.isArray(p.default)) return 'array';
  return p.default !== null && typeof p.default === 'object' ? 'object' : undefined;
}

export function toAirflow(spec: PipelineSpec, options: ExportOptions = {}): string {
  const image = options.image ?? defaultImage(spec);
  const claim = options.volumeClaim ?? SHARED_STORAGE.defaultClaim;
  const steps = stepsInOrder(spec);
  const taskIds = identifiers();
  const podNames = dnsLabels();
  const params = identifiers();
  const paramKey = new Map(spec.parameters.map((p) => [p.name, params.name(p.name)]));
  const byStep = new Map(steps.map((s) => [s.name, { id: taskIds.name(s.name), files: identifiers() }]));
  const fileOf = (stepName: string, output: string) =>
    `${SHARED_STORAGE.mountPath}/runs/{{ run_id }}/${byStep.get(stepName)!.id}/${byStep.get(stepName)!.files.name(output)}`;

  const lines: string[] = [
    '# Airflow DAG exported by stillwater from pipeline.json (Airflow 2.x and 3.x).',
    'from datetime import datetime, timedelta, timezone',
    '',
    'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator',
    'from kubernetes.client import models as k8s',
    '',
    'try:  # Airflow 3',
    '    from airflow.sdk import DAG, Param',
    'except ImportError:  # Airflow 2',
    '    from airflow import DAG',
    '    from airflow.models.param import Param',
    '',
    `IMAGE = ${pyString(jinjaText(image))}`,
    'VOLUMES = [',
    `    k8s.V1Volume(name="stillwater", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name=${pyString(jinjaText(claim))})),`,
    ']',
    `VOLUME_MOUNTS = [k8s.V1VolumeMount(name="stillwater", mount_path=${pyString(SHARED_STORAGE.mountPath)})]`,
    `ENV_VARS = {"STILLWATER_LAKEHOUSE_ROOT": ${pyString(SHARED_STORAGE.lakehouseRoot)}}`,
    '',
    'with DAG(',
    `    dag_id=${pyString(taskIdsFor(spec.name))},`,
    `    description=${pyString(spec.description)},`,
    '    schedule=None,',
    '    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),',
    '    catchup=False,',
    '    tags=["stillwater"],',
    '    params={',
    ...spec.parameters.map((p) => {
      const type = paramType(p);
      return `        ${pyString(paramKey.get(p.name)!)}: Param(${pyLiteral(p.default)}${type ? `, type=${pyString(type)}` : ''}, description=${pyString(`${p.type} parameter ${p.name} of the notebook`)}),`;
    }),
    '    },',
    ') as dag:',
    '    tasks = {}',
  ];
  for (const step of steps) lines.push(...operator(step, byStep.get(step.name)!.id, podNames.name(step.name)));
  for (const step of steps) {
    for (const dep of step.deps) {
      lines.push(`    tasks[${pyString(byStep.get(dep)!.id)}] >> tasks[${pyString(byStep.get(step.name)!.id)}]`);
    }
  }
  return `${lines.join('\n')}\n`;

  function operator(step: PipelineStep, id: string, podName: string): string[] {
    const args = stepArguments(step, {
      input: (i) => fileOf(i.from, i.name),
      output: (o) => fileOf(step.name, o.name),
      param: (name) => {
        const p = spec.parameters.find((q) => q.name === name)!;
        const ref = `params[${pyString(paramKey.get(name)!)}]`;
        // Strings go in as they are; numbers, booleans and JSON as the JSON text the step contract parses.
        // Values are rendered into the pod's args, which Kubernetes expands: `$` → `$$`.
        return `{{ ${ref}${p.type === 'string' ? '' : ' | tojson'} | replace("$", "$$") }}`;
      },
      metrics: () => `{{ ${pyString(XCOM_FILE)} }}`,
    }).map((parts) => renderArgument(parts, jinjaText));
    const limits = keyedEntries(step.limits);
    // image, annotations, labels and container_resources are Jinja-templated fields (their dicts' values, not keys).
    const keyed = (field: string, entries: [string, string][]) =>
      entries.length > 0 ? [`        ${field}=${pyLiteral(mapValues(entries, jinjaText))},`] : [];
    return [
      `    tasks[${pyString(id)}] = KubernetesPodOperator(`,
      `        task_id=${pyString(id)},`,
      `        name=${pyString(podName)},`,
      `        doc_md=${pyString(`Stillwater step ${JSON.stringify(step.name)} (${step.kind})`)},`,
      step.image === undefined ? '        image=IMAGE,' : `        image=${pyString(jinjaText(step.image))},`,
      `        cmds=[${pyString(args[0]!)}],`,
      '        arguments=[',
      ...args.slice(1).map((a) => `            ${pyString(a)},`),
      '        ],',
      '        env_vars=ENV_VARS,',
      '        volumes=VOLUMES,',
      '        volume_mounts=VOLUME_MOUNTS,',
      `        retries=${step.retries},`,
      ...(step.timeoutSeconds !== null ? [`        execution_timeout=timedelta(seconds=${step.timeoutSeconds}),`] : []),
      ...(limits.length > 0
        ? [`        container_resources=k8s.V1ResourceRequirements(limits=${pyLiteral(mapValues(limits, jinjaText))}),`]
        : []),
      ...keyed('annotations', keyedEntries(step.annotations)),
      ...keyed('labels', keyedEntries(step.labels)),
      `        do_xcom_push=${step.metrics.length > 0 ? 'True' : 'False'},`,
      '    )',
    ];
  }
}

/** A DAG id (letters, digits, `_.-`) for the pipeline's name. */
function taskIdsFor(name: string): string {
  return /^[A-Za-z0-9_.-]{1,250}$/.test(name) ? name : identifiers().name(name);
}
