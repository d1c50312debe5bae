/**
 * The compiler wraps `throw` operands (`throw __sw_thrown(x)`) so non-Error values get
 * a stack; the step entry's source map must still point every token at its cell column,
 * and the wrapped code must throw exactly the original value.
 */
import { SourceMap } from 'node:module';
import { describe, expect, it } from 'vitest';
import { stackOfThrown, thrown } from '../../../kernel-lib/src/pipeline/runtime/thrown.js';
import { buildEntrySourceMap } from '../../../kernel-lib/src/pipeline/source-map.js';
import { throwOperands } from '../../../kernel-lib/src/pipeline/throw-sites.js';
import { wrapThrowOperands } from '../../../kernel-lib/src/pipeline/throw-wrap.js';
import { tsc } from '../../../kernel-lib/src/pipeline/typescript.js';

const cell = [
  "if (a) throw 'first'; else throw second;",
  'throw new Error(`kept as is`);',
  'const f = () => {',
  '  throw {',
  '    code: 7,',
  '  };',
  '};',
].join('\n');

const parse = (code: string) => tsc.createSourceFile('cell.ts', code, tsc.ScriptTarget.ES2022, true, tsc.ScriptKind.TS);

describe('throw operands', () => {
  const wrapped = wrapThrowOperands(cell, throwOperands(parse(cell)));

  it('wraps every operand but `new …`, line for line', () => {
    expect(wrapped.lines).toEqual([
      "if (a) throw __sw_thrown('first'); else throw __sw_thrown(second);",
      'throw new Error(`kept as is`);',
      'const f = () => {',
      '  throw __sw_thrown({',
      '    code: 7,',
      '  });',
      '};',
    ]);
    expect(wrapped.inserted[0]).toEqual([
      [13, 25],
      [32, 33],
      [46, 58],
      [64, 65],
    ]);
  });

  it('maps each original token of a wrapped line to its cell column, inserted text to where it went in', () => {
    const origins = wrapped.lines.map((_, line) => ({ cell: 3, line, inserted: wrapped.inserted[line] }));
    const map = new SourceMap(
      JSON.parse(buildEntrySourceMap(wrapped.lines, origins, 'nb.ipynb', new Map([[3, cell]]))),
    );
    const at = (line: number, genCol: number) => {
      const e = map.findEntry(line, genCol) as { originalSource: string; originalLine: number; originalColumn: number };
      return [e.originalSource, e.originalLine, e.originalColumn];
    };
    const first = wrapped.lines[0]!;
    expect(at(0, first.indexOf("'first'"))).toEqual(['nb.ipynb/cell-3', 0, cell.indexOf("'first'")]);
    expect(at(0, first.indexOf('__sw_thrown'))).toEqual(['nb.ipynb/cell-3', 0, cell.indexOf("'first'")]);
    expect(at(0, first.indexOf('else'))).toEqual(['nb.ipynb/cell-3', 0, cell.indexOf('else')]);
    expect(at(0, first.indexOf('second'))).toEqual(['nb.ipynb/cell-3', 0, cell.indexOf('second')]);
    expect(at(5, wrapped.lines[5]!.indexOf(';'))).toEqual(['nb.ipynb/cell-3', 5, 3]);
  });
});

describe('thrown()', () => {
  it('returns the value unchanged and remembers where it was thrown', () => {
    const value = { code: 7 };
    expect(thrown(value)).toBe(value);
    expect(stackOfThrown(value)).toMatch(/^thrown value\n\s+at .*throw-wrap\.test\.ts/);
    expect(thrown('x')).toBe('x');
    expect(stackOfThrown('x')).toMatch(/throw-wrap\.test\.ts/);
    expect(stackOfThrown('y')).toBeUndefined();
    const error = new Error('e');
    expect(thrown(error)).toBe(error);
    expect(stackOfThrown(error)).toBeUndefined();
  });
});
