import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisCacheDir } from '../../../kernel-lib/src/pipeline/analysis-cache.js';
import { checkNotebook, compileNotebook } from '../../../kernel-lib/src/pipeline/index.js';
import { repoRoot } from '../../helpers/paths.js';

const work = path.join(repoRoot, 'tests', '.out', 'analysis-cache');
const cacheDir = path.join(work, 'cache');
const nbDir = path.join(work, 'nb');
const nbPath = path.join(nbDir, 'cached.ipynb');
const code = (source: string, tags: string[]) => ({ cell_type: 'code', metadata: { tags }, outputs: [], source });
const notebook = (importFrom: string) =>
  JSON.stringify({
    cells: [
      code(`import { make } from '${importFrom}';`, ['imports']),
      code('const v = make();', ['step:a']),
      code('console.log(v);', ['step:b', 'prev:a']),
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
const entries = () => (existsSync(path.join(cacheDir, 'analysis')) ? readdirSync(path.join(cacheDir, 'analysis')) : []);

let saved: string | undefined;
beforeAll(() => {
  saved = process.env.STILLWATER_CACHE_DIR;
  process.env.STILLWATER_CACHE_DIR = cacheDir;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(nbDir, { recursive: true });
});
afterAll(() => {
  if (saved === undefined) delete process.env.STILLWATER_CACHE_DIR;
  else process.env.STILLWATER_CACHE_DIR = saved;
});

describe('persistent analysis cache', () => {
  it('lives where STILLWATER_CACHE_DIR says, else under the nearest node_modules/.cache', () => {
    expect(analysisCacheDir(nbPath)).toBe(path.join(cacheDir, 'analysis'));
    delete process.env.STILLWATER_CACHE_DIR;
    expect(analysisCacheDir(nbPath)).toBe(path.join(repoRoot, 'node_modules', '.cache', 'stillwater', 'analysis'));
    process.env.STILLWATER_NO_CACHE = '1';
    expect(analysisCacheDir(nbPath)).toBeUndefined();
    delete process.env.STILLWATER_NO_CACHE;
    process.env.STILLWATER_CACHE_DIR = cacheDir;
  });

  it('answers an unchanged notebook from the cache, and re-analyses when a file the program read changes', async () => {
    writeFileSync(path.join(nbDir, 'helpers.ts'), 'export function make(): number[] {\n  return [1, 2];\n}\n');
    writeFileSync(nbPath, notebook('./helpers'));
    const first = await checkNotebook(nbPath);
    expect(first.ok).toBe(true);
    expect(first.analysis!.steps[0]!.outputs).toEqual([{ name: 'v', marshal: 'structured-clone' }]);
    expect(entries()).toHaveLength(1);

    // Mark the entry: a second check that returns the mark was answered by the cache.
    const file = path.join(cacheDir, 'analysis', entries()[0]!);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    entry.analysis.steps[0].outputs[0].marshal = 'arrow';
    writeFileSync(file, JSON.stringify(entry));
    expect((await checkNotebook(nbPath)).analysis!.steps[0]!.outputs[0]!.marshal).toBe('arrow');

    // The local module now returns a promise: that cannot cross steps, whatever the cache holds.
    writeFileSync(path.join(nbDir, 'helpers.ts'), 'export async function make(): Promise<number> {\n  return 1;\n}\n');
    const changed = await checkNotebook(nbPath);
    expect(changed.ok).toBe(false);
    expect(changed.diagnostics.some((d) => d.severity === 'error' && d.variable === 'v')).toBe(true);
  });

  it('stores nothing when an import did not resolve (a file added later could change its meaning)', async () => {
    rmSync(path.join(cacheDir, 'analysis'), { recursive: true, force: true });
    writeFileSync(nbPath, notebook('./not-there-yet'));
    await checkNotebook(nbPath);
    expect(entries()).toEqual([]);
  });

  it('compiles to the same bytes whether the analysis came from the cache or from TypeScript', async () => {
    const src = path.join(repoRoot, 'tests', 'fixtures', 'notebooks', 'diamond.ipynb');
    const snapshot = (dir: string) =>
      Object.fromEntries(
        ['pipeline.json', ...readdirSync(path.join(dir, 'steps')).map((f) => `steps/${f}`)].map((f) => [
          f,
          readFileSync(path.join(dir, f), 'utf8'),
        ]),
      );
    rmSync(path.join(cacheDir, 'analysis'), { recursive: true, force: true });
    const outs = ['miss', 'hit'].map((k) => path.join(work, k, 'diamond.pipeline'));
    await compileNotebook(src, { outDir: outs[0] });
    expect(entries()).toHaveLength(1);
    await compileNotebook(src, { outDir: outs[1] });
    expect(snapshot(outs[1]!)).toEqual(snapshot(outs[0]!));
  });
});
