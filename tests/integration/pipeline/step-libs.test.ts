/**
 * The step libraries (kernel-lib/src/pipeline/step-libs.ts): step bundles load
 * apache-arrow and the kernel's notebook modules from the prebuilt bundle, with
 * one copy of Arrow shared by notebook code, the kernel and the step runtime,
 * and the kernel's worker threads found next to them — unless something in the
 * steps rules that out, and then the bundles import the packages as always.
 * Uses the built package (npm test builds before vitest).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import { stepLibsRefusal } from '../../../kernel-lib/src/pipeline/step-libs.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';

async function compileAndRun(name: string, cells: ReturnType<typeof code>[]) {
  const { dir, nb } = writeNotebook(name, cells);
  const outDir = path.join(dir, 'compiled');
  const compiled = await compileNotebook(nb, { outDir });
  expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const bundle = (step: string) => readFileSync(path.join(outDir, 'steps', `${step}.mjs`), 'utf8');
  const h = runPipeline(outDir, { home: path.join(dir, 'home'), cache: false });
  for await (const _ of h) {
    // drain
  }
  return { bundle, result: await h.result };
}

/** The package imports a bundle's code makes (static and dynamic). */
const importsOf = (js: string) =>
  [...js.matchAll(/(?:from |import\()"([^"]+)"/g)].map((m) => m[1]).filter((s) => !s!.startsWith('node:'));

describe('step libraries', () => {
  it('share one Arrow between notebook code, the kernel and the runtime, with the kernel workers running', async () => {
    const { bundle, result } = await compileAndRun('step-libs', [
      code(
        ['imports'],
        "import { Table, tableFromArrays } from 'apache-arrow';\n" +
          "import { Lakehouse, parquetDecodeJobs, parquetWorkerJobs } from '@stillwater/kernel/lakehouse';\n" +
          "import { gridSearch } from '@stillwater/kernel/ml';",
      ),
      code(
        ['step:make'],
        // 5 MB of columns, 2.5 MB of it incompressible: Parquet encoding and decoding both go to
        // the worker threads (from 2 MB).
        'const n = 320_000;\n' +
          'const t: Table = tableFromArrays({ x: Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e6), y: Float64Array.from({ length: n }, (_, i) => i % 2) });\n' +
          "const lake = new Lakehouse('lake');\n" +
          "await lake.table('bronze/t').write(t, { mode: 'overwrite' });\n" +
          "const back = await lake.table('bronze/t').read();\n" +
          'const readIsTable = back instanceof Table ? 1 : 0;\n' +
          'const parquetJobs = parquetWorkerJobs() + parquetDecodeJobs();',
      ),
      code(
        ['step:use', 'prev:make'],
        'const passedIsTable = t instanceof Table ? 1 : 0;\n' +
          "const models = await gridSearch(t.select(['x']).slice(0, 2000), t.getChild('y')!.slice(0, 2000), [{ rounds: 2 }, { rounds: 3 }], { workers: 2 });\n" +
          'const gridModels = models.filter((m) => m.bytes.byteLength > 0).length;',
      ),
      code(['pipeline-metrics'], 'readIsTable\nparquetJobs\npassedIsTable\ngridModels'),
    ]);
    // Each step imports what its own cells use.
    expect(importsOf(bundle('make')).sort()).toEqual([
      '@stillwater/kernel/step-libs/arrow',
      '@stillwater/kernel/step-libs/lakehouse',
    ]);
    expect(importsOf(bundle('use')).sort()).toEqual([
      '@stillwater/kernel/step-libs/arrow',
      '@stillwater/kernel/step-libs/ml',
    ]);
    expect(bundle('make')).toContain('STEP_LIBS = true');
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('done');
    expect(result.metrics).toEqual({ readIsTable: 1, parquetJobs: 2, passedIsTable: 1, gridModels: 2 });
  });

  it('are not used when a step imports a package that depends on apache-arrow', async () => {
    const { dir, nb } = writeNotebook('step-libs-refused', [
      code(['imports'], "import { count } from 'arrow-user';\nimport { tableFromArrays } from 'apache-arrow';"),
      code(['step:one'], 'const rows = count(tableFromArrays({ a: [1, 2, 3] }));'),
      code(['pipeline-metrics'], 'rows'),
    ]);
    // A local package that brings Arrow along: its tables come from the package's copy.
    const pkg = path.join(dir, 'node_modules', 'arrow-user');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: 'arrow-user', type: 'module', main: 'index.js', dependencies: { 'apache-arrow': '*' } }),
    );
    writeFileSync(
      path.join(pkg, 'index.js'),
      "import { Table } from 'apache-arrow';\nexport const count = (t) => { if (!(t instanceof Table)) throw new Error('not a Table of my Arrow'); return t.numRows; };\n",
    );
    const outDir = path.join(dir, 'compiled');
    await compileNotebook(nb, { outDir });
    const js = readFileSync(path.join(outDir, 'steps', 'one.mjs'), 'utf8');
    expect(importsOf(js)).toContain('apache-arrow');
    expect(importsOf(js).filter((s) => s.includes('step-libs'))).toEqual([]);
    expect(js).toContain('STEP_LIBS = false');
    const h = runPipeline(outDir, { home: path.join(dir, 'home'), cache: false });
    for await (const _ of h) {
      // drain
    }
    const result = await h.result;
    expect(result.status).toBe('done');
    expect(result.metrics.rows).toBe(3);
  });

  it('says why it refuses', () => {
    const { dir } = writeNotebook('step-libs-reasons', []);
    const lib = (name: string, kind = 'import-statement') => ({ path: `@stillwater/kernel/step-libs/${name}`, kind });
    expect(stepLibsRefusal(dir, [lib('arrow'), lib('lakehouse'), { path: 'node:fs', kind: 'import-statement' }])).toBe(
      undefined,
    );
    expect(stepLibsRefusal(dir, [lib('arrow/util/bn')])).toBe('a step imports arrow/util/bn deeply');
    expect(stepLibsRefusal(dir, [lib('arrow', 'require-call')])).toBe(
      'a step require()s a package the step libraries replace',
    );
    expect(stepLibsRefusal(dir, [{ path: '@stillwater/kernel/runner', kind: 'import-statement' }])).toBe(
      'a step imports @stillwater/kernel/runner',
    );
    // commander does not bring Arrow; the kernel package itself is not "another package".
    expect(stepLibsRefusal(dir, [lib('arrow'), { path: 'commander', kind: 'import-statement' }])).toBe(undefined);
  });
});
