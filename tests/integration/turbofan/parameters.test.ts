/**
 * Issue 11 item 5: every documented parameter of the turbofan example works across
 * its range through `stillwater run` (examples/turbofan/README.md, "Parameters").
 * One workspace, one ingest: the matrix points run `--from prepare` / `--from train`
 * on it, and pair the edges of several ranges per run to keep the file short.
 * A small XGBoost (20 rounds) everywhere but the XGB_PARAMS points: training is not
 * what is under test. Needs the built CLI (`npm run build`).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTurbofan, writeTurbofan } from '../../../kernel-lib/src/data/index.js';
import type { LogEvent, RunEvent, RunFinishedEvent, StepEvent } from '../../../kernel-lib/src/runner/events.js';
import { cliPath, freshOutDir, repoRoot } from '../../helpers/paths.js';

const exec = promisify(execFile);
const SEED = 7;
const FAST_XGB = JSON.stringify({ objective: 'binary:logistic', eta: 0.3, max_depth: 3, rounds: 20 });

let dir: string;

interface Run {
  code: number;
  events: RunEvent[];
  finished: RunFinishedEvent;
  failed: (step: string) => StepEvent | undefined;
  log: (step: string) => string;
}

/** `stillwater run turbofan.ipynb --json --param …` in the workspace. */
async function stillwaterRun(params: Record<string, string | number>, ...extra: string[]): Promise<Run> {
  const args = [cliPath, 'run', 'turbofan.ipynb', '--home', 'home', '--json', ...extra];
  for (const [k, v] of Object.entries(params)) args.push('--param', `${k}=${v}`);
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await exec(process.execPath, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }));
  } catch (e) {
    ({ code, stdout } = e as { code: number; stdout: string });
  }
  const events = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunEvent);
  return {
    code,
    events,
    finished: events.find((e): e is RunFinishedEvent => e.type === 'run-finished')!,
    failed: (step) => events.find((e): e is StepEvent => e.type === 'step' && e.step === step && e.status === 'failed'),
    log: (step) =>
      events
        .filter((e): e is LogEvent => e.type === 'log' && e.step === step)
        .map((e) => e.text)
        .join(''),
  };
}

/** The run finished and its metrics are real numbers. */
function expectDone(run: Run): void {
  expect(
    run.finished.status,
    JSON.stringify(run.events.filter((e) => e.type === 'step' && e.status === 'failed')),
  ).toBe('done');
  for (const k of ['f1', 'auc', 'precision', 'recall']) {
    expect(Number.isFinite(run.finished.metrics[k]), `${k}=${run.finished.metrics[k]}`).toBe(true);
  }
  expect(run.finished.metrics.auc).toBeGreaterThan(0.5);
}

/** Column names of a Delta table, read with `stillwater table describe`. */
async function columns(table: string): Promise<string[]> {
  const { stdout } = await exec(process.execPath, [cliPath, 'table', 'describe', `lakehouse/${table}`, '--json'], {
    cwd: dir,
  });
  return (JSON.parse(stdout) as { schema: { fields: { name: string }[] } }).schema.fields.map((f) => f.name);
}

