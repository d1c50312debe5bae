/**
 * The packages a step runs with are part of its cache key (runner/step-packages.ts):
 * upgrading a package the step imports re-executes it, nothing else does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { PackageVersions, bundlePackages } from '../../../kernel-lib/src/runner/step-packages.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { repoRoot } from '../../helpers/paths.js';

function writePackage(root: string, name: string, version: string): void {
  const dir = path.join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', main: 'index.js' }));
  writeFileSync(path.join(dir, 'index.js'), 'export const twice = (x) => x * 2;\n');
}

async function run(dir: string, options: RunOptions) {
  const h = runPipeline(dir, options);
  for await (const _ of h) {
    // drain
  }
  return h.result;
}

describe('packages in the step cache key', () => {
  it('names the packages a bundle imports, statically, dynamically or by require, plus the runtime’s own', () => {
    const bundle = [
      'import { a } from "left-pad";',
      'import {\n  b,\n  c\n} from "@scope/pkg/sub";',
      'import "side-effect";',
      'import * as fs from "node:fs";',
      'import x from "./local.js";',
      'export { y } from "re-exported";',
      'const m = await import("dynamic-one");',
      'const r = require("required-one");',
      'const s = "import nothing from \'not-at-line-start\'";',
    ].join('\n');
    expect(bundlePackages(bundle)).toEqual([
      '@scope/pkg',
      '@stillwater/kernel',
      'apache-arrow',
      'dynamic-one',
      'left-pad',
      're-exported',
      'required-one',
      'side-effect',
    ]);
  });

  it('knows installed versions; the kernel also by its step libraries build', () => {
    const versions = new PackageVersions().of(['apache-arrow', '@stillwater/kernel', 'not-installed'], repoRoot);
    expect(versions['apache-arrow']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versions['@stillwater/kernel']).toMatch(/^0\.1\.0\+[0-9a-f]{16}$/);
    expect(versions['not-installed']).toBe('?');
  });

  it('re-executes a step when a package it imports is upgraded, and only that step', async () => {
    const { dir, nb } = writeNotebook('package-upgrade', [
      code(['imports'], "import { twice } from 'doubler';"),
      code(['step:plain'], 'const n = 21;'),
      code(['step:uses', 'prev:plain'], 'const m = twice(n);'),
      code(['pipeline-metrics'], 'm'),
    ]);
    writePackage(dir, 'doubler', '1.0.0');
    const outDir = path.join(dir, 'compiled');
    await compileNotebook(nb, { outDir });
    const home = path.join(dir, 'home');
    expect((await run(outDir, { home })).steps).toEqual({ plain: 'done', uses: 'done' });
    expect((await run(outDir, { home })).steps).toEqual({ plain: 'cached', uses: 'cached' });
    writePackage(dir, 'doubler', '1.0.1');
    const upgraded = await run(outDir, { home });
    expect(upgraded.steps).toEqual({ plain: 'cached', uses: 'done' });
    expect(upgraded.metrics.m).toBe(42);
  });
});
