/**
 * `stillwater run DIR` starts the pipeline's first steps while the CLI loads
 * (runner/early-launch.ts, cli/early-run.ts). Observed through the built CLI: a
 * local module imported by the first step appends its process id to a log when
 * it is evaluated — once per process that boots the step.
 * Needs `npm run build -w @stillwater/kernel` first.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { earlyLaunchRequest } from '../../../kernel-lib/src/cli/early-run.js';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath } from '../../helpers/paths.js';

const exec = promisify(execFile);

async function compiled() {
  const { dir, nb } = writeNotebook('early', [
    code(['imports'], "import { bootedAt } from './mark.ts';"),
    code(['pipeline-parameters'], 'const k = 1;'),
    code(['step:first'], 'const firstBootedAt = bootedAt;\nconst x = k + 1;'),
    code(['step:second', 'prev:first'], 'const y = x * 10;'),
    code(['pipeline-metrics'], 'y\nfirstBootedAt'),
  ]);
  const log = path.join(dir, 'boots.log');
  writeFileSync(
    path.join(dir, 'mark.ts'),
    `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, process.pid + '\\n');\nexport const bootedAt = performance.timeOrigin;\n`,
  );
  const outDir = path.join(dir, 'compiled');
  await compileNotebook(nb, { outDir });
  const boots = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length : 0);
  return { dir, nb, outDir, boots };
}

async function run(args: string[], cwd: string) {
  try {
    const { stdout } = await exec(process.execPath, [cliPath, 'run', ...args, '--json'], { cwd });
    return {
      code: 0,
      events: stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return {
      code: err.code,
      events: err.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    };
  }
}

const finished = (events: Record<string, unknown>[]) => events.find((e) => e.type === 'run-finished');

describe('stillwater run starting the first steps early', () => {
  it('boots the first step before the run starts, and that process is the one that runs it', async () => {
    const { dir, outDir, boots } = await compiled();
    const { code: exit, events } = await run([outDir, '--home', path.join(dir, 'home'), '--no-cache'], dir);
    expect(exit).toBe(0);
    const end = finished(events) as { metrics: Record<string, number>; status: string };
    expect(end.status).toBe('done');
    expect(end.metrics.y).toBe(20);
    const runStarted = Date.parse(String(events.find((e) => e.type === 'run-started')!.time));
    expect(end.metrics.firstBootedAt).toBeLessThan(runStarted);
    // One process booted the step: the early one was claimed, not started again.
    expect(boots()).toBe(1);
  });

  it('does not start a step the cache will serve, nor with --only; a refused run leaves no process', async () => {
    const { dir, outDir, boots } = await compiled();
    const home = path.join(dir, 'home');
    expect((await run([outDir, '--home', home], dir)).code).toBe(0);
    expect(boots()).toBe(1);
    // Cached: nothing boots.
    const cached = await run([outDir, '--home', home], dir);
    expect(finished(cached.events)).toMatchObject({ status: 'done', steps: { first: 'cached', second: 'cached' } });
    expect(boots()).toBe(1);
    // A parameter the step uses changes its cache key: it boots early and runs, once.
    const changed = await run([outDir, '--home', home, '--param', 'k=2'], dir);
    expect(finished(changed.events)).toMatchObject({ status: 'done', metrics: { y: 30 } });
    expect(boots()).toBe(2);
    // --only: the run decides alone.
    expect((await run([outDir, '--home', home, '--only', 'first'], dir)).code).toBe(0);
    expect(boots()).toBe(3);
    // A run refused after the early start (the runner rejects a spec version the early start
    // does not check) ends at once — the step waiting for its command line does not keep the
    // CLI alive — and leaves no process behind.
    const spec = path.join(outDir, 'pipeline.json');
    writeFileSync(spec, JSON.stringify({ ...JSON.parse(readFileSync(spec, 'utf8')), specVersion: 999 }));
    const refused = await run([outDir, '--home', home, '--no-cache'], dir);
    expect(refused.code).not.toBe(0);
    const left = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n');
    expect(left.filter((l) => l.includes(path.join(outDir, 'steps')))).toEqual([]);
  });

  it("starts a notebook's first step early once its compile is up to date", async () => {
    const { dir, nb, boots } = await compiled();
    const args = [nb, '--home', path.join(dir, 'home'), '--no-cache'];
    // The first run compiles (nothing to start early), the second reuses that compile.
    const first = await run(args, dir);
    expect(finished(first.events)).toMatchObject({ status: 'done', metrics: { y: 20 } });
    const second = await run(args, dir);
    const end = finished(second.events) as { metrics: Record<string, number> };
    const runStarted = Date.parse(String(second.events.find((e) => e.type === 'run-started')!.time));
    expect(end.metrics.firstBootedAt).toBeLessThan(runStarted);
    expect(boots()).toBe(2);
  });
});

describe('what the early start reads of the command line', () => {
  const cwd = '/work';
  it('takes the pipeline, home, parameters, cache and concurrency', () => {
    expect(
      earlyLaunchRequest(['p', '--home', 'h', '--param', 'a=1', '--param=b=2', '--no-cache', '--json'], cwd),
    ).toEqual({
      target: '/work/p',
      home: '/work/h',
      params: { a: '1', b: '2' },
      cache: false,
      concurrency: expect.any(Number),
    });
    expect(earlyLaunchRequest(['--concurrency', '3', 'p'], cwd)?.concurrency).toBe(3);
    expect(earlyLaunchRequest(['nb.ipynb'], cwd)?.target).toBe('/work/nb.ipynb');
  });

  it('starts nothing for options that change what runs, or anything it does not know', () => {
    for (const args of [
      ['p', '--from', 'a'],
      ['p', '--only=a'],
      ['--resume', 'r1'],
      ['p', '--no-launch-ahead'],
      ['p', '--frobnicate'],
      ['p', 'q'],
      [],
      ['p', '--param', 'novalue'],
      ['p', '--concurrency', 'many'],
      ['p', '--home'],
    ]) {
      expect(earlyLaunchRequest(args, cwd), args.join(' ')).toBeUndefined();
    }
  });
});
