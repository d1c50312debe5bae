/**
 * `stillwater run nb.ipynb` reuses an up-to-date compile: it recompiles only when
 * the notebook, a local module its bundles include, or the compiled output changed.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCompiled } from '../../../kernel-lib/src/runner/compile-stamp.js';
import { repoRoot } from '../../helpers/paths.js';

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');

describe('compile reuse', () => {
  it('recompiles only when the notebook, a bundled local module or the output changed', async () => {
    mkdirSync(path.join(repoRoot, 'tests', '.out'), { recursive: true });
    const dir = mkdtempSync(path.join(repoRoot, 'tests', '.out', 'runner-stamp-'));
    const nb = path.join(dir, 'local-module.ipynb');
    copyFileSync(path.join(fixtures, 'local-module.ipynb'), nb);
    const helper = path.join(dir, 'local-module-helpers.mjs');
    copyFileSync(path.join(fixtures, 'local-module-helpers.mjs'), helper);
    const home = path.join(dir, 'home');

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
});
