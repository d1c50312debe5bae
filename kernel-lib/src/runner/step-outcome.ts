/**
 * What a step attempt left behind, read by the run: the error its exit means (if
 * any), its declared outputs — each must exist, then moves into the artifact store —
 * and its metrics.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MarshalKind, PipelineStep } from '../pipeline/spec.js';
import type { ArtifactStore } from './artifact-store.js';
import type { StepExit } from './engine/engine.js';
import { MissingOutputError } from './errors.js';
import type { MetricValue, StepErrorInfo } from './events.js';
import { outOfMemoryError } from './out-of-memory.js';
import { parseStepError } from './step-contract.js';

const OUTPUT_EXTENSION: Record<MarshalKind, string> = {
  arrow: 'arrow',
  'delta-table': 'json',
  lakehouse: 'json',
  'xgboost-model': 'model',
  'structured-clone': 'v8',
};

/** Where a step attempt writes each output, inside its work folder `dir`. */
export function outputPaths(step: PipelineStep, dir: string): Record<string, string> {
  return Object.fromEntries(
    step.outputs.map((x) => [x.name, path.join(dir, `${x.name}.${OUTPUT_EXTENSION[x.marshal]}`)]),
  );
}

/** The error of a finished step attempt, or undefined when it succeeded. */
export function exitError(step: PipelineStep, p: StepExit): StepErrorInfo | undefined {
  const base = { exitCode: p.exitCode, signal: p.signal };
  if (p.spawnError)
    return { type: 'SpawnError', message: `could not start the step: ${p.spawnError.message}`, ...base };
  if (p.cancelled) return { type: 'Cancelled', message: 'cancelled while running', ...base };
  if (p.timedOut) {
    return {
      type: 'Timeout',
      message: `step \`${step.name}\` exceeded its timeout of ${step.timeoutSeconds}s and was killed`,
      ...base,
    };
  }
  const oom = outOfMemoryError(step.name, p, step.limits.memory);
  if (oom) return { ...oom, ...base };
  if (p.signal) {
    return { type: 'Signal', message: `step \`${step.name}\` was killed by ${p.signal}`, ...base };
  }
  if (p.exitCode !== 0) {
    const parsed = parseStepError(p.stderrTail);
    if (parsed.cell === undefined && !p.stderrTail.trim()) {
      return { type: 'Exit', message: `step \`${step.name}\` exited with code ${p.exitCode}`, ...base };
    }
    return { ...parsed, ...base };
  }
  return undefined;
}

/**
 * After a successful exit: every declared output must exist (else MissingOutputError);
 * the outputs move into the artifact store (table references as the step runtime pinned
 * them, STEP-CONTRACT.md). Returns output name → artifact hash.
 */
export async function collectOutputs(
  step: PipelineStep,
  outPaths: Record<string, string>,
  store: ArtifactStore,
): Promise<Record<string, string>> {
  for (const [name, file] of Object.entries(outPaths)) {
    try {
      await stat(file);
    } catch {
      throw new MissingOutputError(`step \`${step.name}\` exited 0 but did not write its output \`${name}\``);
    }
  }
  const refs = await Promise.all(Object.entries(outPaths).map(async ([n, f]) => [n, await store.put(f)] as const));
  return Object.fromEntries(refs.map(([n, r]) => [n, r.hash]));
}

/** The metrics a step wrote (`--metrics`); none when it wrote no file. */
export async function readMetrics(file: string): Promise<Record<string, MetricValue>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  const o = JSON.parse(text) as unknown;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return {};
  const out: Record<string, MetricValue> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    out[k] = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null ? v : String(v);
  }
  return out;
}
