/**
 * Issue 16 item 3 through the real CLI: the turbofan demo on its default (simulated)
 * data passes validation clean and is blessed, its data becoming the reference
 * baseline; a drifted simulator batch (--param SIM_DRIFT) then fails `validate` with a
 * one-line summary, leaves the full report as a run artifact, and trains and blesses
 * nothing; ALLOW_ANOMALIES=true is the explicit opt-out.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Lakehouse } from '../../../kernel-lib/src/lakehouse/index.js';
import { ModelRegistry } from '../../../kernel-lib/src/ml/index.js';
import { cliPath, turbofanWorkspace } from '../../helpers/paths.js';

const run = promisify(execFile);
const dir = turbofanWorkspace('validation-gate-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: run events as parsed JSON
type Event = Record<string, any>;

async function stillwaterRun(params: string[]): Promise<Event[]> {
  // A failed run exits 1; its events are on stdout all the same.
  const { stdout } = await run(
    process.execPath,
    [cliPath, 'run', 'turbofan.ipynb', '--home', 'home', '--json', ...params.flatMap((p) => ['--param', p])],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, STILLWATER_CMAPSS_DIR: '' } },
  ).catch((e: { stdout: string }) => e);
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

const logOf = (events: Event[], step: string) =>
  events
    .filter((e) => e.type === 'log' && e.step === step)
    .map((e) => e.text)
    .join('');
const registry = () => new ModelRegistry(new Lakehouse(path.join(dir, 'lakehouse')).table('gold/models'));

describe('validation gate on the turbofan demo', () => {
  it('passes the default data clean, blesses it and makes it the reference', async () => {
    const events = await stillwaterRun([]);
    const finished = events.find((e) => e.type === 'run-finished')!;
    expect(finished.status).toBe('done');
    const log = logOf(events, 'validate');
    expect(log).not.toMatch(/ERROR|WARNING/);
    expect(log.match(/— no anomalies/g)).toHaveLength(2);
    expect((await registry().latest('turbofan', { blessed: true }))?.version).toBe(1);
  }, 180_000);

  it('fails a drifted batch in one line, keeps the full report, trains and blesses nothing', async () => {
    const events = await stillwaterRun(['SIM_DRIFT=1']);
    const finished = events.find((e) => e.type === 'run-finished')!;
    expect(finished.status).toBe('failed');
    expect(finished.steps).toMatchObject({ validate: 'failed', train: 'skipped', evaluate: 'skipped' });
    const message: string = finished.error.message;
    console.log(`drifted batch: ${message}`);
    expect(finished.error).toMatchObject({ step: 'validate', type: 'DataValidationError' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(
      /^data validation failed: train \+ test against baseline turbofan \(reference from \S+\): \d+ ERROR/,
    );
    const runId = events[0]!.runId;
    const reportPath = path.join(dir, 'home', 'run-artifacts', runId, 'validate', 'validation-turbofan.txt');
    expect(message).toContain(`full report: ${reportPath}`);
    const report = readFileSync(reportPath, 'utf8');
    expect(report).toMatch(/^Validation of 'train' against 'baseline turbofan \(reference from /m);
    expect(report).toMatch(/^Validation of 'test' against /m);
    expect(report).toMatch(/ERROR\s+s4\s+drift/);
    const versions = await registry().versions('turbofan');
    expect(versions.map((v) => [v.version, v.blessed])).toEqual([[1, true]]);
  }, 180_000);

  it('reports and goes on when the notebook opts out (ALLOW_ANOMALIES=true)', async () => {
    const events = await stillwaterRun(['SIM_DRIFT=1', 'ALLOW_ANOMALIES=true']);
    const finished = events.find((e) => e.type === 'run-finished')!;
    expect(finished.steps).toMatchObject({ validate: 'done', evaluate: 'done' });
    expect(logOf(events, 'validate')).toMatch(/ERROR\s+s4\s+drift/);
    expect((await registry().versions('turbofan')).map((v) => v.version)).toEqual([1, 2]);
  }, 180_000);
});
