import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkNotebook,
  compileNotebook,
  PipelineCompileError,
  specSchemaErrors,
} from '../../../kernel-lib/src/pipeline/index.js';
import { repoRoot } from '../../helpers/paths.js';

const dir = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');
const outRoot = path.join(repoRoot, 'tests', '.out', 'pipeline-fixtures');

interface Expected {
  ok: boolean;
  errors?: { code: string; cell?: number; line?: number; tag?: string; variable?: string }[];
  warnings?: { code: string; cell?: number; line?: number; variable?: string }[];
  steps?: Record<
    string,
    { deps: string[]; inputs: string[]; outputs: string[]; parameters: string[]; metrics: string[] }
  >;
}
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
const names = Object.keys(expected);
const pick = (d: object, keys: string[]) =>
  Object.fromEntries(Object.entries(d).filter(([k, v]) => keys.includes(k) && v !== undefined));

describe('fixture corpus (tests/fixtures/notebooks)', () => {
  it('covers every notebook in the folder with at least 15 notebooks', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ipynb'))
      .map((f) => f.replace(/\.ipynb$/, ''))
      .sort();
    expect(files).toEqual([...names].sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(names.filter((n) => !expected[n]!.ok).length).toBeGreaterThanOrEqual(10);
  });

  it.each(names)('%s: diagnostics and data flow as expected', async (name) => {
    const exp = expected[name]!;
    const r = await checkNotebook(path.join(dir, `${name}.ipynb`));
    expect(r.ok).toBe(exp.ok);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
    expect(errors.map((d) => pick(d, ['code', 'cell', 'line', 'tag', 'variable']))).toEqual(exp.errors ?? []);
    expect(warnings.map((d) => pick(d, ['code', 'cell', 'line', 'variable']))).toEqual(exp.warnings ?? []);
    // Every diagnostic about a cell names it: `cell N ("first line")`.
    for (const d of r.diagnostics)
      if (d.cell !== undefined) expect(d.message).toContain(`cell ${d.cell} (${JSON.stringify(d.cellFirstLine)})`);
    if (exp.ok) {
      const flows = Object.fromEntries(
        r.analysis!.steps.map((s) => [
          s.name,
          {
            deps: r.graph.steps.find((g) => g.name === s.name)!.deps,
            inputs: s.inputs.map((i) => `${i.name}<${i.from}:${i.marshal}`),
            outputs: s.outputs.map((o) => `${o.name}:${o.marshal}`),
            parameters: s.parameters,
            metrics: s.metrics,
          },
        ]),
      );
      expect(flows).toEqual(exp.steps);
    }
  });

  const compilable = names.filter((n) => expected[n]!.ok);
  it.each(compilable)('%s: compiles to a schema-valid, byte-for-byte deterministic pipeline', async (name) => {
    const nb = path.join(dir, `${name}.ipynb`);
    const outDir = path.join(outRoot, name);
    rmSync(outDir, { recursive: true, force: true });
    const { spec } = await compileNotebook(nb, { outDir });
    expect(specSchemaErrors(spec)).toEqual([]);
    const onDisk = JSON.parse(readFileSync(path.join(outDir, 'pipeline.json'), 'utf8'));
    expect(specSchemaErrors(onDisk)).toEqual([]);
    expect(onDisk).toEqual(spec);
    const files = ['pipeline.json', ...spec!.steps.flatMap((s) => [s.bundle, `${s.bundle}.map`])];
    const before = files.map((f) => readFileSync(path.join(outDir, f)));
    // Recompile over the same folder and into a fresh one: identical bytes.
    const again = await compileNotebook(nb, { outDir });
    expect(again.spec!.hash).toBe(spec!.hash);
    for (const [i, f] of files.entries()) expect(readFileSync(path.join(outDir, f)).equals(before[i]!), f).toBe(true);
    rmSync(outDir, { recursive: true, force: true });
    await compileNotebook(nb, { outDir });
    for (const [i, f] of files.entries()) expect(readFileSync(path.join(outDir, f)).equals(before[i]!), f).toBe(true);
    // No absolute paths or timestamps leak into the output.
    for (const b of before) expect(b.toString('utf8')).not.toContain(repoRoot);
  });

  it('compileNotebook throws PipelineCompileError listing every error with its cell', async () => {
    const nb = path.join(dir, 'err-parameters-cell.ipynb');
    const err = await compileNotebook(nb, { outDir: path.join(outRoot, 'never') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineCompileError);
    const e = err as PipelineCompileError;
    expect(e.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(2);
    expect(e.message).toContain('2 errors');
    expect(e.message).toContain(
      'cell 0 ("const rate = 0.5;"), line 2: pipeline-parameters cell: parameter "seed" must be initialised with a literal',
    );
  });
});
