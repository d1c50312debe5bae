/**
 * Where the compiler keeps its caches (analysis results, ajv validators, V8 code
 * for TypeScript): `$STILLWATER_CACHE_DIR` when set, else `.cache/stillwater/`
 * inside a `node_modules` folder (the find-cache-dir convention). Each cache
 * takes a subfolder of its own.
 */
import path from 'node:path';

/**
 * `<root>/<name>`: the root is `$STILLWATER_CACHE_DIR`, else `<nodeModules>/.cache/stillwater`;
 * undefined when neither is there.
 */
export function cacheDir(name: string, nodeModules?: string): string | undefined {
  if (process.env.STILLWATER_CACHE_DIR) return path.join(path.resolve(process.env.STILLWATER_CACHE_DIR), name);
  return nodeModules === undefined ? undefined : path.join(nodeModules, '.cache', 'stillwater', name);
}
