/**
 * The cache decision for one step: its cache key, and whether an earlier result —
 * of the run being resumed, or in the cache — may stand in for executing it. A result
 * is reusable while its artifacts exist, the Delta versions its table references pin
 * are current (table-refs.ts), and what its code read besides its inputs is unchanged
 * (input-trace.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineStep } from '../pipeline/spec.js';
import type { ArtifactStore } from './artifact-store.js';
import { type CacheEntry, type CacheIndex, cacheKey } from './cache.js';
import type { MetricValue } from './events.js';
import { type TracedReads, checkTracedReads } from './input-trace.js';
import type { StepExecutionRecord } from './records.js';
import { bundlePath } from './safe-paths.js';
import { PackageVersions, bundlePackages } from './step-packages.js';
import { isReferenceKind, referenceStillCurrent } from './table-refs.js';

/** A result that stands in for executing the step. */
export interface Reuse {
  outputs: Record<string, string>;
  metrics: Record<string, MetricValue>;
  tracedInputs: TracedReads | null;
  reason: string;
}

export interface ReuseContext {
  pipelineDir: string;
  store: ArtifactStore;
  cache: CacheIndex;
  /** Where steps run, and with which environment (what a traced read is checked against). */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export class StepReuse {
  private readonly packageVersions = new PackageVersions();

  constructor(private readonly ctx: ReuseContext) {}

  /** The cache key of `step` with these inputs and parameter values. */
  async keyOf(step: PipelineStep, inputs: Record<string, string>, params: Record<string, unknown>): Promise<string> {
    return cacheKey({
      step: step.name,
      bundleHash: step.hash,
      inputs,
      params,
      outputs: step.outputs.map((x) => x.name),
      packages: await this.packagesOf(step),
    });
  }

  /** The resumed run's execution of the step, if it still holds; else why not (or nothing). */
  async fromResumed(prior: StepExecutionRecord | undefined, key: string): Promise<Reuse | string | undefined> {
    if (!prior || prior.cacheKey !== key || !(await this.allPresent(prior.outputs))) return undefined;
    const changed = await this.changedRead(prior.tracedInputs);
    if (changed) return changed;
    const tracedInputs = prior.tracedInputs ?? null;
    return { outputs: prior.outputs, metrics: prior.metrics, tracedInputs, reason: `resumed from run ${prior.runId}` };
  }

  /** The cache's entry for `key`, if it still holds; else why not (or nothing). */
  async fromCache(step: PipelineStep, key: string): Promise<Reuse | string | undefined> {
    const hit = await this.ctx.cache.lookup(key, this.ctx.store);
    if (!hit || !(await this.referencesCurrent(step, hit.outputs))) return undefined;
    const changed = await this.changedRead(hit.traced, (refreshed) =>
      this.ctx.cache.record({ ...hit, traced: refreshed }),
    );
    if (changed) return changed;
    return {
      outputs: hit.outputs,
      metrics: hit.metrics,
      tracedInputs: hit.traced ?? null,
      reason: `cached from run ${hit.runId}`,
    };
  }

  /** Remembers a successful execution in the cache. */
  record(entry: CacheEntry): Promise<void> {
    return this.ctx.cache.record(entry);
  }

  /**
   * Why what an earlier execution read (input-trace.ts) no longer holds, or undefined.
   * `onRefreshed` gets the trace with new stats of files touched but unchanged.
   */
  private async changedRead(
    traced: TracedReads | null | undefined,
    onRefreshed?: (t: TracedReads) => Promise<void>,
  ): Promise<string | undefined> {
    if (!traced) return undefined;
    const check = await checkTracedReads(traced, this.ctx.env, this.ctx.cwd);
    if (check.refreshed) await onRefreshed?.(check.refreshed);
    return check.changed;
  }

  /** The installed versions of the packages the step's bundle imports (step-packages.ts). */
  private async packagesOf(step: PipelineStep): Promise<Record<string, string>> {
    const bundle = bundlePath(this.ctx.pipelineDir, step);
    const text = await readFile(bundle, 'utf8').catch(() => '');
    return this.packageVersions.of(bundlePackages(text), path.dirname(bundle));
  }

  /** Table/lakehouse outputs are only reusable while the data they point at is unchanged (table-refs.ts). */
  private async referencesCurrent(step: PipelineStep, outputs: Record<string, string>): Promise<boolean> {
    for (const o of step.outputs) {
      const hash = outputs[o.name];
      if (!isReferenceKind(o.marshal) || hash === undefined) continue;
      if (!(await referenceStillCurrent(await this.ctx.store.localPath(hash)))) return false;
    }
    return true;
  }

  private async allPresent(outputs: Record<string, string>): Promise<boolean> {
    for (const h of Object.values(outputs)) if (!(await this.ctx.store.has(h))) return false;
    return true;
  }
}
