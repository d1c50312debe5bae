/**
 * Kubeflow Pipelines v2: the pipeline IR (`ml_pipelines.PipelineSpec`, protobuf JSON
 * form as YAML) a KFP 2.x server takes as an upload, plus a second document, the
 * Kubernetes platform spec, that mounts the shared volume. Shapes follow what the KFP
 * SDK compiles (references in ../shared/kfp/ir): one component + executor per step,
 * artifacts between steps, pipeline parameters as typed root inputs.
 */
import { isExtendedResource, keyedEntries } from '../pipeline/k8s-grammar.js';
import type { PipelineParameter, PipelineSpec, PipelineStep } from '../pipeline/spec.js';
import {
  defaultImage,
  type ExportOptions,
  mapValues,
  renderArgument,
  refuseBraces,
  SHARED_STORAGE,
  stepArguments,
  stepImage,
  stepsInOrder,
} from './container.js';
import { ExportValueError } from './errors.js';
import { dnsLabels, identifiers, type NameAllocator } from './names.js';
import { toYaml } from './yaml-emit.js';

const ARTIFACT_TYPE = { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' };
const METRICS_TYPE = { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' };
/** What SIGKILLs a step this long after its timeout's SIGTERM (coreutils `timeout`, in the image). */
const KILL_AFTER = '--kill-after=30';

type Json = Record<string, unknown>;

/** KFP's parameter type for a pipeline parameter (a `json` scalar travels as its JSON text). */
export function kfpParameterType(p: PipelineParameter): string {
  switch (p.type) {
    case 'number':
      return Number.isInteger(p.default) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return 'STRING';
    case 'json':
      if (Array.isArray(p.default)) return 'LIST';
      return p.default !== null && typeof p.default === 'object' ? 'STRUCT' : 'STRING';
  }
}

function kfpDefault(p: PipelineParameter): unknown {
  return kfpParameterType(p) === 'STRING' && typeof p.default !== 'string' ? JSON.stringify(p.default) : p.default;
}

interface StepKeys {
  task: string;
  inputs: NameAllocator;
  outputs: Map<string, string>;
  metrics: string | undefined;
}

export function toKfp(spec: PipelineSpec, options: ExportOptions = {}): string {
  const image = options.image ?? defaultImage(spec);
  const claim = options.volumeClaim ?? SHARED_STORAGE.defaultClaim;
  const steps = stepsInOrder(spec);
  const params = identifiers();
  const paramKey = new Map(spec.parameters.map((p) => [p.name, params.name(p.name)]));
  const tasks = dnsLabels();
  const keys = new Map<string, StepKeys>();
  for (const step of steps) {
    const outs = identifiers();
    const outputs = new Map(step.outputs.map((o) => [o.name, outs.name(o.name)]));
    keys.set(step.name, {
      task: tasks.name(step.name),
      inputs: identifiers(),
      outputs,
      metrics: step.metrics.length > 0 ? outs.fresh('metrics') : undefined,
    });
  }
  const components: Json = {};
  const executors: Json = {};
  const dagTasks: Json = {};
  const platformExecutors: Json = {};
  const rootOutputs = dnsLabels();
  const rootMetricDefs: Json = {};
  const rootMetricSelectors: Json = {};
  for (const step of steps) {
    const k = keys.get(step.name)!;
    const inKey = (name: string) => k.inputs.name(name);
    const stepParams = step.parameters.map((name) => spec.parameters.find((p) => p.name === name)!);
    components[`comp-${k.task}`] = componentSpec(step, k, stepParams);
    executors[`exec-${k.task}`] = { container: container(step, k, image) };
    platformExecutors[`exec-${k.task}`] = {
      ...podMetadata(step),
      pvcMount: [
        {
          constant: claim,
          mountPath: SHARED_STORAGE.mountPath,
          pvcNameParameter: { runtimeValue: { constant: claim } },
        },
      ],
    };
    const artifacts = Object.fromEntries(
      step.inputs.map((i) => [
        inKey(i.name),
        {
          taskOutputArtifact: {
            producerTask: keys.get(i.from)!.task,
            outputArtifactKey: keys.get(i.from)!.outputs.get(i.name)!,
          },
        },
      ]),
    );
    const parameters = Object.fromEntries(
      stepParams.map((p) => [inKey(p.name), { componentInputParameter: paramKey.get(p.name)! }]),
    );
    dagTasks[k.task] = {
      taskInfo: { name: step.name },
      componentRef: { name: `comp-${k.task}` },
      ...(step.deps.length > 0 ? { dependentTasks: step.deps.map((d) => keys.get(d)!.task) } : {}),
      ...(step.inputs.length + stepParams.length > 0
        ? {
            inputs: {
              ...(step.inputs.length > 0 ? { artifacts } : {}),
              ...(stepParams.length > 0 ? { parameters } : {}),
            },
          }
        : {}),
      cachingOptions: { enableCache: step.cache },
      ...(step.retries > 0
        ? {
            retryPolicy: {
              maxRetryCount: step.retries,
              backoffDuration: '0s',
              backoffFactor: 2,
              backoffMaxDuration: '3600s',
            },
          }
        : {}),
    };
    if (k.metrics) {
      const key = rootOutputs.fresh(`${k.task}-metrics`);
      rootMetricDefs[key] = { artifactType: METRICS_TYPE };
      rootMetricSelectors[key] = { artifactSelectors: [{ producerSubtask: k.task, outputArtifactKey: k.metrics }] };
    }
  }
  const hasMetrics = Object.keys(rootMetricDefs).length > 0;
  const pipeline = {
    pipelineInfo: { name: dnsLabels().name(spec.name), displayName: spec.name, description: spec.description },
    sdkVersion: 'stillwater-0.1.0',
    schemaVersion: '2.1.0',
    components,
    deploymentSpec: { executors },
    root: {
      dag: { tasks: dagTasks, ...(hasMetrics ? { outputs: { artifacts: rootMetricSelectors } } : {}) },
      ...(spec.parameters.length > 0
        ? {
            inputDefinitions: {
              parameters: Object.fromEntries(
                spec.parameters.map((p) => [
                  paramKey.get(p.name)!,
                  { parameterType: kfpParameterType(p), defaultValue: kfpDefault(p), isOptional: true },
                ]),
              ),
            },
          }
        : {}),
      ...(hasMetrics ? { outputDefinitions: { artifacts: rootMetricDefs } } : {}),
    },
  };
  const platform = { platforms: { kubernetes: { deploymentSpec: { executors: platformExecutors } } } };
  return `# Kubeflow Pipelines v2 IR exported by stillwater from pipeline.json\n${toYaml(pipeline, { sortKeys: true })}---\n${toYaml(platform, { sortKeys: true })}`;
}

function componentSpec(step: PipelineStep, k: StepKeys, stepParams: PipelineParameter[]): Json {
  const inputArtifacts = Object.fromEntries(
    step.inputs.map((i) => [k.inputs.name(i.name), { artifactType: ARTIFACT_TYPE }]),
  );
  const inputParams = Object.fromEntries(
    stepParams.map((p) => [k.inputs.name(p.name), { parameterType: kfpParameterType(p) }]),
  );
  const outputArtifacts: Json = Object.fromEntries(
    step.outputs.map((o) => [k.outputs.get(o.name)!, { artifactType: ARTIFACT_TYPE }]),
  );
  if (k.metrics) outputArtifacts[k.metrics] = { artifactType: METRICS_TYPE };
  const inputDefinitions = {
    ...(step.inputs.length > 0 ? { artifacts: inputArtifacts } : {}),
    ...(stepParams.length > 0 ? { parameters: inputParams } : {}),
  };
  return {
    executorLabel: `exec-${k.task}`,
    ...(Object.keys(inputDefinitions).length > 0 ? { inputDefinitions } : {}),
    ...(Object.keys(outputArtifacts).length > 0 ? { outputDefinitions: { artifacts: outputArtifacts } } : {}),
  };
}

function container(step: PipelineStep, k: StepKeys, image: string): Json {
  const escapeText = refuseBraces('KFP', `step ${JSON.stringify(step.name)}`);
  const args = stepArguments(step, {
    input: (i) => `{{$.inputs.artifacts['${k.inputs.name(i.name)}'].path}}`,
    output: (o) => `{{$.outputs.artifacts['${k.outputs.get(o.name)!}'].path}}`,
    param: (name) => `{{$.inputs.parameters['${k.inputs.name(name)}']}}`,
    metrics: () => `{{$.outputs.artifacts['${k.metrics!}'].path}}`,
  }).map((parts) => renderArgument(parts, escapeText));
  // KFP's IR has no timeout field: coreutils `timeout` (in the step image) enforces it in the container.
  const command =
    step.timeoutSeconds === null ? [args[0]!] : ['timeout', KILL_AFTER, String(step.timeoutSeconds), args[0]!];
  const resources = resourceSpec(step);
  return {
    image: escapeText(stepImage(step, image)),
    command,
    args: args.slice(1),
    env: [{ name: 'STILLWATER_LAKEHOUSE_ROOT', value: SHARED_STORAGE.lakehouseRoot }],
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
  };
}

/**
 * The IR's `ResourceSpec`: cpu, memory and one accelerator (the KFP backend turns
 * `resourceType`/`resourceCount` into the container limit of that name, e.g.
 * nvidia.com/gpu). The IR has no field for any other resource: refused, not dropped.
 */
function resourceSpec(step: PipelineStep): Json {
  const resources: Json = {};
  const accelerators: [string, string][] = [];
  for (const [resource, qty] of keyedEntries(step.limits)) {
    if (resource === 'cpu') resources.resourceCpuLimit = qty;
    else if (resource === 'memory') resources.resourceMemoryLimit = qty;
    else if (isExtendedResource(resource)) accelerators.push([resource, qty]);
    else
      throw new ExportValueError(
        `step ${JSON.stringify(step.name)}: limit:${resource} has no field in the KFP IR (cpu, memory and one accelerator)`,
      );
  }
  if (accelerators.length > 1) {
    throw new ExportValueError(
      `step ${JSON.stringify(step.name)}: the KFP IR takes one accelerator per step, not ${accelerators.map(([r]) => r).join(' and ')}`,
    );
  }
  const [accelerator] = accelerators;
  if (accelerator) resources.accelerator = { resourceType: accelerator[0], resourceCount: accelerator[1] };
  return resources;
}

/** Kale's annotation:/label: tags as the Kubernetes platform spec's `podMetadata` of the step's executor. */
function podMetadata(step: PipelineStep): Json {
  const escapeText = refuseBraces('KFP', `step ${JSON.stringify(step.name)}`);
  const annotations = keyedEntries(step.annotations);
  const labels = keyedEntries(step.labels);
  if (annotations.length + labels.length === 0) return {};
  return {
    podMetadata: {
      ...(annotations.length > 0 ? { annotations: mapValues(annotations, escapeText) } : {}),
      ...(labels.length > 0 ? { labels: mapValues(labels, escapeText) } : {}),
    },
  };
}
