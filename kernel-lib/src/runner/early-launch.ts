/**
 * Starting a run's first steps while the CLI is still loading. Between Node
 * having booted `stillwater run` and the runner starting the first step, the
 * CLI loads its command parser, the runner and the pipeline (~40 ms here). The
 * steps without dependencies can boot meanwhile: they are launched ahead
 * (STEP-CONTRACT.md, "Launching ahead") and wait for their command line. The
 * run then claims each one it executes with exactly these launch options
 * (launch-ahead.ts, `take`); whatever it does not claim is killed when the run
 * ends, so a wrong guess costs a little CPU, never a wrong execution.
 *
 * No step is started when it would likely not execute: a cache entry exists for
 * its cache key (cache.ts), computed as the run will.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PipelineSpec } from '../pipeline/spec.js';
import { cacheKey } from './cache.js';
import { homeLayout } from './home.js';
import { resolveParameters } from './params.js';
import { bundlePath } from './safe-paths.js';
import { PackageVersions, bundlePackages } from './step-packages.js';
import { type LaunchOptions, type StepProcess, launchStepProcess, runtimeReadsArgsFromStdin } from './step-process.js';
import { stepSetting } from './step-setting.js';

export interface EarlyLaunchRequest {
  /** The pipeline folder, its `pipeline.json`, or a notebook whose compile is up to date; absolute. */
  target: string;
  /** Stillwater home, absolute. */
  home: string;
  /** `--param` assignments, as text. */
  params: Record<string, string>;
  /** False for `--no-cache`. */
  cache: boolean;
  /** At most this many processes. */
  concurrency: number;
  env?: NodeJS.ProcessEnv;
}

const early = new Map<string, StepProcess>();

const keyOf = (launch: LaunchOptions) => JSON.stringify([launch.script, launch.cwd, launch.env, launch.nodeArgs ?? []]);

/**
 * Launches ahead the pipeline's steps that have no dependencies and would execute.
 * Never throws: anything unexpected (no pipeline, bad parameters) is left for the
 * run to report. Returns the steps launched.
 */
export async function launchFirstStepsEarly(request: EarlyLaunchRequest): Promise<string[]> {
  try {
    let target = request.target;
    if (target.endsWith('.ipynb')) {
      // Only when the run will reuse the compile as it is (compile-stamp.ts); compiling takes long anyway.
      const { upToDateCompile } = await import('./compile-stamp.js');
      const dir = await upToDateCompile(target, request.home);
      if (dir === undefined) return [];
      target = dir;
    }
    const file = target.endsWith('.json') ? target : path.join(target, 'pipeline.json');
    if (!existsSync(file)) return [];
    const spec = JSON.parse(readFileSync(file, 'utf8')) as PipelineSpec;
    const dir = path.dirname(file);
    if (!Array.isArray(spec.steps) || !Array.isArray(spec.parameters)) return [];
    const params = resolveParameters(spec.parameters, request.params);
    const cacheDir = homeLayout(request.home).cache;
    const setting = stepSetting(spec, dir, request.env ?? process.env);
    const versions = new PackageVersions();
    const launched: string[] = [];
    for (const step of spec.steps) {
      if (launched.length >= request.concurrency) break;
      if (step.deps.length > 0) continue;
      const launch: LaunchOptions = { script: bundlePath(dir, step), ...setting };
      const bundle = readBundle(launch.script);
      if (bundle === undefined || !runtimeReadsArgsFromStdin(bundle)) continue;
      if (request.cache && step.cache) {
        const key = cacheKey({
          step: step.name,
          bundleHash: step.hash,
          inputs: {},
          params: Object.fromEntries(step.parameters.map((p) => [p, params[p]])),
          outputs: step.outputs.map((o) => o.name),
          packages: versions.of(bundlePackages(bundle), path.dirname(launch.script)),
        });
        if (existsSync(path.join(cacheDir, `${key}.json`))) continue;
      }
      early.set(keyOf(launch), launchStepProcess(launch));
      launched.push(step.name);
    }
    return launched;
  } catch {
    return [];
  }
}

/** A bundle's text; undefined when missing (the run reports it). */
function readBundle(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The early process started with exactly these options, handed over once. */
export function claimEarlyLaunch(launch: LaunchOptions): StepProcess | undefined {
  if (early.size === 0) return undefined;
  const key = keyOf(launch);
  const p = early.get(key);
  early.delete(key);
  return p;
}

/** Kills every early process no run claimed. */
export function discardEarlyLaunches(): void {
  for (const p of early.values()) p.discard();
  early.clear();
}
