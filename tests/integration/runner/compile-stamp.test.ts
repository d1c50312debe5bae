/**
 * `stillwater run nb.ipynb` reuses an up-to-date compile: it recompiles only when
 * the notebook, a local module its bundles include, the compiler, or the compiled
 * output changed.
 */
import { appendFileSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCompiled } from '../../../kernel-lib/src/runner/compile-stamp.js';
import { freshOutDir, repoRoot } from '../../helpers/paths.js';

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');

/** A fresh folder under tests/.out holding copies of `files` from the fixtures, and a home beside them. */
function copiedFixtures(prefix: string, files: string[]): { dir: string; home: string; at: (f: string) => string } {
  const dir = freshOutDir(prefix);
  for (const f of files) copyFileSync(path.join(fixtures, f), path.join(dir, f));
  return { dir, home: path.join(dir, 'home'), at: (f) => path.join(dir, f) };
}

describe('compile reuse', () => {
  it('recompiles only when the notebook, a bundled local module or the output changed', async () => {
    const { dir, home, at } = copiedFixtures('runner-stamp-', ['local-module.ipynb', 'local-module-helpers.mjs']);
    const nb = at('local-module.ipynb');
    const helper = at('local-module-helpers.mjs');

    const first = await ensureCompiled(nb, home);
    expect(first).toEqual({ dir: path.join(dir, 'local-module.pipeline'), compiled: true });
    expect((await ensureCompiled(nb, home)).compiled).toBe(false);

    appendFileSync(helper, '\n// changed\n');
    expect((await ensureCompiled(nb, home)).compiled).toBe(true);
    expect((await ensureCompiled(nb, home)).compiled).toBe(false);

    writeFileSync(path.join(first.dir, 'pipeline.json'), '{}');
    expect((await ensureCompiled(nb, home)).compiled).toBe(true);

    appendFileSync(nb, ' ');
    expect((await ensureCompiled(nb, home)).compiled).toBe(true);
    expect((await ensureCompiled(nb, home)).compiled).toBe(false);
  });

  it("recompiles when the compiler's modules changed (another kernel), not otherwise", async () => {
    const { dir, home, at } = copiedFixtures('runner-stamp-compiler-', ['linear.ipynb']);
    const nb = at('linear.ipynb');
    // A stand-in for the compiler's folder: one module in it, and files that do not count.
    const compilerDir = path.join(dir, 'compiler');
    mkdirSync(compilerDir);
    writeFileSync(path.join(compilerDir, 'compile.js'), 'export const version = 1;\n');
    writeFileSync(path.join(compilerDir, 'compile.d.ts'), 'export declare const version: number;\n');
    expect((await ensureCompiled(nb, home, { compilerDir })).compiled).toBe(true);
    expect((await ensureCompiled(nb, home, { compilerDir })).compiled).toBe(false);
    writeFileSync(path.join(compilerDir, 'compile.d.ts'), 'export declare const version: 2;\n');
    expect((await ensureCompiled(nb, home, { compilerDir })).compiled).toBe(false);
    writeFileSync(path.join(compilerDir, 'compile.js'), 'export const version = 2;\n');
    expect((await ensureCompiled(nb, home, { compilerDir })).compiled).toBe(true);
    expect((await ensureCompiled(nb, home, { compilerDir })).compiled).toBe(false);
  });
});
