/**
 * A minimal local driver for compiled pipelines, implementing the caller's side
 * of STEP-CONTRACT.md with nothing but `node <bundle>`: steps run one at a time
 * in dependency order, each output written under `workDir/<step>/<name>`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type PipelineSpec, topologicalOrder } from '../../../kernel-lib/src/pipeline/index.js';

const run = promisify(execFile);

export interface StepRun {
  stdout: string;
  stderr: string;
  metrics?: Record<string, number>;
}

export async function runSteps(
  outDir: string,
  spec: PipelineSpec,
  workDir: string,
  params: Record<string, string> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<Map<string, StepRun>> {
  const cwd = path.dirname(path.resolve(outDir, spec.notebook));
  const byName = new Map(spec.steps.map((s) => [s.name, s]));
  const results = new Map<string, StepRun>();
  for (const name of topologicalOrder(spec.steps)) {
    const step = byName.get(name)!;
    const args = [path.join(outDir, step.bundle)];
    for (const i of step.inputs) args.push('--in', `${i.name}=${path.join(workDir, i.from, i.name)}`);
    for (const o of step.outputs) args.push('--out', `${o.name}=${path.join(workDir, name, o.name)}`);
    for (const p of step.parameters) if (p in params) args.push('--param', `${p}=${params[p]}`);
    const metricsPath = path.join(workDir, name, 'metrics.json');
    if (step.metrics.length > 0) {
      mkdirSync(path.dirname(metricsPath), { recursive: true });
      args.push('--metrics', metricsPath);
    }
    const { stdout, stderr } = await run(process.execPath, args, { cwd, env: { ...process.env, ...env } });
    results.set(name, {
      stdout,
      stderr,
      ...(step.metrics.length > 0 ? { metrics: JSON.parse(readFileSync(metricsPath, 'utf8')) } : {}),
    });
  }
  return results;
}

/** The `RESULT …` lines a fixture prints, in order. */
export function resultLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('RESULT '));
}
