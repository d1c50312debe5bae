/**
 * The installed packages a step bundle runs with, for its cache key (cache.ts).
 * A bundle holds the notebook's code and the step runtime, but imports packages
 * (the kernel, apache-arrow, anything from node_modules) from wherever Node finds
 * them at run time; upgrading one can change what the step computes, so a cached
 * result made with another version must not be reused. Each package counts by the
 * version in its package.json; the kernel also by the build of its step libraries
 * (`dist/step-libs/build.json`), whose code changes without a version bump while
 * the kernel is developed in this repository.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageDir, packageName } from '../pipeline/packages.js';

const KERNEL = '@stillwater/kernel';
/** Loaded by the step runtime itself (lazily, by kind), whatever the notebook imports. */
const ALWAYS = [KERNEL, 'apache-arrow'];

/** Package names a bundle imports: static imports, re-exports, and `import()` / `require()` of a literal string. */
export function bundlePackages(bundleText: string): string[] {
  const names = new Set<string>(ALWAYS);
  for (const m of bundleText.matchAll(
    /(?:^import\s[^'"]*?["']|^export\s[^'"]*?\sfrom\s["']|\b(?:import|require)\(\s*["'])([^"']+)["']/gm,
  )) {
    const name = packageName(m[1]!);
    if (name) names.add(name);
  }
  return [...names].sort();
}

/**
 * `name → version` of each package as Node finds it from `fromDir` (`?` when it is
 * not installed: the step will fail on it anyway). Memoised per folder and name.
 */
export class PackageVersions {
  private readonly known = new Map<string, string>();

  of(names: readonly string[], fromDir: string): Record<string, string> {
    return Object.fromEntries(names.map((n) => [n, this.version(n, fromDir)]));
  }

  private version(name: string, fromDir: string): string {
    const key = `${fromDir}\0${name}`;
    let v = this.known.get(key);
    if (v === undefined) {
      v = readVersion(name, fromDir);
      this.known.set(key, v);
    }
    return v;
  }
}

function readVersion(name: string, fromDir: string): string {
  const dir = packageDir(name, fromDir);
  if (!dir) return '?';
  let version = '?';
  try {
    version = String(
      (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version,
    );
  } catch {
    return '?';
  }
  if (name === KERNEL) {
    try {
      version += `+${(JSON.parse(readFileSync(path.join(dir, 'dist', 'step-libs', 'build.json'), 'utf8')) as { hash: string }).hash}`;
    } catch {
      // No step libraries built: the version alone.
    }
  }
  return version;
}
