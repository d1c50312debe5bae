/**
 * Issue 16 item 1 on the turbofan demo, through the real CLI: every Delta table version
 * a run writes (its own tables, ModelRegistry's gold/models, DataBaselines') carries the
 * run, step and notebook in its commitInfo; the history records each step's exact table
 * versions read and written; `stillwater runs lineage TABLE@VERSION` names the run and
 * step that wrote every one of them, and what that step read and consumed. A second run
 * with another parameter writes new versions, which name the second run; the first run's
 * versions still name the first.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepExecutionRecord, TableVersionLineage } from '../../../kernel-lib/src/contracts/run-records.js';
import { handleLabRequest } from '../../../kernel-lib/src/lab-api/index.js';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import { tableVersionLineage } from '../../../kernel-lib/src/runner/lineage-query.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { runHistoryAt } from '../../../kernel-lib/src/runner/runs-query.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath, turbofanWorkspace } from '../../helpers/paths.js';

const exec = promisify(execFile);
const dir = turbofanWorkspace('lineage-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lake = path.join(dir, 'lakehouse');
const home = path.join(dir, 'home');
const notebook = path.join(dir, 'turbofan.ipynb');

async function cli(args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [cliPath, ...args, '--home', 'home'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, STILLWATER_CMAPSS_DIR: '' },
  });
  return stdout;
}

async function runTurbofan(params: string[]): Promise<string> {
  const out = await cli(['run', 'turbofan.ipynb', '--json', ...params.flatMap((p) => ['--param', p])]);
  const finished = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; runId: string; status: string })
    .find((e) => e.type === 'run-finished')!;
  expect(finished.status).toBe('done');
  return finished.runId;
}

/** Every Delta table under the lakehouse, with every version in its log. */
function tableVersions(): { table: string; version: number; commitInfo: Record<string, unknown> }[] {
  const found: { table: string; version: number; commitInfo: Record<string, unknown> }[] = [];
  const walk = (d: string) => {
    const names = readdirSync(d);
    if (names.includes('_delta_log')) {
      for (const f of readdirSync(path.join(d, '_delta_log')).filter((n) => /^\d{20}\.json$/.test(n))) {
        const first = JSON.parse(readFileSync(path.join(d, '_delta_log', f), 'utf8').split('\n')[0]!);
        found.push({ table: d, version: Number(f.slice(0, 20)), commitInfo: first.commitInfo });
      }
      return;
    }
    for (const n of names) walk(path.join(d, n));
  };
  walk(lake);
  return found.sort((a, b) => a.table.localeCompare(b.table) || a.version - b.version);
}

const written = (steps: StepExecutionRecord[]) =>
  steps.flatMap((s) => (s.lineage?.tablesWritten ?? []).map((t) => ({ ...t, step: s.step })));

let first: string;
let firstSteps: StepExecutionRecord[];
let firstVersions: ReturnType<typeof tableVersions>;

beforeAll(async () => {
  first = await runTurbofan([]);
  firstSteps = (JSON.parse(await cli(['runs', 'show', first, '--json'])) as { steps: StepExecutionRecord[] }).steps;
  firstVersions = tableVersions();
}, 240_000);

