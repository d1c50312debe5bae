/**
 * Argo Workflows: a `Workflow` (or `WorkflowTemplate`) with one DAG template whose
 * tasks and dependencies are the pipeline's steps and `deps`, one container template
 * per step, pipeline parameters as workflow arguments and step data through Argo's
 * artifact passing (the cluster's artifact repository). `../shared/argo/schema.json`
 * is the schema this has to satisfy.
 */
import { keyedEntries } from '../pipeline/k8s-grammar.js';
import type { PipelineSpec, PipelineStep } from '../pipeline/spec.js';
import {
  defaultImage,
  type ExportOptions,
  mapValues,
  parameterText,
  renderArgument,
  refuseBraces,
  SHARED_STORAGE,
  stepArguments,
  stepImage,
  stepsInOrder,
} from './container.js';
import { dnsLabels, identifiers } from './names.js';
import { toYaml } from './yaml-emit.js';

/** Where a step's container finds its inputs and leaves its outputs for Argo to collect. */
const IN_DIR = '/tmp/stillwater/in';
const OUT_DIR = '/tmp/stillwater/out';
// Straight in /tmp: the step runtime creates the folders of `--out` files but not of `--metrics`.
const METRICS_FILE = '/tmp/stillwater-metrics.json';
const VOLUME = 'stillwater';

type Json = Record<string, unknown>;

export function toArgo(spec: PipelineSpec, options: ExportOptions = {}): string {
  const image = options.image ?? defaultImage(spec);
  const steps = stepsInOrder(spec);
  const templates = dnsLabels();
  const entry = templates.fresh('main');
  const task = new Map(steps.map((s) => [s.name, templates.name(s.name)]));
  const params = identifiers();
  const paramKey = new Map(spec.parameters.map((p) => [p.name, params.name(p.name)]));
  const keysOf = (step: PipelineStep) => {
    const ins = identifiers();
    const outs = identifiers();
    return {
      input: new Map(step.inputs.map((i) => [i.name, ins.name(i.name)])),
      output: new Map(step.outputs.map((o) => [o.name, outs.name(o.name)])),
    };
  };
  const keys = new Map(steps.map((s) => [s.name, keysOf(s)]));
  const dagTasks = steps.map((step) => {
    const k = keys.get(step.name)!;
    const args: Json = {};
    if (step.parameters.length > 0) {
      args.parameters = step.parameters.map((p) => ({
        name: paramKey.get(p)!,
        value: `{{workflow.parameters.${paramKey.get(p)!}}}`,
      }));
    }
    if (step.inputs.length > 0) {
      args.artifacts = step.inputs.map((i) => ({
        name: k.input.get(i.name)!,
        from: `{{tasks.${task.get(i.from)!}.outputs.artifacts.${keys.get(i.from)!.output.get(i.name)!}}}`,
      }));
    }
    return {
      name: task.get(step.name)!,
      template: task.get(step.name)!,
      ...(step.deps.length > 0 ? { dependencies: step.deps.map((d) => task.get(d)!) } : {}),
      ...(Object.keys(args).length > 0 ? { arguments: args } : {}),
    };
  });
  const stepTemplates = steps.map((step) => {
    const k = keys.get(step.name)!;
    const where = `step ${JSON.stringify(step.name)}`;
    const escapeText = refuseBraces('Argo', where);
    const args = stepArguments(step, {
      input: (i) => `${IN_DIR}/${k.input.get(i.name)!}`,
      output: (o) => `${OUT_DIR}/${k.output.get(o.name)!}`,
      param: (name) => `{{inputs.parameters.${paramKey.get(name)!}}}`,
      metrics: () => METRICS_FILE,
    }).map((parts) => renderArgument(parts, escapeText));
    const inputs: Json = {};
    if (step.parameters.length > 0) inputs.parameters = step.parameters.map((p) => ({ name: paramKey.get(p)! }));
    if (step.inputs.length > 0) {
      inputs.artifacts = step.inputs.map((i) => ({
        name: k.input.get(i.name)!,
        path: `${IN_DIR}/${k.input.get(i.name)!}`,
      }));
    }
    const outputs: Json = {};
    if (step.outputs.length > 0) {
      outputs.artifacts = step.outputs.map((o) => ({
        name: k.output.get(o.name)!,
        path: `${OUT_DIR}/${k.output.get(o.name)!}`,
      }));
    }
    if (step.metrics.length > 0) outputs.parameters = [{ name: 'metrics', valueFrom: { path: METRICS_FILE } }];
    const limits = keyedEntries(step.limits);
    const labels = keyedEntries(step.labels);
    // Argo substitutes {{…}} in the whole template, metadata and image included.
    const annotations = {
      ...mapValues(keyedEntries(step.annotations), escapeText),
      'stillwater.dev/step': escapeText(step.name),
    };
    return {
      name: task.get(step.name)!,
      metadata: { annotations, ...(labels.length > 0 ? { labels: mapValues(labels, escapeText) } : {}) },
      ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
      ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
      // IntOrString fields: Argo's schema types them as strings.
      ...(step.retries > 0 ? { retryStrategy: { limit: String(step.retries), retryPolicy: 'Always' } } : {}),
      ...(step.timeoutSeconds !== null ? { activeDeadlineSeconds: String(step.timeoutSeconds) } : {}),
      container: {
        image: escapeText(stepImage(step, image)),
        command: [args[0]!],
        args: args.slice(1),
        env: [{ name: 'STILLWATER_LAKEHOUSE_ROOT', value: SHARED_STORAGE.lakehouseRoot }],
        ...(limits.length > 0 ? { resources: { limits: Object.fromEntries(limits) } } : {}),
        volumeMounts: [{ name: VOLUME, mountPath: SHARED_STORAGE.mountPath }],
      },
    };
  });
  const workflowArguments =
    spec.parameters.length > 0
      ? {
          arguments: {
            parameters: spec.parameters.map((p) => ({
              name: paramKey.get(p.name)!,
              value: refuseBraces('Argo', `parameter ${JSON.stringify(p.name)}`)(parameterText(p)),
              description: `${p.type} parameter ${p.name} of the notebook`,
            })),
          },
        }
      : {};
  const kind = options.template ? 'WorkflowTemplate' : 'Workflow';
  const name = dnsLabels().name(spec.name);
  const doc = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind,
    metadata: {
      ...(options.template ? { name } : { generateName: `${name}-` }),
      labels: { 'stillwater.dev/pipeline-hash': spec.hash.slice(0, 63) },
      annotations: {
        'stillwater.dev/pipeline': spec.name,
        'workflows.argoproj.io/description': spec.description,
      },
    },
    spec: {
      entrypoint: entry,
      ...workflowArguments,
      volumes: [
        { name: VOLUME, persistentVolumeClaim: { claimName: options.volumeClaim ?? SHARED_STORAGE.defaultClaim } },
      ],
      templates: [{ name: entry, dag: { tasks: dagTasks } }, ...stepTemplates],
    },
  };
  return `# Argo ${kind} exported by stillwater from pipeline.json\n${toYaml(doc)}`;
}
