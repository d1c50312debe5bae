/**
 * The built `stillwater run` / `stillwater runs` commands as a user calls them:
 * JSON event lines, exit codes, run history after three runs (also read back
 * with `stillwater table read`), and Ctrl-C cancelling a run cleanly.
 * Needs `npm run build -w @stillwater/kernel` first.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../../helpers/paths.js';
import { writeHandPipeline } from './contract-pipeline.js';

const exec = promisify(execFile);

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const params = [{ name: 'k', type: 'number' as const, default: 1, cell: 0 }];

describe('stillwater run / runs', () => {
  it('runs, lists 3 runs, shows and compares them, and the history reads back with table read', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
    const dir = writeHandPipeline(
      'cli',
      [
        { name: 'a', outputs: ['x'], parameters: ['k'], body: 'return { outputs: { x: Number(params.k ?? 1) } };' },
        {
          name: 'b',
          deps: ['a'],
          inputs: [{ name: 'x', from: 'a' }],
          metrics: ['double'],
          body: 'return { metrics: { double: inputs.x * 2 } };',
        },
      ],
      { parameters: params },
    );

    const first = await cli(['run', dir, '--json'], cwd);
    expect(first.code).toBe(0);
    const events = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0].type).toBe('run-started');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'done', metrics: { double: 2 } });

    const second = await cli(['run', dir, '--param', 'k=4'], cwd);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/a done in/);
    expect(second.stdout).toMatch(/metrics: double=8/);
    const third = await cli(['run', dir], cwd);
    expect(third.stdout).toMatch(/a cached \(cached from run/);

    const bad = await cli(['run', dir, '--param', 'k=oops', '--json'], cwd);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      error: { type: 'ParameterError', message: 'parameter `k` expects a number, got `oops`' },
    });

    const list = await cli(['runs', 'list', '--json'], cwd);
    const runs = JSON.parse(list.stdout) as { runId: string; status: string; params: { k: number } }[];
    expect(runs).toHaveLength(3);
    expect(runs.map((r) => r.params.k)).toEqual([1, 4, 1]);

    const show = JSON.parse((await cli(['runs', 'show', runs[1]!.runId, '--json'], cwd)).stdout);
    expect(show.run.metrics).toEqual({ double: 8 });
    expect(show.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual([
      'a:done',
      'b:done',
    ]);

    const compare = JSON.parse((await cli(['runs', 'compare', runs[2]!.runId, runs[1]!.runId, '--json'], cwd)).stdout);
    expect(compare.params).toEqual([{ name: 'k', a: 1, b: 4, changed: true }]);
    expect(compare.metrics).toEqual([{ name: 'double', a: 2, b: 8, delta: 6 }]);
    const human = await cli(['runs', 'compare', runs[2]!.runId, runs[1]!.runId], cwd);
    expect(human.stdout).toContain('* k: 1 → 4');

    const missing = await cli(['runs', 'show', 'nope'], cwd);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('RunNotFoundError: no run with id nope');

    const table = await cli(['table', 'read', path.join(cwd, '.stillwater', 'history', 'runs')], cwd);
    const rows = table.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r: { run_id: string }) => r.run_id).sort()).toEqual(runs.map((r) => r.runId).sort());
    const steps = await cli(['table', 'read', path.join(cwd, '.stillwater', 'history', 'step_executions')], cwd);
    expect(steps.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('--resume RUN_ID alone finds the pipeline in the history and finishes the run', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
    const gate = path.join(cwd, 'gate');
    const dir = writeHandPipeline('gated', [
      { name: 'a', outputs: ['x'], body: 'return { outputs: { x: 1 } };' },
      {
        name: 'b',
        deps: ['a'],
        inputs: [{ name: 'x', from: 'a' }],
        body: `if (!(await import('node:fs')).existsSync(${JSON.stringify(gate)})) throw new Error('gate closed');\nreturn {};`,
        cell: 2,
      },
    ]);
    const failed = await cli(['run', dir], cwd);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout, failed.stderr).toContain('b failed');
    expect(failed.stdout).toContain('Error: gate closed (cell 2, line 1)');
    const runId = failed.stdout.match(/^run (\S+):/)![1]!;
    writeFileSync(gate, '');
    const resumed = await cli(['run', '--resume', runId], cwd);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`a cached (resumed from run ${runId})`);
    expect(resumed.stdout).toContain('b done');
  });

  it('Ctrl-C kills the running step and records the run as cancelled', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
    const pidFile = path.join(cwd, 'step.pid');
    const dir = writeHandPipeline('sleepy', [
      {
        name: 'sleepy',
        body: `(await import('node:fs')).writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nawait new Promise((r) => setTimeout(r, 60000));`,
      },
    ]);
    const child = spawn(process.execPath, [cliPath, 'run', dir, '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const t0 = Date.now();
    while (!existsSync(pidFile) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    const stepPid = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    const last = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'run-finished', status: 'cancelled', steps: { sleepy: 'cancelled' } });
    expect(() => process.kill(stepPid, 0)).toThrow();
    const runs = JSON.parse((await cli(['runs', 'list', '--json'], cwd)).stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('cancelled');
  });
});
