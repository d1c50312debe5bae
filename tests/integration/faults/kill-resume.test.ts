/**
 * Fault: the runner killed outright (issue 12, item 2). `stillwater run` of a real
 * multi-step pipeline (a diamond a → b, c → d; b leaves a `sleep` of its own running in its
 * process group) is killed with SIGKILL at a random moment between its `run-started` event
 * and the end of its last step, ten times. Each time:
 * - no step process (nor anything a step started) is alive 2 s after the kill (/proc);
 * - `runs list` shows the run `interrupted` (its owner is gone), not `running`, not absent;
 * - `run --resume RUN` finishes it `done`, with the metrics of an uninterrupted run, and does
 *   not execute again the steps the killed run finished.
 * Every run is `--no-cache`, so only the resume decides what is not executed again.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import type { RunRecord } from '../../../kernel-lib/src/runner/records.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath } from '../../helpers/paths.js';
import { runCli } from './cli-process.js';

const TRIALS = 10;
/** Each step computes for this long, so a kill can land inside any of them. */
const STEP_MS = 200;
/** A duration unlikely to be another program's `sleep` argument: marks b's own child. */
const CHILD_SLEEP = '47.31';

const busy = (name: string, value: string) =>
  `const t0_${name} = Date.now();\nwhile (Date.now() - t0_${name} < ${STEP_MS}) {}\nconst ${name} = ${value};`;

const notebook = () =>
  writeNotebook('kill-resume', [
    code(['pipeline-parameters'], 'const base = 7;'),
    code(['step:a'], busy('aValue', 'base * 3')),
    code(
      ['step:b', 'prev:a'],
      "import { spawn } from 'node:child_process';\n" +
        `spawn('sleep', ['${CHILD_SLEEP}'], { stdio: 'ignore' });\n` +
        busy('bValue', 'aValue + 100'),
    ),
    code(['step:c', 'prev:a'], busy('cValue', 'aValue * 2')),
    code(['step:d', 'prev:b', 'prev:c'], busy('dValue', 'bValue * 1000 + cValue')),
    code(['pipeline-metrics'], 'aValue\nbValue\ncValue\ndValue'),
  ]);

type Finished = Extract<RunEvent, { type: 'run-finished' }>;

const parseEvents = (stdout: string): RunEvent[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunEvent);

/** Pids of live (not zombie) processes whose command line contains `needle`. */
function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes(needle)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      found.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** Step processes (their bundles live under `stepsDir`) and b's child, alive right now. */
const survivors = (stepsDir: string) => [...processesWith(stepsDir), ...processesWith(`sleep ${CHILD_SLEEP}`)];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface KilledRun {
  runId: string;
  /** Milliseconds after `run-started` the kill came. */
  killedAfterMs: number;
  /** Steps the run reported `done` before the kill. */
  doneBeforeKill: string[];
  /** Step processes alive just before the kill. */
  aliveAtKill: number;
  /** Survivors of the kill, polled until none is left or 2 s have passed. */
  survivorsAfter2s: number[];
}

/**
 * A moment of a run, drawn at random: `delayMs` after its `afterDone`-th step ended (0: after
 * `run-started`). Steps compute for STEP_MS of wall time whatever the load, so a delay below
 * that still falls before the last step ends — the kill always interrupts the run.
 */
interface KillMoment {
  afterDone: number;
  delayMs: number;
}

/** Starts `stillwater run` and kills it with SIGKILL at `moment`. */
function killRunAt(args: string[], cwd: string, moment: KillMoment, stepsDir: string): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let runId: string | undefined;
    let startedAt = 0;
    let armed = false;
    let finished = false;
    let stderr = '';
    const events = () => parseEvents(out.slice(0, out.lastIndexOf('\n') + 1));
    const kill = async () => {
      if (finished) return reject(new Error(`the run ended before the kill (${JSON.stringify(moment)})`));
      const aliveAtKill = survivors(stepsDir).length;
      child.kill('SIGKILL');
      const killedAt = performance.now();
      let left = survivors(stepsDir);
      while (left.length > 0 && performance.now() - killedAt < 2000) {
        await sleep(50);
        left = survivors(stepsDir);
      }
      const doneBeforeKill = events()
        .filter((e) => e.type === 'step' && e.status === 'done')
        .map((e) => (e as Extract<RunEvent, { type: 'step' }>).step);
      resolve({
        runId: runId!,
        killedAfterMs: Math.round(killedAt - startedAt),
        doneBeforeKill,
        aliveAtKill,
        survivorsAfter2s: left,
      });
    };
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const seen = events();
      const started = seen.find((e) => e.type === 'run-started');
      if (started && runId === undefined) {
        runId = started.runId;
        startedAt = performance.now();
      }
      finished = seen.some((e) => e.type === 'run-finished');
      const done = seen.filter((e) => e.type === 'step' && e.status === 'done').length;
      if (runId !== undefined && !armed && done >= moment.afterDone) {
        armed = true;
        setTimeout(kill, moment.delayMs);
      }
    });
    child.on('close', (codeOrNull) => {
      if (runId === undefined) reject(new Error(`run ended (${codeOrNull}) before run-started: ${stderr}`));
    });
  });
}

