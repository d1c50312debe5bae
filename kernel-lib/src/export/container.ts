/**
 * What every target runs in a step's container: the step entry contract
 * (STEP-CONTRACT.md) against the layout of the step image (`stillwater image`).
 * Arguments are built as parts — literal text (names from the pipeline) and
 * references (the target's placeholders) — and each target escapes the literal
 * parts for its own template syntax; Kubernetes' own `$(VAR)` expansion in
 * container arguments is escaped here for all of them.
 */
import type { PipelineParameter, PipelineSpec, PipelineStep, StepInput, StepOutput } from '../pipeline/spec.js';
import { ExportValueError } from './errors.js';
import { dnsLabelText } from './names.js';

/** Where the step image puts things (image/dockerfile.ts writes the same paths). */
export const IMAGE_LAYOUT = {
  /** The compiled pipeline folder: pipeline.json + steps/. */
  pipeline: '/app/pipeline',
  /** The steps' working directory (what the notebook's folder is locally). */
  workdir: '/app/work',
} as const;

/** Storage every step's pod mounts: Delta tables and handles to them must be reachable from all. */
export const SHARED_STORAGE = {
  mountPath: '/stillwater',
  lakehouseRoot: '/stillwater/lakehouse',
  defaultClaim: 'stillwater',
} as const;

export type ExportTarget = 'kfp' | 'argo' | 'airflow';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['kfp', 'argo', 'airflow'];

export interface ExportOptions {
  /** The step image; default {@link defaultImage}. */
  image?: string;
  /** Argo: a `WorkflowTemplate` instead of a `Workflow`. */
  template?: boolean;
  /** PersistentVolumeClaim mounted at /stillwater in every step (default `stillwater`). */
  volumeClaim?: string;
}

/** The image an export refers to when none is given: named after the pipeline and its hash. */
export function defaultImage(spec: PipelineSpec): string {
  return `stillwater/${dnsLabelText(spec.name)}:${spec.hash.slice(0, 12)}`;
}

/** One argument: literal text and target references, concatenated. */
export type ArgPart = { text: string } | { ref: string };

export interface StepRefs {
  input(input: StepInput): string;
  output(output: StepOutput): string;
  param(name: string): string;
  metrics(): string;
}

/** `node /app/pipeline/steps/NAME.mjs --in … --out … --param … --metrics …` as argument parts. */
export function stepArguments(step: PipelineStep, refs: StepRefs): ArgPart[][] {
  const named = (flag: string, name: string, ref: string): ArgPart[][] => {
    if (name.includes('=') || name === '') {
      throw new ExportValueError(
        `step ${JSON.stringify(step.name)}: ${flag} name ${JSON.stringify(name)} cannot hold "=" or be empty`,
      );
    }
    return [[{ text: flag }], [{ text: `${name}=` }, { ref }]];
  };
  return [
    [{ text: 'node' }],
    [{ text: `${IMAGE_LAYOUT.pipeline}/${step.bundle}` }],
    ...step.inputs.flatMap((i) => named('--in', i.name, refs.input(i))),
    ...step.outputs.flatMap((o) => named('--out', o.name, refs.output(o))),
    ...step.parameters.flatMap((p) => named('--param', p, refs.param(p))),
    ...(step.metrics.length > 0 ? [[{ text: '--metrics' }], [{ ref: refs.metrics() }]] : []),
  ];
}

/** Kubernetes expands `$(VAR)` in container command and args; `$$` is its escape for `$`. */
export const escapeKubernetes = (text: string): string => text.replaceAll('$', '$$$$');

/** Joins argument parts, escaping literal text with `escapeText` (references are the target's own syntax). */
export function renderArgument(parts: ArgPart[], escapeText: (text: string) => string): string {
  return parts.map((p) => ('ref' in p ? p.ref : escapeText(escapeKubernetes(p.text)))).join('');
}

/** Refuses text that would be read as a `{{…}}` placeholder by KFP or Argo (neither has an escape for it). */
export function refuseBraces(target: string, where: string): (text: string) => string {
  return (text) => {
    if (text.includes('{{')) {
      throw new ExportValueError(
        `${where}: ${JSON.stringify(text)} holds "{{", which ${target} would read as a placeholder`,
      );
    }
    return text;
  };
}

/** The image a step runs in: its own (Kale's `image:` tag, which must hold the step image's layout) or the export's. */
export const stepImage = (step: PipelineStep, image: string): string => step.image ?? image;

/** The entries as an object, with `escapeText` applied to every value (keys are Kubernetes names, never templated). */
export function mapValues(entries: [string, string][], escapeText: (text: string) => string): Record<string, string> {
  return Object.fromEntries(entries.map(([k, v]) => [k, escapeText(v)]));
}

/** A parameter's default as the text `--param NAME=VALUE` takes (STEP-CONTRACT.md). */
export function parameterText(p: PipelineParameter): string {
  if (p.type === 'json') return JSON.stringify(p.default);
  if (p.type === 'string') return typeof p.default === 'string' ? p.default : JSON.stringify(p.default);
  return String(p.default);
}

/** Steps sorted so that every step comes after its dependencies (ties in notebook order). */
export function stepsInOrder(spec: PipelineSpec): PipelineStep[] {
  const done = new Set<string>();
  const out: PipelineStep[] = [];
  while (out.length < spec.steps.length) {
    const next = spec.steps.find((s) => !done.has(s.name) && s.deps.every((d) => done.has(d)));
    if (!next) throw new ExportValueError(`pipeline "${spec.name}": the steps' dependencies form a cycle`);
    done.add(next.name);
    out.push(next);
  }
  return out;
}
