/**
 * `stillwater image`: a Docker build context for a compiled pipeline's steps — the
 * bundles, the part of the kernel they load (its step libraries), exactly the npm
 * packages those import with a lockfile cut from the install they ran with, and a
 * Dockerfile. Built with `docker build`; with no daemon, `npm ci` in a copy of the
 * folder and the step entry contract run the steps the same way (tests do that).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../../pipeline/canonical-json.js';
import { packageName } from '../../pipeline/packages.js';
import { loadPipeline } from '../../runner/load-pipeline.js';
import { dnsLabelText } from '../names.js';
import { ImageContextError } from '../errors.js';
import { dockerfile } from './dockerfile.js';
import { KERNEL, kernelSlice } from './kernel-files.js';
import { type LockEntry, lockedClosure, readLockfile } from './lockfile.js';
import { moduleImports } from './module-imports.js';

/** Imported only inside try/catch for an environment a container never is. */
const OPTIONAL_PACKAGES: Record<string, string> = {
  tslab: 'the notebook displays talk to tslab only inside a tslab kernel',
};
const MARKER = '.stillwater-image';
const VENDOR = 'vendor/stillwater-kernel';

export interface ImageContext {
  dir: string;
  /** npm packages in the image (top level), name → exact version. */
  packages: Record<string, string>;
  /** Kernel files copied, relative to its package folder. */
  kernelFiles: string[];
  steps: string[];
}

export async function writeImageContext(
  notebookOrDir: string,
  outDir: string,
  options: { cwd?: string } = {},
): Promise<ImageContext> {
  const cwd = options.cwd ?? process.cwd();
  const { spec, dir } = await loadPipeline(notebookOrDir, { cwd });
  const out = path.resolve(cwd, outDir);
  prepareOutDir(out);

  const kernelSpecs = new Set<string>();
  const packages = new Set<string>();
  for (const step of spec.steps) {
    for (const spec_ of moduleImports(readFileSync(path.join(dir, step.bundle), 'utf8')).bare) {
      const name = packageName(spec_);
      if (name === KERNEL) kernelSpecs.add(spec_);
      else if (name) packages.add(name);
    }
  }
  const root = installRoot(dir);
  const slice = kernelSlice(path.join(root, 'node_modules', KERNEL), [...kernelSpecs].sort());
  for (const p of slice.packages) packages.add(p);
  for (const p of Object.keys(OPTIONAL_PACKAGES)) packages.delete(p);

  const { lock, file: lockFile } = readLockfile(root);
  const { entries, versions } = lockedClosure(lock, [...packages].sort(), lockFile);
  const name = `stillwater-steps-${dnsLabelText(spec.name)}`;
  const dependencies = { [KERNEL]: `file:${VENDOR}`, ...versions };
  writeFileSync(
    path.join(out, 'package.json'),
    `${canonicalJson({ name, version: '0.0.0', private: true, type: 'module', dependencies })}\n`,
  );
  const kernelVersion = slice.packageJson.version;
  const lockPackages: Record<string, LockEntry> = {
    '': { name, version: '0.0.0', dependencies },
    [`node_modules/${KERNEL}`]: { resolved: VENDOR, link: true },
    [VENDOR]: { name: KERNEL, version: kernelVersion },
    ...entries,
  };
  writeFileSync(
    path.join(out, 'package-lock.json'),
    `${canonicalJson({ name, version: '0.0.0', lockfileVersion: 3, requires: true, packages: lockPackages })}\n`,
  );

  const kernelOut = path.join(out, VENDOR);
  for (const f of slice.files) {
    mkdirSync(path.dirname(path.join(kernelOut, f)), { recursive: true });
    cpSync(path.join(root, 'node_modules', KERNEL, f), path.join(kernelOut, f));
  }
  writeFileSync(path.join(kernelOut, 'package.json'), `${canonicalJson(vendoredPackageJson(slice))}\n`);

  mkdirSync(path.join(out, 'pipeline', 'steps'), { recursive: true });
  cpSync(path.join(dir, 'pipeline.json'), path.join(out, 'pipeline', 'pipeline.json'));
  for (const f of readdirSync(path.join(dir, 'steps')).sort()) {
    cpSync(path.join(dir, 'steps', f), path.join(out, 'pipeline', 'steps', f));
  }
  writeFileSync(path.join(out, 'Dockerfile'), dockerfile(spec.name));
  writeFileSync(path.join(out, '.dockerignore'), 'node_modules\n');
  writeFileSync(path.join(out, MARKER), `${spec.hash}\n`);
  return { dir: out, packages: versions, kernelFiles: slice.files, steps: spec.steps.map((s) => s.name) };
}

/** An empty (or earlier image context) folder to write into; anything else is refused. */
function prepareOutDir(out: string): void {
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!existsSync(path.join(out, MARKER))) {
      throw new ImageContextError(
        `${out}: not empty and not an image context written by stillwater; choose another -o`,
      );
    }
    rmSync(out, { recursive: true });
  }
  mkdirSync(out, { recursive: true });
}

/** The folder whose node_modules the pipeline's bundles resolve the kernel from. */
function installRoot(pipelineDir: string): string {
  for (let d = pipelineDir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'node_modules', KERNEL, 'package.json'))) return d;
    if (path.dirname(d) === d) {
      throw new ImageContextError(`${pipelineDir}: ${KERNEL} is not installed where the steps would find it`);
    }
  }
}

/** The kernel's package.json, with only the subpaths whose files are copied. */
function vendoredPackageJson(slice: ReturnType<typeof kernelSlice>) {
  const files = new Set(slice.files);
  const exports = Object.fromEntries(
    Object.entries(slice.packageJson.exports).filter(([, v]) => {
      const target = (typeof v === 'string' ? v : v.default).replace(/^\.\//, '');
      return target.includes('*')
        ? slice.files.some((f) => f.startsWith(target.slice(0, target.indexOf('*'))))
        : files.has(target) || target === 'package.json';
    }),
  );
  return { name: slice.packageJson.name, version: slice.packageJson.version, type: 'module', exports };
}