describe('a runner killed with SIGKILL', () => {
  it(`is listed interrupted and resumes to the same metrics (${TRIALS} random kills)`, {
    timeout: 240_000,
  }, async () => {
    const { dir } = notebook();
    const home = path.join(dir, 'home');
    const compiled = await runCli(['compile', 'kill-resume.ipynb', '--out', 'kill-resume.pipeline'], dir);
    expect(compiled.code, compiled.stderr).toBe(0);
    const pipeline = path.join(dir, 'kill-resume.pipeline');
    const stepsDir = path.join(pipeline, 'steps');
    const common = ['--json', '--no-cache', '--home', home];

    // The uninterrupted run: its metrics.
    const clean = await runCli(['run', pipeline, ...common], dir);
    expect(clean.code, clean.stderr).toBe(0);
    const cleanEvents = parseEvents(clean.stdout);
    const cleanFinished = cleanEvents.at(-1) as Finished;
    expect(cleanFinished.metrics).toEqual({ aValue: 21, bValue: 121, cValue: 42, dValue: 121042 });
    // Ten kills first: each run's step processes must be gone within 2 s of its kill.
    const killedRuns: KilledRun[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const moment = { afterDone: Math.floor(Math.random() * 4), delayMs: Math.floor(Math.random() * 0.75 * STEP_MS) };
      const killed = await killRunAt(['run', pipeline, ...common], dir, moment, stepsDir);
      expect(killed.survivorsAfter2s, `trial ${t}: step processes alive 2 s after the kill`).toEqual([]);
      killedRuns.push(killed);
    }
    // Every killed run is listed, as interrupted: its owner is gone.
    const listed = await runCli(['runs', 'list', '--json', '--home', home], dir);
    expect(listed.code, listed.stderr).toBe(0);
    const before = JSON.parse(listed.stdout) as RunRecord[];
    for (const k of killedRuns) {
      const status = before.find((r) => r.runId === k.runId)?.status;
      expect(status, `run killed ${k.killedAfterMs} ms after run-started`).toBe('interrupted');
    }

    // Each resumes to the metrics of the uninterrupted run. The first resume to end records the
    // other killed runs in the history (from their journals), so both ways of finding one are used.
    const trials: Array<KilledRun & { resumed: string[] }> = [];
    for (const [t, killed] of killedRuns.entries()) {
      const resume = await runCli(['run', '--resume', killed.runId, ...common], dir);
      expect(resume.code, resume.stderr).toBe(0);
      const events = parseEvents(resume.stdout);
      const finished = events.at(-1) as Finished;
      expect(finished.type).toBe('run-finished');
      expect(finished.status).toBe('done');
      expect(finished.metrics).toEqual(cleanFinished.metrics);
      const resumed = events
        .filter((e) => e.type === 'step' && e.status === 'cached' && e.reason === `resumed from run ${killed.runId}`)
        .map((e) => (e as Extract<RunEvent, { type: 'step' }>).step)
        .sort();
      // Every step the killed run said it finished is journaled, so it is not executed again.
      expect(resumed, `trial ${t}: steps the killed run finished are not executed again`).toEqual(
        expect.arrayContaining(killed.doneBeforeKill),
      );
      trials.push({ ...killed, resumed });
    }

    // The killed runs are in the history as interrupted, each resumed by a run that is done.
    const all = JSON.parse((await runCli(['runs', 'list', '--json', '--home', home], dir)).stdout) as RunRecord[];
    for (const t of trials) {
      expect(all.find((r) => r.runId === t.runId)?.status).toBe('interrupted');
      expect(all.find((r) => r.resumeOf === t.runId)?.status).toBe('done');
    }
    // Kills landed at different moments: before any step ended, and after some had.
    console.log(
      'kill-resume trials (ms after run-started / step processes alive at the kill / steps resumed):',
      trials.map((t) => `${t.killedAfterMs}/${t.aliveAtKill}/${t.resumed.length}`).join(' '),
    );
    expect(new Set(trials.map((t) => t.resumed.length)).size).toBeGreaterThan(1);
  });
});
