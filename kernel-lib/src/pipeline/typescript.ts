/**
 * The TypeScript compiler, loaded as CommonJS. Importing its 9 MB file from ESM
 * makes Node scan it for named exports (cjs-module-lexer), which costs ~1 s;
 * loading it as CommonJS skips that. Modules import types from 'typescript' with
 * `import type` and the runtime value from here.
 *
 * Compiling those 9 MB is then most of the load (~250 ms). Node 20 has no built-in
 * compile cache for CommonJS (`module.enableCompileCache` is Node 22), so the file
 * is run through `vm.Script` with V8's code cache, kept in
 * `node_modules/.cache/stillwater/v8/` beside the package (or `$STILLWATER_CACHE_DIR/v8`), keyed by the file's
 * size and mtime, Node's version and architecture. V8 checks the data itself and
 * rejects what does not fit (the module is then compiled as usual and the cache
 * rewritten). `STILLWATER_NO_CACHE=1` loads it with plain `require`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type * as TS from 'typescript';

const req = createRequire(import.meta.url);

let script: vm.Script | undefined;
let cacheFile: string | undefined;
let cacheFresh = false;

function load(): typeof TS {
  const file = req.resolve('typescript');
  if (process.env.STILLWATER_NO_CACHE) return req(file) as typeof TS;
  try {
    const st = statSync(file);
    // …/node_modules/typescript/lib/typescript.js → …/node_modules/.cache/stillwater/v8/
    const dir = process.env.STILLWATER_CACHE_DIR
      ? path.resolve(process.env.STILLWATER_CACHE_DIR)
      : path.resolve(path.dirname(file), '..', '..', '.cache', 'stillwater');
    const tag = `${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}`;
    cacheFile = path.join(dir, 'v8', `typescript-${tag}.bin`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {}
    script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
    cacheFresh = cachedData !== undefined && !script.cachedDataRejected;
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

export const tsc = load();

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
