// Build step (after tsc): V8's code cache for the TypeScript compiler, written into
// dist/pipeline/v8/, so the first compile after a build does not compile
// typescript.js (9 MB) and the parser, binder and checker functions from scratch
// (~180 ms). It is what the runtime writes after its first analysis (typescript.ts),
// produced here by checking a small sample notebook. V8 rejects it under another
// Node version or V8 flags, and the runtime then compiles as before.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/pipeline/', import.meta.url));
const out = path.join(dist, 'v8');
// Old caches out first: loading TypeScript below must compile it, not read one of them.
rmSync(out, { recursive: true, force: true });
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'stillwater-build-cache-'));
// Inside the package, so the sample's imports resolve from its node_modules.
const sampleDir = mkdtempSync(path.join(dist, 'warmup-'));
process.env.STILLWATER_CACHE_DIR = cacheDir;
delete process.env.STILLWATER_NO_CACHE;

const code = (source, tags = []) => ({
  cell_type: 'code',
  metadata: { tags },
  outputs: [],
  execution_count: null,
  source,
});
const sample = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { stillwater: { name: 'warmup' } },
  cells: [
    code("import { tableFromArrays, type Table } from 'apache-arrow';", ['imports']),
    code("const rows = 100;\nconst scale = 0.5;\nconst tag = 'w';", ['pipeline-parameters']),
    code(
      'function mean(xs: ArrayLike<number>): number {\n  let s = 0;\n  for (let i = 0; i < xs.length; i++) s += xs[i]!;\n  return xs.length ? s / xs.length : 0;\n}',
      ['functions'],
    ),
    code(
      'const xs = Float64Array.from({ length: rows }, (_, i) => i * scale);\nconst table: Table = tableFromArrays({ x: xs });\nconst names = new Map<string, number>([[tag, 1]]);',
      ['step:load'],
    ),
    code(
      "interface Row { id: number; label: string; }\nconst rowsOut: Row[] = [...names].map(([label, id]) => ({ id, label }));\nconst avg = mean(table.getChild('x')!.toArray() as Float64Array);\nconst stats = { avg, n: rowsOut.length, when: new Date(0) };",
      ['step:summarise', 'prev:load'],
    ),
    code('avg', ['pipeline-metrics']),
  ],
};
const notebook = path.join(sampleDir, 'warmup.ipynb');
writeFileSync(notebook, JSON.stringify(sample));
try {
  const { checkNotebook } = await import('../dist/pipeline/index.js');
  const result = await checkNotebook(notebook);
  if (!result.ok)
    throw new Error(`the sample notebook does not check: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  const written = readdirSync(path.join(cacheDir, 'v8'), { withFileTypes: true }).filter((f) =>
    f.name.endsWith('.bin'),
  );
  if (written.length !== 1) throw new Error(`expected one code cache, found ${written.length}`);
  mkdirSync(out, { recursive: true });
  copyFileSync(path.join(cacheDir, 'v8', written[0].name), path.join(out, written[0].name));
  console.log(`compiler code cache: ${path.relative(process.cwd(), path.join(out, written[0].name))}`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(sampleDir, { recursive: true, force: true });
}
