/**
 * The step libraries (`@stillwater/kernel/step-libs/*`, built by
 * scripts/build-step-libs.mjs): apache-arrow and the kernel's notebook-facing
 * modules bundled as a few ES modules that share chunks. Step bundles import
 * them instead of the packages' own module trees, which saves a step process
 * loading a couple of hundred files at start-up (tests/bench/pipeline's step start-up).
 *
 * Swapping packages under notebook code is only safe while nothing else in the
 * step loads another copy of Arrow — Arrow's classes are checked with
 * `instanceof`, so a table from one copy is not a table to the other. So a
 * compile uses the step libraries only when every package the steps import
 * outside the swapped ones neither is nor depends on apache-arrow, the notebook
 * resolves apache-arrow to the kernel's own copy, no step deep-imports Arrow or
 * `require`s a swapped package (the libraries are ES modules), and the installed
 * kernel has them built. Otherwise the bundles import the packages as always.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageDir, packageName } from './packages.js';

/** One step library: its file name under dist/step-libs, the import it stands for, and its source under dist/. */
export interface StepLibEntry {
  name: string;
  specifier: string;
  /** Module under dist/ (a package name for apache-arrow). */
  source: string;
}

export const STEP_LIB_ENTRIES: readonly StepLibEntry[] = [
  { name: 'arrow', specifier: 'apache-arrow', source: 'apache-arrow' },
  { name: 'index', specifier: '@stillwater/kernel', source: 'index.js' },
  { name: 'lakehouse', specifier: '@stillwater/kernel/lakehouse', source: 'lakehouse/index.js' },
  { name: 'data', specifier: '@stillwater/kernel/data', source: 'data/index.js' },
  { name: 'ml', specifier: '@stillwater/kernel/ml', source: 'ml/index.js' },
  { name: 'notebook', specifier: '@stillwater/kernel/notebook', source: 'notebook/index.js' },
];

/**
 * Defined by the compiler (esbuild `define`) in step bundles: true when they use
 * the step libraries, so the step runtime's own lazy imports match the notebook's.
 */
export const STEP_LIBS_DEFINE = '__STILLWATER_STEP_LIBS__';

const KERNEL = '@stillwater/kernel';
const STEP_LIBS = `${KERNEL}/step-libs/`;

/** The import a step bundle uses for a swapped specifier. */
export const stepLibSpecifier = (name: string): string => `${STEP_LIBS}${name}`;

/**
 * esbuild aliases pointing step bundles at the step libraries. Kernel subpaths
 * that are not swapped map to themselves: esbuild applies the longest matching
 * alias, and `@stillwater/kernel` alone would otherwise catch them too.
 */
export function stepLibAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const e of STEP_LIB_ENTRIES) aliases[e.specifier] = stepLibSpecifier(e.name);
  for (const sub of ['pipeline', 'runner', 'tags', 'package.json']) aliases[`${KERNEL}/${sub}`] = `${KERNEL}/${sub}`;
  return aliases;
}

/** An import of a built step bundle, as esbuild's metafile lists it. */
export interface BundleImport {
  path: string;
  kind: string;
}

/**
 * Why the step libraries cannot be used for bundles made with the aliases,
 * given the external imports those bundles ended up with; undefined when they can.
 */
export function stepLibsRefusal(notebookDir: string, imports: readonly BundleImport[]): string | undefined {
  const fromNotebook = createRequire(path.join(notebookDir, 'notebook.js'));
  for (const imp of imports) {
    if (imp.path.startsWith(STEP_LIBS)) {
      const name = imp.path.slice(STEP_LIBS.length);
      if (!STEP_LIB_ENTRIES.some((e) => e.name === name))
        return `a step imports ${imp.path.replace(STEP_LIBS, '')} deeply`;
      if (imp.kind === 'require-call') return 'a step require()s a package the step libraries replace';
    }
  }
  let kernelDir: string;
  try {
    kernelDir = path.dirname(fromNotebook.resolve(`${KERNEL}/package.json`));
    for (const e of STEP_LIB_ENTRIES) {
      if (!existsSync(fromNotebook.resolve(stepLibSpecifier(e.name)))) return 'the step libraries are not built';
    }
  } catch {
    return 'the step libraries are not built';
  }
  const arrowOf = (from: NodeJS.Require) => {
    try {
      return from.resolve('apache-arrow/package.json');
    } catch {
      return undefined;
    }
  };
  if (arrowOf(fromNotebook) !== arrowOf(createRequire(path.join(kernelDir, 'package.json')))) {
    return "the notebook's apache-arrow is not the kernel's";
  }
  const packages = new Set<string>();
  for (const imp of imports) {
    const p = packageName(imp.path);
    if (p === undefined) continue;
    // The kernel's other modules (the compiler, the runner) load Arrow from the package.
    if (p === KERNEL && !imp.path.startsWith(STEP_LIBS)) return `a step imports ${imp.path}`;
    if (p !== KERNEL) packages.add(p);
  }
  for (const p of packages) {
    if (dependsOnArrow(p, notebookDir)) return `package ${p} is or depends on apache-arrow`;
  }
  return undefined;
}

/** Whether `pkg`, resolved from `fromDir`, is apache-arrow or depends on it, directly or through its dependencies. */
function dependsOnArrow(pkg: string, fromDir: string, seen = new Set<string>()): boolean {
  if (pkg === 'apache-arrow') return true;
  const found = packageDir(pkg, fromDir);
  if (!found) return false;
  const manifest = path.join(found, 'package.json');
  if (seen.has(manifest)) return false;
  seen.add(manifest);
  let json: Record<string, Record<string, string> | undefined>;
  try {
    json = JSON.parse(readFileSync(manifest, 'utf8')) as typeof json;
  } catch {
    return false;
  }
  const deps = new Set([
    ...Object.keys(json.dependencies ?? {}),
    ...Object.keys(json.peerDependencies ?? {}),
    ...Object.keys(json.optionalDependencies ?? {}),
  ]);
  const dir = path.dirname(manifest);
  for (const d of deps) if (dependsOnArrow(d, dir, seen)) return true;
  return false;
}
