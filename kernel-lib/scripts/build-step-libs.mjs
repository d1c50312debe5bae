// Build step (after tsc): the step libraries, dist/step-libs/ — apache-arrow and the kernel's
// modules that notebook code imports, bundled once here as a few ES modules sharing chunks.
// A step process loading them reads ~10 files instead of ~200 (apache-arrow alone is ~170
// modules), which is ~80 ms of start-up per step on this project's machine. The compiler points
// step bundles at them (src/pipeline/step-libs.ts says when); tslab and everything else keep
// using the package's ordinary modules. One chunk graph means one copy of Arrow per process,
// so tables built by notebook code and by the kernel are instances of the same classes.
//
// The workers are entries too, next to the chunks, because the kernel finds them relative to
// its own module (`new URL('./parquet-worker.js', import.meta.url)`), and `../../package.json`
// (read for the Delta commit's engine info) resolves from here as from dist/<module>/.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { STEP_LIB_ENTRIES } from '../dist/pipeline/step-libs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'step-libs');
const pkg = (await import(path.join(root, 'package.json'), { with: { type: 'json' } })).default;

rmSync(outdir, { recursive: true, force: true });
const entries = {
  ...Object.fromEntries(
    STEP_LIB_ENTRIES.map((e) => [e.name, e.source.endsWith('.js') ? path.join(dist, e.source) : e.source]),
  ),
  'parquet-worker': path.join(dist, 'lakehouse', 'parquet-worker.js'),
  'grid-worker': path.join(dist, 'ml', 'grid-worker.js'),
};
const result = await esbuild.build({
  entryPoints: entries,
  outdir,
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // apache-arrow and its own dependencies are inlined; the kernel's other dependencies stay
  // packages (parquet-wasm and ml-xgboost load .wasm files next to their modules).
  external: Object.keys(pkg.dependencies).filter((d) => d !== 'apache-arrow'),
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const files = Object.keys(result.metafile.outputs).sort();
// Which build this is (runner/step-packages.ts): a step's cache key changes with the kernel's
// code even while its version number does not.
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(readFileSync(path.resolve(root, f)));
writeFileSync(path.join(outdir, 'build.json'), `${JSON.stringify({ hash: hash.digest('hex').slice(0, 16) })}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `step libraries: ${files.length} files, ${(bytes / 1024).toFixed(0)} KB in ${path.relative(process.cwd(), outdir)}`,
);
