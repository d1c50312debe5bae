import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';

const dist = path.join(repoRoot, 'kernel-lib', 'dist', 'pipeline');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stillwater-v8-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Loaded {
  runtimeFile?: string;
  loadedFrom?: string;
  version: string;
}
/** Loads TypeScript in a fresh Node process (the built module) with `cacheDir`; `save` writes the code cache after. */
function loadInFreshProcess(cacheDir: string, save = false): Loaded {
  const script = `
    const m = await import(${JSON.stringify(path.join(dist, 'typescript.js'))});
    const info = { ...m.compilerCodeCache(), version: m.tsc.version };
    ${save ? 'm.saveCompilerCodeCache();' : ''}
    console.log(JSON.stringify(info));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, STILLWATER_CACHE_DIR: cacheDir, STILLWATER_NO_CACHE: '' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Loaded;
}

describe("TypeScript's V8 code cache (build output, then runtime cache)", () => {
  it('a fresh process with an empty cache folder loads the one `npm run build` wrote, and writes none', () => {
    const cacheDir = path.join(tmp, 'empty');
    const loaded = loadInFreshProcess(cacheDir, true);
    const buildFile = path.join(dist, 'v8', path.basename(loaded.runtimeFile!));
    expect(existsSync(buildFile), `${buildFile} (written by npm run build)`).toBe(true);
    expect(loaded.loadedFrom).toBe(buildFile);
    expect(existsSync(loaded.runtimeFile!)).toBe(false);
  });

  it('data V8 rejects is ignored: TypeScript loads, and the runtime cache is rewritten and used next time', () => {
    const cacheDir = path.join(tmp, 'garbage');
    const first = loadInFreshProcess(path.join(tmp, 'probe'));
    const runtimeFile = path.join(cacheDir, 'v8', path.basename(first.runtimeFile!));
    mkdirSync(path.dirname(runtimeFile), { recursive: true });
    writeFileSync(runtimeFile, 'not a code cache');

    const rejected = loadInFreshProcess(cacheDir, true);
    expect(rejected.version).toBe(first.version);
    expect(rejected.loadedFrom).toBeUndefined();
    expect(readFileSync(runtimeFile).length).toBeGreaterThan(100_000);

    const again = loadInFreshProcess(cacheDir);
    expect(again.loadedFrom).toBe(runtimeFile);
  });
});
