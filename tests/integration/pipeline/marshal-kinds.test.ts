import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkNotebook } from '../../../kernel-lib/src/pipeline/index.js';
import { repoRoot } from '../../helpers/paths.js';

// Inside the repository so 'apache-arrow' and '@stillwater/kernel' resolve from node_modules.
const dir = path.join(repoRoot, 'tests', '.out', 'pipeline-marshal');
let cases = 0;
beforeAll(() => rmSync(dir, { recursive: true, force: true }));

/** Checks a two-step notebook where step `make` declares `v` and step `use` reads it. */
async function verdict(declaration: string, imports = "import { tableFromArrays, type Table } from 'apache-arrow';") {
  mkdirSync(dir, { recursive: true });
  const nb = path.join(dir, `case-${cases++}.ipynb`);
  const cell = (source: string, tags: string[]) => ({ cell_type: 'code', metadata: { tags }, outputs: [], source });
  writeFileSync(
    nb,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        cell(imports, ['imports']),
        cell(declaration, ['step:make']),
        cell('console.log(v);', ['step:use', 'prev:make']),
      ],
    }),
  );
  const r = await checkNotebook(nb);
  const error = r.diagnostics.find((d) => d.severity === 'error');
  if (error) return { error: error.message };
  const input = r.analysis!.steps.find((s) => s.name === 'use')!.inputs.find((i) => i.name === 'v')!;
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code);
  return { kind: input.marshal, warnings };
}

describe('marshal kind by declared type', () => {
  it.each([
    ['const v = tableFromArrays({ a: new Int32Array([1]) });', 'arrow'],
    ['const v: Table | null = null;', 'arrow'],
    ['const v = [1, "a", true, null] as const;', 'structured-clone'],
    ['const v = new Map<string, Set<Date>>();', 'structured-clone'],
    ['const v = { a: { b: [new Float32Array(2)] }, when: new Date(0), re: /x/ };', 'structured-clone'],
    ['const v: [number, string] = [1, "a"];', 'structured-clone'],
    [
      'class Point { constructor(public x: number, public y: number) {} }\nconst v = new Point(1, 2);',
      'structured-clone',
    ],
    ['const v = 10n;', 'structured-clone'],
  ])('%s → %s', async (declaration, kind) => {
    expect(await verdict(declaration)).toEqual({ kind, warnings: [] });
  });

  it('any-typed values cross by structured clone with a warning', async () => {
    expect(await verdict('const v = JSON.parse("{}");')).toEqual({
      kind: 'structured-clone',
      warnings: ['untyped-variable'],
    });
  });

  it.each([
    ['const v = () => 1;', 'it is a function (() => number)'],
    ['const v = { run() { return 1; } };', 'it has a method run()'],
    ['const v = { f: (x: number) => x };', 'it has property "f" that is a function ((x: number) => number)'],
    ['const v = Promise.resolve(1);', 'it is a Promise (Promise<number>)'],
    ['const v = Symbol("s");', 'it is a symbol'],
    ['const v = new WeakMap<object, number>();', 'it is a WeakMap, which cannot be serialised'],
    ['const v = [tableFromArrays({ a: new Int32Array([1]) })];', 'it holds an Arrow Table inside Array'],
    ['const v = { t: tableFromArrays({ a: new Int32Array([1]) }) };', 'it holds an Arrow Table in property "t"'],
    [
      'const v = Math.random() > 0.5 ? tableFromArrays({ a: new Int32Array([1]) }) : 1;',
      'it mixes arrow and plain data',
    ],
    [
      'class Counter { n = 0; inc() { this.n++; } }\nconst v = new Counter();',
      'it is an instance of class Counter with methods (inc())',
    ],
  ])('%s → error', async (declaration, reason) => {
    const r = await verdict(declaration);
    expect(r.error).toContain('variable "v" of step "make" is used by step "use", but ');
    expect(r.error).toContain(reason);
    expect(r.error).toContain('move the code into a functions cell or recompute it in that step');
    expect(r.error).toMatch(/^cell 1 \(".*"\), line \d+: /);
  });

  it('function and class declarations cannot cross steps', async () => {
    expect((await verdict('function v() { return 1; }')).error).toBe(
      'cell 1 ("function v() { return 1; }"), line 1: function "v" of step "make" is used by step "use", but a function cannot be passed between steps; move it into a functions cell or recompute it in that step',
    );
    expect((await verdict('class v {}')).error).toContain('class "v" of step "make" is used by step "use"');
  });
});
