/**
 * `stillwater image`: with no Docker daemon here, self-containment is shown instead — the
 * context copied to an empty folder outside the repository, installed from its own
 * lockfile (`npm ci`), and every turbofan step run from there through the step entry
 * contract, as the exports run them, giving the same metrics as `stillwater run`.
 */
import { execFile } from 'node:child_process';
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stepArguments, stepsInOrder } from '../../../kernel-lib/src/export/container.js';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { cliPath, freshOutDir, repoRoot } from '../../helpers/paths.js';

const run = promisify(execFile);
const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe('stillwater image', () => {
  it('runs every turbofan step from a clean copy of its context with the metrics of `stillwater run`', async () => {
    const ws = freshOutDir('image-');
    cleanup.push(ws);
    copyFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), path.join(ws, 'turbofan.ipynb'));
    const { stdout } = await run(
      process.execPath,
      [cliPath, 'run', 'turbofan.ipynb', '--home', path.join(ws, 'home'), '--json'],
      { cwd: ws, maxBuffer: 64 * 1024 * 1024 },
    );
    const finished = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'run-finished');
    expect(finished.status).toBe('done');

    const ctx = path.join(ws, 'context');
    const made = JSON.parse(
      (await run(process.execPath, [cliPath, 'image', 'turbofan.ipynb', '-o', ctx, '--json'], { cwd: ws })).stdout,
    );
    expect(Object.keys(made.packages).sort()).toEqual(['ml-xgboost', 'parquet-wasm']);
    const dockerfile = readFileSync(path.join(ctx, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-[a-z]+-slim$/m);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);

    // An empty folder outside the repository: nothing of the workspace's node_modules is reachable.
    const clean = mkdtempSync(path.join(os.tmpdir(), 'stillwater-image-'));
    cleanup.push(clean);
    cpSync(ctx, clean, { recursive: true });
    await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: clean, timeout: 240_000 });
    const resolved = createRequire(path.join(clean, 'pipeline', 'steps', 'x.mjs')).resolve('parquet-wasm');
    expect(resolved.startsWith(clean)).toBe(true);

    const spec = JSON.parse(readFileSync(path.join(clean, 'pipeline', 'pipeline.json'), 'utf8')) as PipelineSpec;
    const work = path.join(clean, 'work');
    mkdirSync(work);
    const file = (step: string, name: string) => path.join(clean, 'artifacts', step, name);
    const metrics: Record<string, number> = {};
    for (const step of stepsInOrder(spec)) {
      // The exports' command line for the step, with this folder for the image's paths.
      const args = stepArguments(step, {
        input: (i) => file(i.from, i.name),
        output: (o) => file(step.name, o.name),
        param: (name) => {
          const p = spec.parameters.find((q) => q.name === name)!;
          return p.type === 'string' ? String(p.default) : JSON.stringify(p.default);
        },
        metrics: () => path.join(clean, `${step.name}.metrics.json`),
      }).map((parts) => parts.map((p) => ('ref' in p ? p.ref : p.text)).join(''));
      args[1] = path.join(clean, 'pipeline', step.bundle);
      await run(args[0]!, args.slice(1), {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: clean, STILLWATER_LAKEHOUSE_ROOT: path.join(clean, 'lakehouse') },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (step.metrics.length > 0) {
        Object.assign(metrics, JSON.parse(readFileSync(path.join(clean, `${step.name}.metrics.json`), 'utf8')));
      }
    }
    console.log(`image context: ${JSON.stringify(metrics)}; stillwater run: ${JSON.stringify(finished.metrics)}`);
    expect(metrics).toEqual(finished.metrics);
  }, 600_000);
});
