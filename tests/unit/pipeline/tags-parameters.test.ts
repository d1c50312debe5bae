import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { literalValue } from '../../../kernel-lib/src/pipeline/analysis.js';
import { checkNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import { type DeclaredParameter, readPipelineParameters } from '../../../kernel-lib/src/tags/index.js';
import { repoRoot } from '../../helpers/paths.js';

/**
 * What the compiler accepts in a parameters cell, by its own rules (TypeScript's parser
 * and `literalValue` from analysis.ts), for snippets too many to compile one by one.
 */
function compilerReading(source: string): DeclaredParameter[] {
  const sf = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  const out: DeclaredParameter[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || !(st.declarationList.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let))) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || !d.initializer) continue;
      const v = literalValue(d.initializer);
      if (v && !out.some((p) => p.name === (d.name as ts.Identifier).text))
        out.push({ name: d.name.text, type: v.type, default: v.value });
    }
  }
  return out;
}

const snippets = [
  'const a = 1;\nconst b = "two";\nlet c = true;\nconst d = null;',
  'const a: number = -3, b = +4.5e2\nconst c = 0x1F, d = 1_000, e = .5',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal with a substitution, as source text
  "const s = 'it\\'s \\u0041\\x42\\u{1F600}\\n', t = `tpl\nline`, u = `x${1}`",
  'const o = { seed: 42, "two words": [1, 2, ], 3: { on: false }, default: "d" }',
  'const xs = [1, [2, [3]], {a: "b"}] as const\nconst ys = ([1, 2]) satisfies number[]',
  'const m: Map<string, number> = new Map()\nconst n: Array<{ a: number }> = [{ a: 1 }]',
  'const f: (x: number) => number = 3',
  'var v = 1\nconst w = 2 + 3\nconst x = Math.PI, y = 7',
  'const [p, q] = [1, 2]\nconst { r } = { r: 1 }\nconst z = 9',
  'let u\nlet k = 1\nconst k = 2',
  'export const e = "exported"\ndeclare const dd: number\nconst big = 10n',
  '// a comment\nconst a = 1 // trailing\n/* block\n */ const b = [/* none */]',
  'const a = 1\n-1\nconst b = [1,, 2]\nconst c = { ...{} }\nconst d = { x }',
  'const a = 5 as number as unknown\nconst b = (-(1))\nconst c = - 2',
  'console.log(1); const after = "same line"; if (x) { const inner = 1 }',
  'const a = [1, foo], b = 2\nconst c = a < b, d = 3',
];

describe('readPipelineParameters (browser-safe) agrees with the compiler', () => {
  it.each(snippets)('%s', (source) => {
    expect(readPipelineParameters(source)).toEqual(compilerReading(source));
  });

  it('reads names, types and defaults', () => {
    expect(readPipelineParameters("const rate = 0.5;\nconst name: string = 'x'\nconst cfg = { a: [true] }")).toEqual([
      { name: 'rate', type: 'number', default: 0.5 },
      { name: 'name', type: 'string', default: 'x' },
      { name: 'cfg', type: 'json', default: { a: [true] } },
    ]);
  });

  const dir = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');
  const withParameters = readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .filter((f) => readFileSync(path.join(dir, f), 'utf8').includes('pipeline-parameters'));

  it.each(withParameters)('fixture %s: same parameters as the compiled analysis', async (file) => {
    const checked = await checkNotebook(path.join(dir, file));
    expect(checked.analysis, 'the fixture is analysed').toBeDefined();
    const fromCompiler = checked.analysis!.parameters.map(({ cell: _cell, ...p }) => p);
    const fromTags = checked.graph.cells.flatMap((b, i) =>
      b.role === 'parameters' ? readPipelineParameters(checked.analysis!.cells.find((c) => c.index === i)!.source) : [],
    );
    expect(fromTags).toEqual(fromCompiler);
    expect(fromTags.length).toBeGreaterThan(0);
  });
});
