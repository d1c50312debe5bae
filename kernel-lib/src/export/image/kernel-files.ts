/**
 * The part of the installed kernel package the step bundles load: the files reachable
 * from the subpaths they import (through the package's `exports`), following relative
 * imports and `new URL` siblings. Returns those files and the packages they import.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { packageName } from '../../pipeline/packages.js';
import { ImageContextError } from '../errors.js';
import { moduleImports } from './module-imports.js';

export const KERNEL = '@stillwater/kernel';

interface PackageJson {
  name: string;
  version: string;
  exports: Record<string, string | { default: string; types?: string }>;
}

export interface KernelSlice {
  /** Files relative to the package folder (posix), sorted. */
  files: string[];
  /** Package names those files import (not the kernel itself, not builtins). */
  packages: string[];
  packageJson: PackageJson;
}

/** The file a kernel subpath import resolves to, through `exports` (with `*` patterns). */
function resolveSubpath(pkg: PackageJson, specifier: string): string {
  const sub = `.${specifier.slice(KERNEL.length)}`;
  for (const [key, value] of Object.entries(pkg.exports)) {
    const target = typeof value === 'string' ? value : value.default;
    if (key === sub) return target;
    const star = key.indexOf('*');
    if (star >= 0 && sub.startsWith(key.slice(0, star)) && sub.endsWith(key.slice(star + 1))) {
      const middle = sub.slice(star, sub.length - (key.length - star - 1));
      return target.replace('*', middle);
    }
  }
  throw new ImageContextError(`${specifier}: not exported by the installed ${KERNEL}`);
}

export function kernelSlice(kernelDir: string, specifiers: string[]): KernelSlice {
  const packageJson = JSON.parse(readFileSync(path.join(kernelDir, 'package.json'), 'utf8')) as PackageJson;
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = specifiers.map((s) => path.posix.normalize(resolveSubpath(packageJson, s)));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file) || file === 'package.json') continue;
    files.add(file);
    if (!/\.(m?js|cjs)$/.test(file)) continue;
    let text: string;
    try {
      text = readFileSync(path.join(kernelDir, file), 'utf8');
    } catch {
      throw new ImageContextError(`${path.join(kernelDir, file)}: missing from the installed ${KERNEL} (is it built?)`);
    }
    const imports = moduleImports(text);
    for (const rel of imports.relative)
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), rel)));
    for (const spec of imports.bare) {
      const name = packageName(spec);
      if (name === KERNEL) queue.push(path.posix.normalize(resolveSubpath(packageJson, spec)));
      else if (name && !builtinModules.includes(name)) packages.add(name);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort(), packageJson };
}
