import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../../helpers/paths.js';

const run = promisify(execFile);
const dir = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');
const cli = (...args: string[]) =>
  run(process.execPath, [cliPath, ...args], { cwd: repoRoot }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  ) as Promise<{ code?: number; stdout: string; stderr: string }>;

describe('stillwater compile (built CLI)', () => {
  beforeAll(() => {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build -w @stillwater/kernel first`);
  });

  it('--check --json reports ok, steps with data flow, and writes nothing', async () => {
    const r = await cli('compile', '--check', '--json', path.join(dir, 'diamond.ipynb'));
    expect(r.code).toBeUndefined();
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.diagnostics).toEqual([]);
    expect(out.steps.map((s: { name: string; deps: string[] }) => [s.name, s.deps])).toEqual([
      ['load', []],
      ['left', ['load']],
      ['right', ['load']],
      ['join', ['left', 'right']],
    ]);
    expect(out.steps[2].inputs).toEqual([
      { name: 'names', from: 'load', marshal: 'structured-clone' },
      { name: 'table', from: 'load', marshal: 'arrow' },
    ]);
    expect(out.edges).toHaveLength(4);
    expect(out.cells.slice(0, 6)).toEqual([
      { role: 'ignored' },
      { role: 'imports' },
      { role: 'parameters' },
      { role: 'functions' },
      { role: 'step', step: 'load' },
      { role: 'step', step: 'load' },
    ]);
  });

  it('--check --json on a broken notebook exits 1 with diagnostics naming the cell and tag', async () => {
    const r = await cli('compile', '--check', '--json', path.join(dir, 'err-undefined-prev.ipynb'));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'undefined-prev',
        message:
          'cell 1 ("const b = a + 1;"): tag "prev:laod": step "laod" is not defined (defined steps: load, train)',
        cell: 1,
        cellFirstLine: 'const b = a + 1;',
        tag: 'prev:laod',
        step: 'train',
      },
    ]);
  });

  it('compile -o DIR writes pipeline.json and bundles; errors go to stderr with exit 1', async () => {
    const out = path.join(repoRoot, 'tests', '.out', 'pipeline-cli', 'linear');
    rmSync(out, { recursive: true, force: true });
    const ok = await cli('compile', path.join(dir, 'linear.ipynb'), '-o', out);
    expect(ok.code).toBeUndefined();
    expect(ok.stdout).toBe(`compiled 3 steps → ${out}\n`);
    const spec = JSON.parse(readFileSync(path.join(out, 'pipeline.json'), 'utf8'));
    expect(spec.steps.map((s: { bundle: string }) => s.bundle)).toEqual([
      'steps/load.mjs',
      'steps/clean.mjs',
      'steps/train.mjs',
    ]);
    for (const s of spec.steps) expect(existsSync(path.join(out, `${s.bundle}.map`))).toBe(true);

    const bad = await cli('compile', path.join(dir, 'err-function-crosses.ipynb'), '-o', out);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'error: cell 0 ("const transform = (x: number) => x * 2;"), line 1: variable "transform" of step "build" is used by step "apply", but it is a function',
    );
  });

  it('a file that is not a notebook is a typed error', async () => {
    const r = await cli('compile', '--check', path.join(dir, 'expected.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stillwater: NotebookReadError:');
    expect(r.stderr).toContain('expected.json: not a Jupyter notebook (no "cells" array)');
  });
});
