import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compileNotebook, type PipelineSpec, parseStepErrorLine } from '../../../kernel-lib/src/pipeline/index.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { repoRoot } from '../../helpers/paths.js';
import { resultLines, runSteps } from './driver.js';

const run = promisify(execFile);

/** Runs `node ARGS` in `cwd`, expecting it to fail; its exit code and stderr. */
async function failingNode(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, args, { cwd }).then(
    () => {
      throw new Error(`node ${args.join(' ')} was expected to fail but exited 0`);
    },
    (e: unknown) => e as { code: number; stderr: string },
  );
}
const dir = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');
const outRoot = path.join(repoRoot, 'tests', '.out', 'pipeline-bundles');

async function compile(name: string): Promise<{ spec: PipelineSpec; outDir: string }> {
  const outDir = path.join(outRoot, name);
  rmSync(outDir, { recursive: true, force: true });
  const { spec } = await compileNotebook(path.join(dir, `${name}.ipynb`), { outDir });
  return { spec: spec!, outDir };
}
const work = () => mkdtempSync(path.join(tmpdir(), 'sw-steps-'));
const allStdout = (runs: Map<string, { stdout: string }>) => [...runs.values()].map((r) => r.stdout).join('');

describe('step bundles under plain node (STEP-CONTRACT.md)', () => {
  it('diamond: Arrow table, typed array, Map, Set cross steps; parameters default and override; metrics', async () => {
    const { spec, outDir } = await compile('diamond');
    const runs = await runSteps(outDir, spec, work());
    expect(resultLines(allStdout(runs))).toEqual([
      'RESULT {"label":"diamond","total":98,"stats":[["rows",6],["names",2]],"when":"1970-01-01T00:00:00.000Z"}',
    ]);
    expect(runs.get('join')!.metrics).toEqual({ total: 98 });
    const w = work();
    const over = await runSteps(outDir, spec, w, { scale: '1', label: 'x=y' });
    expect(resultLines(allStdout(over))[0]).toBe(
      'RESULT {"label":"x=y","total":56,"stats":[["rows",6],["names",2]],"when":"1970-01-01T00:00:00.000Z"}',
    );
    // The Arrow output is an Arrow IPC file, not JSON.
    expect(
      readFileSync(path.join(w, 'load', 'table'))
        .subarray(0, 6)
        .toString('latin1'),
    ).toBe('ARROW1');
  });

  it('handles: DeltaTable, Lakehouse and XGBoostModel are re-opened by reference / model bytes; absent handles', async () => {
    const { spec, outDir } = await compile('handles');
    const w = work();
    const lake = mkdtempSync(path.join(tmpdir(), 'sw-lake-'));
    const runs = await runSteps(outDir, spec, w, {}, { STILLWATER_LAKEHOUSE_ROOT: lake });
    const [line] = resultLines(allStdout(runs));
    const result = JSON.parse(line!.slice('RESULT '.length));
    expect(result).toMatchObject({ rows: 8, columns: 2, sameRoot: true, nothingIsUndefined: true });
    expect(result.scores).toHaveLength(8);
    expect(result.scores[7]).toBeGreaterThan(result.scores[0]);
    // References carry the table state the step left (STEP-CONTRACT.md): the version it wrote,
    // and for the lakehouse the tables it committed to while it ran.
    expect(JSON.parse(readFileSync(path.join(w, 'write', 'events'), 'utf8'))).toEqual({
      kind: 'delta-table',
      path: path.join(lake, 'bronze', 'events'),
      version: 0,
    });
    expect(JSON.parse(readFileSync(path.join(w, 'write', 'lake'), 'utf8'))).toEqual({
      kind: 'lakehouse',
      root: lake,
      tables: { 'bronze/events': 0 },
    });
    expect(JSON.parse(readFileSync(path.join(w, 'write', 'nothing'), 'utf8'))).toEqual({
      kind: 'absent',
      value: 'undefined',
    });
    expect(readFileSync(path.join(w, 'write', 'model')).length).toBeGreaterThan(100);
  });

  it('local modules are bundled and part of the step hash', async () => {
    const copy = path.join(outRoot, 'local-copy');
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    for (const f of ['local-module.ipynb', 'local-module-helpers.mjs'])
      copyFileSync(path.join(dir, f), path.join(copy, f));
    const nb = path.join(copy, 'local-module.ipynb');
    const first = (await compileNotebook(nb)).spec!;
    const outDir = path.join(copy, 'local-module.pipeline');
    expect(resultLines(allStdout(await runSteps(outDir, first, work())))).toEqual(['RESULT {"t":42,"again":126}']);
    writeFileSync(path.join(copy, 'local-module-helpers.mjs'), 'export function triple(x) {\n  return x * 4;\n}\n');
    const second = (await compileNotebook(nb)).spec!;
    expect(second.steps[0]!.hash).not.toBe(first.steps[0]!.hash);
    expect(second.hash).not.toBe(first.hash);
    expect(resultLines(allStdout(await runSteps(outDir, second, work())))).toEqual(['RESULT {"t":56,"again":224}']);
  });

  it('parameters: every parameter type parses from --param text', async () => {
    const { spec, outDir } = await compile('parameters');
    expect(spec.parameters.map((p) => [p.name, p.type])).toEqual([
      ['learningRate', 'number'],
      ['depth', 'number'],
      ['tag', 'string'],
      ['verbose', 'boolean'],
      ['columns', 'json'],
      ['options', 'json'],
      ['nothing', 'json'],
    ]);
    const defaults = await runSteps(outDir, spec, work());
    expect(resultLines(allStdout(defaults))).toEqual([
      'RESULT {"learningRate":0.1,"depth":-3,"tag":"baseline","verbose":false,"columns":["a","b"],"seed":42,"nothing":null}',
    ]);
    const over = await runSteps(outDir, spec, work(), {
      learningRate: '0.5',
      tag: 'tuned',
      verbose: 'true',
      columns: '["z"]',
      options: '{"seed":7}',
    });
    expect(resultLines(allStdout(over))).toEqual([
      'RESULT {"learningRate":0.5,"depth":-3,"tag":"tuned","verbose":true,"columns":["z"],"seed":7,"nothing":null}',
    ]);
  });

  it('functions, fan-out, skip, untagged continuation and magics run as in the notebook', async () => {
    const expectations: Record<string, string[]> = {
      functions: ['RESULT [16,64,144]'],
      fanout: ['RESULT {"sum":10,"max":4,"year":2024}'],
      skip: ['RESULT {"b":11}'],
      'untagged-continuation': ['RESULT {"six":6}'],
      linear: ['RESULT {"weight":3.25}'],
      magic: ['RESULT {"x":1}'],
      'commonjs-require': ['RESULT {"joined":"a/b"}'],
    };
    for (const [name, lines] of Object.entries(expectations)) {
      const { spec, outDir } = await compile(name);
      const runs = await runSteps(outDir, spec, work());
      expect(resultLines(allStdout(runs)), name).toEqual(lines);
      expect(allStdout(runs)).not.toContain('exploration only');
    }
  });

  it('metrics: each step writes its own metrics as sorted JSON numbers', async () => {
    const { spec, outDir } = await compile('metrics');
    expect(spec.metrics).toEqual([
      { name: 'accuracy', step: 'train' },
      { name: 'f1', step: 'evaluate' },
      { name: 'loss', step: 'train' },
      { name: 'converged', step: 'train' },
    ]);
    const runs = await runSteps(outDir, spec, work());
    expect(runs.get('train')!.metrics).toEqual({ accuracy: 0.875, converged: 1, loss: 0.25 });
    expect(runs.get('evaluate')!.metrics).toEqual({ f1: 0.7875 });
  });

  it('a runtime error exits 1 and its last stderr line names the notebook cell and line', async () => {
    const { spec, outDir } = await compile('runtime-error');
    const w = work();
    const cwd = path.dirname(path.resolve(outDir, spec.notebook));
    await run(process.execPath, [path.join(outDir, 'steps/ok.mjs'), '--out', `data=${w}/data`], { cwd });
    const err = await failingNode([path.join(outDir, 'steps/boom.mjs'), '--in', `data=${w}/data`], cwd);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('stillwater: step "boom" failed at cell 1, line 3: TypeError:');
    const line = parseStepErrorLine(err.stderr);
    expect(line?.stack?.[0]).toMatch(/^at .*cell 1, line 3:21/);
    expect(line).toEqual({
      stack: line?.stack,
      step: 'boom',
      phase: 'run',
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'length')",
      cell: 1,
      line: 3,
      column: 21,
    });
  });

  it('an error thrown outside the awaited code (timer callback) still fails the step with its cell', async () => {
    const { spec, outDir } = await compile('runtime-unawaited');
    const cwd = path.dirname(path.resolve(outDir, spec.notebook));
    const err = await failingNode([path.join(outDir, 'steps/fire.mjs')], cwd);
    expect(err.code).toBe(1);
    const line = parseStepErrorLine(err.stderr);
    expect(line?.stack?.[0]).toMatch(/^at .*cell 0, line 3:9/);
    expect(line).toEqual({
      stack: line?.stack,
      step: 'fire',
      phase: 'run',
      name: 'RangeError',
      message: 'late failure',
      cell: 0,
      line: 3,
      column: 9,
    });
  });

  it('under node --enable-source-maps the error still names the cell and line', async () => {
    const { spec, outDir } = await compile('runtime-error');
    const w = work();
    const cwd = path.dirname(path.resolve(outDir, spec.notebook));
    await run(process.execPath, [path.join(outDir, 'steps/ok.mjs'), '--out', `data=${w}/data`], { cwd });
    const err = await failingNode(
      ['--enable-source-maps', path.join(outDir, 'steps/boom.mjs'), '--in', `data=${w}/data`],
      cwd,
    );
    expect(err.code).toBe(1);
    expect(parseStepErrorLine(err.stderr)).toMatchObject({ cell: 1, line: 3, column: 21 });
    // The map names the notebook relative to itself, with the cell text embedded.
    const map = JSON.parse(readFileSync(path.join(outDir, 'steps/boom.mjs.map'), 'utf8'));
    const i = map.sources.indexOf('../../../../fixtures/notebooks/runtime-error.ipynb/cell-1');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(map.sourcesContent[i]).toContain('const bad = missing.length + n;');
    expect(spec.sourceMap.sourcePattern).toBe('../../../../fixtures/notebooks/runtime-error.ipynb/cell-{cell}');
  });

  it('outputs are written concurrently; of two that cannot be written, the first on the command line is reported', async () => {
    const { dir: nbDir, nb } = writeNotebook('two-bad-outputs', [
      code(['step:make'], 'const a: any = { f: () => 1 };\nconst b: any = { g: () => 2 };\nconst c = 3;'),
      code(['step:use', 'prev:make'], 'const sum = c + (a ? 1 : 0) + (b ? 1 : 0);'),
    ]);
    const outDir = path.join(nbDir, 'compiled');
    await compileNotebook(nb, { outDir });
    const w = work();
    const outs = (names: string[]) => names.flatMap((n) => ['--out', `${n}=${w}/${n}`]);
    const bundle = path.join(outDir, 'steps/make.mjs');
    const first = await failingNode([bundle, ...outs(['b', 'c', 'a'])], nbDir);
    expect(first.code).toBe(1);
    expect(parseStepErrorLine(first.stderr)).toMatchObject({ step: 'make', phase: 'output', variable: 'b' });
    // The output that could be written was.
    expect(readFileSync(`${w}/c`).length).toBeGreaterThan(0);
    const second = await failingNode([bundle, ...outs(['a', 'b', 'c'])], nbDir);
    expect(parseStepErrorLine(second.stderr)).toMatchObject({ phase: 'output', variable: 'a' });
  });

  it('a bad command line exits 2 with a usage error; a missing input file exits 1 naming it', async () => {
    const { spec, outDir } = await compile('runtime-error');
    const cwd = path.dirname(path.resolve(outDir, spec.notebook));
    const usage = await failingNode([path.join(outDir, 'steps/boom.mjs'), '--in', 'datum=/x'], cwd);
    expect(usage.code).toBe(2);
    expect(parseStepErrorLine(usage.stderr)).toMatchObject({
      phase: 'args',
      name: 'StepUsageError',
      message: 'step "boom" has no input "datum" (inputs: data)',
      variable: 'datum',
      cell: null,
    });
    const missing = await failingNode([path.join(outDir, 'steps/boom.mjs'), '--in', 'data=/nonexistent/d'], cwd);
    expect(missing.code).toBe(1);
    expect(parseStepErrorLine(missing.stderr)).toMatchObject({
      phase: 'input',
      variable: 'data',
      message: expect.stringContaining('input "data": cannot read /nonexistent/d'),
    });
  });
});
