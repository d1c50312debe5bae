/**
 * The two expression grammars share one lexer (expr-lex.ts) in two modes; these
 * pin where the modes differ: qualifiers, arithmetic, Spark's number suffixes,
 * operator spellings and signs.
 */
import { describe, expect, it } from 'vitest';
import { parseRowExpr } from '../../../kernel-lib/src/lakehouse/dml/row-expr.js';
import { lex } from '../../../kernel-lib/src/lakehouse/expr-lex.js';
import { ExpressionError, parseExpr } from '../../../kernel-lib/src/lakehouse/index.js';

const kinds = (src: string, mode: 'filter' | 'row') => lex(src, mode).map((t) => `${t.t}:${t.v}`);

describe('one lexer, two grammars', () => {
  it('filter mode: dotted names are one identifier, a sign belongs to a value', () => {
    expect(kinds('a.b >= -1.5', 'filter')).toEqual(['ident:a.b', 'op:>=', 'num:-1.5', 'eof:']);
    expect(kinds('x <> 2', 'filter')).toEqual(['ident:x', 'op:<>', 'num:2', 'eof:']);
    expect(() => lex('a % 2', 'filter')).toThrow(ExpressionError);
  });

  it('row mode: qualifiers, arithmetic, suffixes and canonical operator spellings', () => {
    expect(kinds('t.id == s.id', 'row')).toEqual([
      'ident:t',
      'op:.',
      'ident:id',
      'op:=',
      'ident:s',
      'op:.',
      'ident:id',
      'eof:',
    ]);
    expect(kinds('v-1L <> 2.5D', 'row')).toEqual(['ident:v', 'op:-', 'num:1', 'op:!=', 'num:2.5', 'eof:']);
    expect(kinds("a || 'x''y' <=> b % 3", 'row')).toEqual([
      'ident:a',
      'op:||',
      "str:x'y",
      'op:<=>',
      'ident:b',
      'op:%',
      'num:3',
      'eof:',
    ]);
  });

  it('both parsers build on it and report positions in their errors', () => {
    expect(parseRowExpr('t.v * 2 + 1')).toEqual({
      kind: 'bin',
      op: '+',
      left: {
        kind: 'bin',
        op: '*',
        left: { kind: 'col', qualifier: 't', name: 'v' },
        right: { kind: 'num', text: '2' },
      },
      right: { kind: 'num', text: '1' },
    });
    expect(parseRowExpr('-x')).toEqual({ kind: 'unary', op: 'neg', arg: { kind: 'col', name: 'x' } });
    expect(parseExpr('a.b = -1')).toMatchObject({ kind: 'cmp' });
    expect(() => parseRowExpr("a = 'open")).toThrow(/unterminated string literal at position 4/);
    expect(() => parseRowExpr('a = #')).toThrow(/unexpected character "#" at position 4/);
  });
});
