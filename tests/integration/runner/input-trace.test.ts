/**
 * The cache sees every input a step consumed (issue 11, item 1): files its code
 * read (through each `fs` API), folders it listed, Delta tables it read and
 * environment variables it read are traced in the step process, recorded with
 * the cached result, and checked on a hit. Real runs of a compiled notebook,
 * real files, a real Delta table.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DeltaTable } from '../../../kernel-lib/src/lakehouse/table.js';
import { LocalArtifactStore } from '../../../kernel-lib/src/runner/artifact-store.js';
import { CacheIndex } from '../../../kernel-lib/src/runner/cache.js';
import { DeltaRunHistory } from '../../../kernel-lib/src/runner/delta-history.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath } from '../../helpers/paths.js';

const exec = promisify(execFile);

async function run(nb: string, options: RunOptions) {
  const h = runPipeline(nb, options);
  for await (const _ of h) {
    // drain
  }
  const result = await h.result;
  expect(result.error ?? null).toBeNull();
  return result;
}

const sumOf = '(text: string) => text.split(/[\\s,]+/).filter(Boolean).map(Number).reduce((a, b) => a + b, 0)';

describe('traced step inputs', () => {
  it('re-runs a step when a file, table, folder or variable it read changed, and only then', async () => {
    const { dir, nb } = writeNotebook('traced', [
      code(
        ['imports'],
        [
          "import fs from 'node:fs';",
          "import { readFile } from 'node:fs/promises';",
          "import { DeltaTable } from '@stillwater/kernel/lakehouse';",
        ].join('\n'),
      ),
      code(['functions'], `const sum = ${sumOf};`),
      code(['step:csv'], "const total = sum(fs.readFileSync('data.csv', 'utf8'));"),
      code(['step:promises'], "const viaPromises = sum(await readFile('promises.txt', 'utf8'));"),
      code(
        ['step:callback'],
        "const viaCallback = sum(await new Promise<string>((ok, ko) => fs.readFile('callback.txt', 'utf8', (e, t) => (e ? ko(e) : ok(t)))));",
      ),
      code(
        ['step:stream'],
        [
          'let streamed = 0;',
          "for await (const chunk of fs.createReadStream('stream.txt', 'utf8')) streamed += sum(chunk as string);",
        ].join('\n'),
      ),
      code(
        ['step:descriptor'],
        [
          "const fd = fs.openSync('fd.txt', 'r');",
          'const buf = Buffer.alloc(64);',
          'const viaFd = sum(buf.subarray(0, fs.readSync(fd, buf, 0, 64, 0)).toString());',
          'fs.closeSync(fd);',
        ].join('\n'),
      ),
      code(['step:table'], "const rows = (await new DeltaTable('ext').read()).numRows;"),
      code(['step:listing'], "const files = fs.readdirSync('inbox').length;"),
      code(['step:variable'], "const flavour = (process.env.SW_TRACE_FLAVOUR ?? '').length;"),
      code(['step:touched'], "const touchedSum = sum(fs.readFileSync('touched.txt', 'utf8'));"),
      code(['step:vendored'], "const vendored = sum(fs.readFileSync('node_modules/fake-data/values.txt', 'utf8'));"),
      code(
        ['pipeline-metrics'],
        'total\nviaPromises\nviaCallback\nstreamed\nviaFd\nrows\nfiles\nflavour\ntouchedSum\nvendored',
      ),
    ]);
    const at = (f: string) => path.join(dir, f);
    writeFileSync(at('data.csv'), '1,2,3\n');
    for (const f of ['promises.txt', 'callback.txt', 'stream.txt', 'fd.txt', 'touched.txt'])
      writeFileSync(at(f), '1 1\n');
    mkdirSync(at('inbox'));
    writeFileSync(at('inbox/a.csv'), '');
    mkdirSync(at('node_modules/fake-data'), { recursive: true });
    writeFileSync(at('node_modules/fake-data/values.txt'), '5');
    const ext = new DeltaTable(at('ext'));
    await ext.append(arrow.tableFromArrays({ x: Int32Array.from([1]) }));
    const home = at('home');
    const options = (flavour: string): RunOptions => ({
      home,
      cwd: dir,
      env: { ...process.env, SW_TRACE_FLAVOUR: flavour },
    });

    const first = await run(nb, options('salt'));
    expect(first.metrics).toMatchObject({ total: 6, viaPromises: 2, viaCallback: 2, streamed: 2, viaFd: 2, rows: 1 });
    expect(first.metrics).toMatchObject({ files: 1, flavour: 4, touchedSum: 2, vendored: 5 });
    const traced = Object.fromEntries(first.stepExecutions.map((s) => [s.step, s.tracedInputs]));
    expect(traced.csv?.files.map((f) => f.path)).toEqual([at('data.csv')]);
    expect(traced.table?.tables).toEqual([{ path: at('ext'), version: 0, timeTravel: false }]);
    // The table's own files are covered by its version, not listed as files.
    expect(traced.table?.files).toEqual([]);
    expect(traced.listing?.files).toMatchObject([{ path: at('inbox'), kind: 'dir' }]);
    expect(Object.keys(traced.variable?.env ?? {})).toContain('SW_TRACE_FLAVOUR');
    // Files under node_modules are packages, not data: not traced.
    expect(traced.vendored?.files).toEqual([]);

    const second = await run(nb, options('salt'));
    expect(Object.values(second.steps).every((s) => s === 'cached')).toBe(true);

    // Edit each file in place (one per fs API), move the table on, add a file to the folder,
    // change the variable, touch a file without changing it and edit the node_modules file.
    writeFileSync(at('data.csv'), '10,20,30\n');
    for (const f of ['promises.txt', 'callback.txt', 'stream.txt', 'fd.txt']) appendFileSync(at(f), '2\n');
    await ext.append(arrow.tableFromArrays({ x: Int32Array.from([2]) }));
    writeFileSync(at('inbox/b.csv'), '');
    const later = new Date(Date.now() + 5000);
    utimesSync(at('touched.txt'), later, later);
    writeFileSync(at('node_modules/fake-data/values.txt'), '7');
    const third = await run(nb, options('pepper!'));
    expect(third.steps).toEqual({
      csv: 'done',
      promises: 'done',
      callback: 'done',
      stream: 'done',
      descriptor: 'done',
      table: 'done',
      listing: 'done',
      variable: 'done',
      touched: 'cached',
      vendored: 'cached',
    });
    expect(third.metrics).toMatchObject({ total: 60, viaPromises: 4, viaCallback: 4, streamed: 4, viaFd: 4 });
    expect(third.metrics).toMatchObject({ rows: 2, files: 2, flavour: 7, touchedSum: 2, vendored: 5 });
    const reasons = Object.fromEntries(third.stepExecutions.map((s) => [s.step, s.reason]));
    expect(reasons).toMatchObject({
      csv: 'input data.csv changed',
      table: 'table ext moved from version 0 to 1',
      listing: 'folder inbox changed',
      variable: 'environment variable SW_TRACE_FLAVOUR changed',
    });
    // The touched file's new stat was recorded, so the next check is a stat again, not a hash.
    const touchedEntry = await new CacheIndex(path.join(home, 'cache')).lookup(
      third.stepExecutions.find((s) => s.step === 'touched')!.cacheKey!,
      new LocalArtifactStore(path.join(home, 'artifacts')),
    );
    expect(touchedEntry?.traced?.files[0]?.mtimeNs).toBe(String(statSync(at('touched.txt'), { bigint: true }).mtimeNs));
    expect(touchedEntry?.traced?.files[0]?.mtimeNs).not.toBe(traced.touched?.files[0]?.mtimeNs);

    // A file replaced by another one renamed over it (what editors and `mv` do).
    writeFileSync(at('data.csv.new'), '100,200,300\n');
    renameSync(at('data.csv.new'), at('data.csv'));
    const fourth = await run(nb, options('pepper!'));
    expect(fourth.steps.csv).toBe('done');
    expect(fourth.metrics.total).toBe(600);
    expect(Object.entries(fourth.steps).filter(([, s]) => s !== 'cached')).toEqual([['csv', 'done']]);
  }, 240_000); // four runs of ten step processes: ~30 s on an idle machine

  it('the issue example through the CLI: an edited CSV re-runs its step, and `runs show` says why', async () => {
    const { dir, nb } = writeNotebook('csvsum', [
      code(['imports'], "import { readFileSync } from 'node:fs';"),
      code(
        ['step:sum'],
        "const total = readFileSync('data.csv', 'utf8').split(/[\\s,]+/).filter(Boolean).map(Number).reduce((a, b) => a + b, 0);",
      ),
      code(['pipeline-metrics'], 'total'),
    ]);
    writeFileSync(path.join(dir, 'data.csv'), '1,2,3\n');
    const cli = (args: string[]) =>
      exec(process.execPath, [cliPath, ...args, '--home', path.join(dir, 'home')], { cwd: dir });
    const first = await cli(['run', nb]);
    expect(first.stdout).toMatch(/total=6/);
    writeFileSync(path.join(dir, 'data.csv'), '10,20,30\n');
    const second = await cli(['run', nb, '--json']);
    const finished = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'run-finished');
    expect(finished).toMatchObject({ status: 'done', steps: { sum: 'done' }, metrics: { total: 60 } });
    const shown = await cli(['runs', 'show', finished.runId]);
    expect(shown.stdout).toMatch(/sum\s+done .*\(input data\.csv changed\)/);
  }, 180_000);

  it('a history written before traced inputs were recorded gains the column and reads back', async () => {
    const { dir } = writeNotebook('oldhistory', []);
    const history = new DeltaRunHistory(dir);
    // The step_executions table as runners before this one wrote it: no traced_inputs column.
    const u = (v: string | null) => arrow.vectorFromArray([v], new arrow.Utf8());
    await history.steps.append(
      new arrow.Table({
        run_id: u('old'),
        pipeline: u('p'),
        step: u('s'),
        status: u('done'),
        cache_hit: arrow.vectorFromArray([false], new arrow.Bool()),
        attempts: arrow.vectorFromArray([1], new arrow.Int32()),
        started_at: u(null),
        ended_at: u(null),
        duration_ms: arrow.vectorFromArray([1], new arrow.Float64()),
        bundle_hash: u('h'),
        cache_key: u('k'),
        params: u('{}'),
        inputs: u('{}'),
        outputs: u('{}'),
        metrics: u('{}'),
        error: u(null),
        reason: u(null),
      }),
    );
    const traced = { files: [], tables: [{ path: '/t', version: 2, timeTravel: false }], env: { X: null } };
    const [old] = await history.stepExecutions('old');
    expect(old?.tracedInputs).toBeNull();
    const run = { runId: 'new', pipeline: 'p', pipelineHash: 'h', pipelineDir: dir, status: 'done' as const };
    await history.recordRun(
      {
        ...run,
        startedAt: '',
        endedAt: '',
        durationMs: 1,
        params: {},
        metrics: {},
        resumeOf: null,
        selection: 'all',
        error: null,
      },
      [{ ...old!, runId: 'new', tracedInputs: traced }],
    );
    expect((await history.stepExecutions('new'))[0]?.tracedInputs).toEqual(traced);
    expect((await history.stepExecutions('old'))[0]?.tracedInputs).toBeNull();
  });
});
