/**
 * Repeating and finding runs from the CLI: `stillwater run --params-from RUN` re-runs
 * with that run's parameters (and reproduces its metrics), `--param` overrides one of
 * them; `stillwater runs list --status S --param NAME=VALUE` filters the history.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../../helpers/paths.js';
import { writeHandPipeline } from './contract-pipeline.js';

const exec = promisify(execFile);

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cliPath, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const finished = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
const started = (stdout: string) => JSON.parse(stdout.trim().split('\n')[0]!);
const listed = async (cwd: string, ...flags: string[]) =>
  (JSON.parse((await cli(['runs', 'list', '--json', ...flags], cwd)).stdout) as { runId: string }[]).map(
    (r) => r.runId,
  );

describe('stillwater run --params-from / runs list filters', () => {
  it('re-runs with an earlier run’s parameters and filters runs by status and parameter', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sw-rerun-'));
    const dir = writeHandPipeline(
      'rerun',
      [
        {
          name: 'a',
          metrics: ['score'],
          parameters: ['k', 'mode'],
          body: "if (Number(params.k) === 13) throw new Error('unlucky');\nreturn { metrics: { score: Number(params.k) * (params.mode === 'x2' ? 2 : 1) } };",
        },
      ],
      {
        parameters: [
          { name: 'k', type: 'number', default: 1, cell: 0 },
          { name: 'mode', type: 'string', default: 'x1', cell: 0 },
        ],
      },
    );
    const first = await cli(['run', dir, '--json', '--param', 'k=5', '--param', 'mode=x2'], cwd);
    expect(finished(first.stdout)).toMatchObject({ status: 'done', metrics: { score: 10 } });
    const firstId = started(first.stdout).runId;
    const failed = await cli(['run', dir, '--json', '--param', 'k=13'], cwd);
    expect(failed.code).toBe(1);
    const failedId = started(failed.stdout).runId;

    const again = await cli(['run', dir, '--json', '--no-cache', '--params-from', firstId], cwd);
    expect(started(again.stdout).params).toEqual({ k: 5, mode: 'x2' });
    expect(finished(again.stdout)).toMatchObject({ status: 'done', metrics: { score: 10 } });
    const againId = started(again.stdout).runId;
    const changed = await cli(['run', dir, '--json', '--params-from', firstId, '--param', 'k=2'], cwd);
    expect(started(changed.stdout).params).toEqual({ k: 2, mode: 'x2' });
    expect(finished(changed.stdout)).toMatchObject({ status: 'done', metrics: { score: 4 } });
    const changedId = started(changed.stdout).runId;

    expect(await listed(cwd, '--status', 'failed')).toEqual([failedId]);
    expect(await listed(cwd, '--status', 'done', '--param', 'k=5')).toEqual([againId, firstId]);
    expect(await listed(cwd, '--param', 'mode=x2', '--param', 'k=2.0')).toEqual([changedId]);
    expect(await listed(cwd, '--param', 'k=5', '--status', 'failed')).toEqual([]);

    const bad = await cli(['runs', 'list', '--status', 'finished'], cwd);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown run status "finished"');
    const missing = await cli(['run', dir, '--params-from', 'no-such-run'], cwd);
    expect(missing.code).toBe(1);
    expect(missing.stderr + missing.stdout).toContain('no run with id no-such-run');
  });
});
