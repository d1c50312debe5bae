/**
 * The TypeScript compiler, loaded as CommonJS. Importing its 9 MB file from ESM
 * makes Node scan it for named exports (cjs-module-lexer), which costs most of a second;
 * loading it as CommonJS skips that. Modules import types from 'typescript' with
 * `import type` and the runtime value from here.
 *
 * Compiling those 9 MB is then most of the load (tests/bench/compile). Node 20 has no built-in
 * compile cache for CommonJS (`module.enableCompileCache` is Node 22), so the file
 * is run through `vm.Script` with V8's code cache, kept in
 * `node_modules/.cache/stillwater/v8/` beside the package (or `$STILLWATER_CACHE_DIR/v8`), keyed by the file's
 * size and mtime, Node's version and architecture. Until that exists, the one
 * `npm run build` wrote into `dist/pipeline/v8/` (`scripts/build-compiler-code-cache.mjs`)
 * is used when its key matches. V8 checks the data itself and rejects what does
 * not fit (the module is then compiled as usual and the runtime cache written).
 * `STILLWATER_NO_CACHE=1` loads it with plain `require`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { cacheDir } from './cache-dir.js';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type * as TS from 'typescript';

const req = createRequire(import.meta.url);

/** `kernel-lib/dist/pipeline/v8/`, from this module in `src/` (tests) or `dist/`. */
export const BUILD_CODE_CACHE_DIR = fileURLToPath(new URL('../../dist/pipeline/v8/', import.meta.url));

let script: vm.Script | undefined;
let cacheFile: string | undefined;
let cacheFresh = false;
/** The code cache file V8 accepted when loading TypeScript, if any. */
let cacheUsed: string | undefined;

function load(): typeof TS {
  const file = req.resolve('typescript');
  if (process.env.STILLWATER_NO_CACHE) return req(file) as typeof TS;
  try {
    const st = statSync(file);
    // …/node_modules/typescript/lib/typescript.js → …/node_modules/.cache/stillwater/v8/
    const name = `typescript-${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}.bin`;
    cacheFile = path.join(cacheDir('v8', path.resolve(path.dirname(file), '..', '..'))!, name);
    const buildFile = path.join(BUILD_CODE_CACHE_DIR, name);
    let from: string | undefined = cacheFile;
    let cachedData = readIfExists(cacheFile);
    if (!cachedData) {
      from = buildFile;
      cachedData = readIfExists(buildFile);
    }
    script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
    cacheFresh = cachedData !== undefined && !script.cachedDataRejected;
    if (cacheFresh) cacheUsed = from;
    const mod = { exports: {} as typeof TS };
    (script.runInThisContext() as (...args: unknown[]) => void).call(
      mod.exports,
      mod.exports,
      createRequire(file),
      mod,
      file,
      path.dirname(file),
    );
    return mod.exports;
  } catch {
    script = undefined;
    return req(file) as typeof TS;
  }
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export const tsc = load();

/** Where this process keeps TypeScript's code cache, and the file it was loaded with (if V8 accepted one). */
export function compilerCodeCache(): { runtimeFile?: string; loadedFrom?: string } {
  return { runtimeFile: cacheFile, loadedFrom: cacheUsed };
}

/**
 * Writes the code cache if there was none (or V8 rejected it). Called after the
 * first analysis, so the cache also holds the parser, binder and checker functions
 * V8 compiled lazily while they ran, not only the module's top level.
 */
export function saveCompilerCodeCache(): void {
  if (!script || !cacheFile || cacheFresh) return;
  cacheFresh = true;
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // Read-only node_modules: load without the cache next time too.
  }
}