/** 1-based line of the turbofan prepare cell (cell 7) holding `text`. */
function prepareLine(text: string): number {
  const nb = JSON.parse(readFileSync(path.join(dir, 'turbofan.ipynb'), 'utf8')) as { cells: { source: string[] }[] };
  return (
    nb.cells[7]!.source.join('')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

// The smallest remaining life in the test split of the simulator's SEED data: WINDOW's lower edge.
const rul = simulateTurbofan({ seed: SEED }).rul.getChild('rul')!.toArray() as Int32Array;
const nearest = rul.reduce((m, v) => Math.min(m, v), Number.POSITIVE_INFINITY);

beforeAll(() => {
  dir = freshOutDir('turbofan-params-');
  copyFileSync(path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb'), path.join(dir, 'turbofan.ipynb'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('turbofan example parameters through stillwater run', () => {
  it(`SEED=${SEED}: a full run on the simulator`, async () => {
    expectDone(await stillwaterRun({ SEED, XGB_PARAMS: FAST_XGB }));
    expect(await columns('silver/train')).toContain('s4_mean30');
  }, 120_000);

  it('ROLLING=20 replaces the silver schema written with ROLLING=30 (the SchemaMismatchError of issue 11)', async () => {
    expectDone(await stillwaterRun({ SEED, ROLLING: 20, XGB_PARAMS: FAST_XGB }, '--from', 'prepare'));
    const cols = await columns('silver/train');
    expect(cols).toContain('s4_mean20');
    expect(cols.filter((c) => c.endsWith('30'))).toEqual([]);
    expect(await columns('silver/test')).toEqual(cols);
  }, 120_000);

  it(`ROLLING=0 (no rolling features) with WINDOW=${nearest}, the nearest test failure`, async () => {
    expectDone(await stillwaterRun({ SEED, ROLLING: 0, WINDOW: nearest, XGB_PARAMS: FAST_XGB }, '--from', 'prepare'));
    expect((await columns('silver/train')).filter((c) => /_(mean|std)/.test(c))).toEqual([]);
  }, 120_000);

  it('ROLLING=100 with WINDOW=100', async () => {
    expectDone(await stillwaterRun({ SEED, ROLLING: 100, WINDOW: 100, XGB_PARAMS: FAST_XGB }, '--from', 'prepare'));
    expect(await columns('silver/train')).toContain('s4_std100');
  }, 120_000);

  it('XGB_PARAMS: reg:logistic, one round, depth 2', async () => {
    const xgb = JSON.stringify({ objective: 'reg:logistic', eta: 0.5, max_depth: 2, rounds: 1 });
    const run = await stillwaterRun({ SEED, ROLLING: 100, WINDOW: 100, XGB_PARAMS: xgb }, '--from', 'train');
    expectDone(run);
    expect(run.log('train')).toMatch(/trained 1 trees/);
  }, 120_000);

  it(`WINDOW=${nearest - 1}, below the nearest test failure, fails in prepare naming WINDOW, cell and line`, async () => {
    const run = await stillwaterRun({ SEED, WINDOW: nearest - 1, XGB_PARAMS: FAST_XGB }, '--from', 'prepare');
    expect(run.code).not.toBe(0);
    expect(run.failed('prepare')?.error).toMatchObject({
      type: 'RangeError',
      message: `WINDOW=${nearest - 1}: no test engine fails within ${nearest - 1} cycles (the nearest is ${nearest} cycles from failure); use a WINDOW of at least ${nearest}`,
      cell: 7,
      line: prepareLine('throw new RangeError'),
    });
  }, 120_000);

  describe('SUBSET with DATA_DIR', () => {
    let data: string;
    beforeAll(async () => {
      data = path.join(dir, 'cmapss');
      mkdirSync(data);
      await writeTurbofan(data, simulateTurbofan({ seed: 0 }), 'FD003');
    });

    it('SUBSET=FD003 reads the FD003 files of DATA_DIR', async () => {
      const run = await stillwaterRun({ DATA_DIR: data, SUBSET: 'FD003', XGB_PARAMS: FAST_XGB });
      expectDone(run);
      expect(run.log('ingest')).toContain(`ingested C-MAPSS FD003 in ${data}`);
    }, 120_000);

    it('SUBSET=FD004, absent from DATA_DIR, fails in ingest naming the file', async () => {
      const run = await stillwaterRun({ DATA_DIR: data, SUBSET: 'FD004' });
      expect(run.code).not.toBe(0);
      const error = run.failed('ingest')?.error;
      expect(error).toMatchObject({ type: 'DataError', cell: 4, line: 2 });
      expect(error?.message).toContain(path.join(data, 'train_FD004.txt'));
    }, 120_000);
  });
});