describe('lineage of the turbofan run', () => {
  it('tags every commit of the run with its run, step and notebook, as the history records them', () => {
    // Bronze, silver, gold/models and gold/data_baselines: every version this run made.
    expect(new Set(firstVersions.map((v) => path.relative(lake, v.table)))).toEqual(
      new Set([
        'bronze/train',
        'bronze/test',
        'bronze/rul',
        'silver/train',
        'silver/test',
        'gold/models',
        'gold/data_baselines',
      ]),
    );
    const fromLog = firstVersions.map((v) => ({
      table: v.table,
      version: v.version,
      ...(v.commitInfo.stillwater as object),
    }));
    const fromHistory = written(firstSteps).map((w) => ({ ...w, runId: first, notebook }));
    const key = (x: { table: string; version: number }) => `${x.table}@${x.version}`;
    expect(fromLog.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      fromHistory.sort((a, b) => key(a).localeCompare(key(b))),
    );
    // ModelRegistry's writes are the evaluating step's (turbofan registers and blesses in `evaluate`).
    expect(fromHistory.filter((w) => w.table.endsWith('gold/models')).map((w) => w.step)).toEqual([
      'evaluate',
      'evaluate',
    ]);
  });

  it('records the exact versions each step read, and the artifacts it consumed and produced by hash', () => {
    const step = (name: string) => firstSteps.find((s) => s.step === name)!;
    const rel = (ts: { table: string; version: number }[]) =>
      ts.map((t) => `${path.relative(lake, t.table)}@${t.version}`);
    expect(rel(step('prepare').lineage!.tablesRead)).toEqual(['bronze/rul@0', 'bronze/test@0', 'bronze/train@0']);
    expect(rel(step('prepare').lineage!.tablesWritten)).toEqual(['silver/test@0', 'silver/train@0']);
    expect(rel(step('train').lineage!.tablesRead)).toEqual(['silver/train@0']);
    for (const s of firstSteps) {
      for (const hash of [...Object.values(s.inputs), ...Object.values(s.outputs)])
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // What train consumed is what prepare produced, hash for hash.
    expect(step('train').inputs.features).toBe(step('prepare').outputs.features);
  });

  it('`runs lineage TABLE@VERSION` names the right run and step for every table version the run wrote', async () => {
    const history = runHistoryAt(home);
    for (const w of written(firstSteps)) {
      const l = await tableVersionLineage(history, w.table, w.version);
      expect(l.writtenBy, `${w.table}@${w.version}`).toEqual({ runId: first, step: w.step, notebook });
      expect(l.stepExecution?.step).toBe(w.step);
      expect(l.run?.runId).toBe(first);
    }
    // The CLI, as a user types it: relative path, JSON and text.
    const json = JSON.parse(
      await cli(['runs', 'lineage', 'lakehouse/silver/train@0', '--json']),
    ) as TableVersionLineage;
    expect(json.writtenBy).toEqual({ runId: first, step: 'prepare', notebook });
    expect(json.inputs!.tables.map((t) => path.relative(lake, t.table))).toEqual([
      'bronze/rul',
      'bronze/test',
      'bronze/train',
    ]);
    expect(json.inputs!.artifacts.map((a) => [a.name, a.fromStep])).toContainEqual(['bronzeTrain', 'ingest']);
    const text = await cli(['runs', 'lineage', 'lakehouse/gold/models']);
    expect(text).toContain(`lakehouse/gold/models@1: WRITE at `);
    expect(text).toContain(`written by run ${first}, step evaluate (notebook ${notebook})`);
    expect(text).toMatch(/input {4}model sha256:[0-9a-f]{12} from step train/);
    // `runs show` prints the same lineage per step.
    const show = await cli(['runs', 'show', first]);
    expect(show).toContain('wrote  lakehouse/gold/models@1');
    expect(show).toContain('read   lakehouse/silver/train@0');
  });

  it('a second run with another parameter names itself for its versions; the first run keeps its own', async () => {
    const second = await runTurbofan(['SEED=7']);
    const history = runHistoryAt(home);
    const secondSteps = await history.stepExecutions(second);
    const newVersions = tableVersions().filter(
      (v) => !firstVersions.some((f) => f.table === v.table && f.version === v.version),
    );
    expect(newVersions.length).toBeGreaterThan(0);
    expect(newVersions.map((v) => `${v.table}@${v.version}`).sort()).toEqual(
      written(secondSteps)
        .map((w) => `${w.table}@${w.version}`)
        .sort(),
    );
    console.log(
      `lineage: run 1 wrote ${written(firstSteps).length} table versions, run 2 (SEED=7) ${written(secondSteps).length}`,
    );
    for (const w of written(secondSteps)) {
      expect((await tableVersionLineage(history, w.table, w.version)).writtenBy).toEqual({
        runId: second,
        step: w.step,
        notebook,
      });
    }
    for (const w of written(firstSteps)) {
      expect((await tableVersionLineage(history, w.table, w.version)).writtenBy?.runId).toBe(first);
    }
  }, 240_000);

  it('answers the lab API the history view uses, and refuses a version the table does not have', async () => {
    const shown: { mime: string; text: string }[] = [];
    const display = { raw: (mime: string, text: string) => shown.push({ mime, text }) };
    await handleLabRequest({ kind: 'lineage', table: 'lakehouse/silver/test', version: 0 }, display as never, dir);
    await handleLabRequest({ kind: 'lineage', table: 'lakehouse/silver/test', version: 99 }, display as never, dir);
    const [ok, missing] = shown.map((s) => JSON.parse(s.text));
    expect(ok.lineage.writtenBy).toEqual({ runId: first, step: 'prepare', notebook });
    expect(missing).toMatchObject({ kind: 'lineage', ok: false });
    expect(missing.error).toMatch(/has no version 99 in its log \(latest \d+/);
    await expect(cli(['runs', 'lineage', 'lakehouse/silver/test@x'])).rejects.toMatchObject({
      stderr: expect.stringContaining('expected TABLE or TABLE@VERSION'),
    });
  });
});

describe('lineage of a step that fails after committing', () => {
  it('records the versions it wrote before failing, and the commit names it', async () => {
    const { dir: nbDir, nb } = writeNotebook('lineage-failing', [
      code(
        ['imports'],
        'import { Lakehouse } from "@stillwater/kernel/lakehouse";\nimport * as arrow from "apache-arrow";',
      ),
      code(
        ['step:writer'],
        'const lake = new Lakehouse("lake");\nawait lake.table("bronze/events").append(arrow.tableFromArrays({ n: [1, 2] }));\nthrow new Error("after the commit");',
      ),
    ]);
    await compileNotebook(nb, { outDir: path.join(nbDir, 'compiled') });
    const h = runPipeline(path.join(nbDir, 'compiled'), { home: path.join(nbDir, 'home'), cache: false });
    for await (const _ of h);
    const result = await h.result;
    expect(result.status).toBe('failed');
    const history = runHistoryAt(path.join(nbDir, 'home'));
    const [writer] = await history.stepExecutions(result.runId);
    const table = path.join(nbDir, 'lake', 'bronze', 'events');
    expect(writer!.status).toBe('failed');
    expect(writer!.lineage?.tablesWritten).toEqual([{ table, version: 0 }]);
    const l = await tableVersionLineage(history, table, 0);
    expect(l.writtenBy).toMatchObject({ runId: result.runId, step: 'writer' });
    expect(l.stepExecution?.status).toBe('failed');
  }, 120_000);
});
