/**
 * Packages as Node finds them: the package an import specifier names, and the
 * folder it is installed in. Shared by the compiler (step-libs.ts) and the runner
 * (step-packages.ts).
 */
import { existsSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';

/** The package an import specifier names; undefined for builtins, relative and absolute paths, URLs. */
export function packageName(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.includes(':')) return undefined;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** The folder of package `name` as resolved from `fromDir`: its exported package.json, else the node_modules walk. */
export function packageDir(name: string, fromDir: string): string | undefined {
  try {
    return path.dirname(createRequire(path.join(fromDir, 'x.js')).resolve(`${name}/package.json`));
  } catch {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (path.dirname(dir) === dir) return undefined;
    }
  }
}
