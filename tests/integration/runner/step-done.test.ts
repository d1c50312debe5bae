/**
 * `done` on the signal pipe (STEP-CONTRACT.md, `STILLWATER_SIGNAL_FD`): a step that
 * has succeeded says so before Node tears itself down, and the runner takes it as
 * ended — exit 0, with all its output — as soon as its stdout and stderr are at end
 * of file, killing the process instead of waiting for it to exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { ProcessGroups } from '../../../kernel-lib/src/runner/engine/local/process-groups.js';
import { launchStepProcess } from '../../../kernel-lib/src/runner/engine/local/step-process.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath } from '../../helpers/paths.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntilGone(pid: number, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

/**
 * A hand-written step following the contract's last moments, then lingering for a
 * minute (a stand-in for a slow teardown) with a child process in its group.
 */
function lingeringStep(dir: string, { sayDone }: { sayDone: boolean }): { script: string; pids: string } {
  const script = path.join(dir, `lingering-${sayDone}.mjs`);
  const pids = path.join(dir, `lingering-${sayDone}.pids`);
  writeFileSync(
    script,
    `import { closeSync, writeFileSync, writeSync } from 'node:fs';
import { spawn } from 'node:child_process';
const fd = Number(process.env.STILLWATER_SIGNAL_FD);
writeSync(fd, 'ready\\n');
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(pids)}, JSON.stringify([process.pid, child.pid]));
console.log('last words on stdout');
console.error('last words on stderr');
${sayDone ? "closeSync(1);\ncloseSync(2);\nwriteSync(fd, 'done\\n');" : ''}
setTimeout(() => {}, 60000);
`,
  );
  return { script, pids };
}

/** The process groups of the step processes these tests start directly. */
const groups = new ProcessGroups();
afterAll(() => groups.close());

describe('a step saying done', () => {
  it('has ended with exit 0 and all its output once stdout and stderr close; its group is killed', async () => {
    const { dir } = writeNotebook('done-signal', []);
    const { script, pids } = lingeringStep(dir, { sayDone: true });
    const output: string[] = [];
    const started = Date.now();
    const result = await launchStepProcess({ script, cwd: dir }, groups, []).run([], {
      onOutput: (_stream, text) => output.push(text),
    });
    // The script would linger for a minute: the runner did not wait for its process to end.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, cancelled: false });
    expect(output.join('')).toContain('last words on stdout');
    expect(result.stderrTail).toContain('last words on stderr');
    const [stepPid, childPid] = JSON.parse(readFileSync(pids, 'utf8')) as [number, number];
    expect(await waitUntilGone(stepPid)).toBe(true);
    expect(await waitUntilGone(childPid)).toBe(true);
  });

  it('without done, the exit status decides (here: a timeout kills the lingering step)', async () => {
    const { dir } = writeNotebook('no-done-signal', []);
    const { script, pids } = lingeringStep(dir, { sayDone: false });
    const result = await launchStepProcess({ script, cwd: dir }, groups, []).run([], { timeoutMs: 1500 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    const [stepPid, childPid] = JSON.parse(readFileSync(pids, 'utf8')) as [number, number];
    expect(await waitUntilGone(stepPid)).toBe(true);
    expect(await waitUntilGone(childPid)).toBe(true);
  });

  it("runs the notebook's exit handlers and delivers all output before the step counts as done", async () => {
    // Steps run in the notebook's folder: the cells name their files relative to it.
    // 300 KB of stdout: several times a pipe's buffer, so it cannot all be sitting in
    // the pipe when the step finishes; the last line must still arrive.
    const { dir, nb } = writeNotebook('done-runtime', [
      code(
        ['step:talk'],
        `import { writeFileSync } from 'node:fs';\n` +
          `process.on('exit', () => writeFileSync('exit-handler-ran', String(Date.now())));\n` +
          `for (let i = 0; i < 3000; i++) console.log('line ' + i + ' ' + 'x'.repeat(90));\n` +
          `console.log('the end');\nconst said = 1;`,
      ),
      code(['step:after', 'prev:talk'], 'const heard = said + 1;'),
      code(['pipeline-metrics'], 'heard'),
    ]);
    const marker = path.join(dir, 'exit-handler-ran');
    const outDir = path.join(dir, 'compiled');
    await compileNotebook(nb, { outDir });
    const h = runPipeline(outDir, { home: path.join(dir, 'home'), cache: false });
    const events: RunEvent[] = [];
    let markerAtDone: boolean | undefined;
    for await (const e of h) {
      events.push(e);
      if (e.type === 'step' && e.step === 'talk' && e.status === 'done') {
        markerAtDone = existsSync(marker);
      }
    }
    const result = await h.result;
    expect(result.status).toBe('done');
    expect(result.metrics.heard).toBe(2);
    expect(markerAtDone).toBe(true);
    const stdout = events
      .filter(
        (e): e is Extract<RunEvent, { type: 'log' }> => e.type === 'log' && e.step === 'talk' && e.stream === 'stdout',
      )
      .map((e) => e.text)
      .join('');
    expect(stdout.split('\n').filter((l) => l.startsWith('line '))).toHaveLength(3000);
    expect(stdout.trimEnd().endsWith('the end')).toBe(true);
    // The log events of a step all come before its `done` event.
    const doneAt = events.findIndex((e) => e.type === 'step' && e.step === 'talk' && e.status === 'done');
    const lastLog = events.findLastIndex((e) => e.type === 'log' && e.step === 'talk');
    expect(lastLog).toBeLessThan(doneAt);
  });

  it('a step whose runner is killed outright ends itself, and what it started, within seconds', async () => {
    const { dir, nb } = writeNotebook('runner-killed', [
      code(
        ['step:long'],
        `import { spawn } from 'node:child_process';\nimport { writeFileSync } from 'node:fs';\n` +
          `const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });\n` +
          `writeFileSync('pids.json', JSON.stringify([process.pid, child.pid]));\n` +
          'await new Promise((r) => setTimeout(r, 60000));\nconst finished = 1;',
      ),
      code(['pipeline-metrics'], 'finished'),
    ]);
    const pids = path.join(dir, 'pids.json');
    const outDir = path.join(dir, 'compiled');
    await compileNotebook(nb, { outDir });
    const cli = spawn(process.execPath, [cliPath, 'run', outDir, '--home', path.join(dir, 'home'), '--json'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const t0 = Date.now();
    while (!existsSync(pids) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    const [stepPid, childPid] = JSON.parse(readFileSync(pids, 'utf8')) as [number, number];
    cli.kill('SIGKILL');
    expect(await waitUntilGone(stepPid)).toBe(true);
    expect(await waitUntilGone(childPid)).toBe(true);
  });
});
