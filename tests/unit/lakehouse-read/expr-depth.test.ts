/**
 * Issue 12 item 6: filters of any length, bounded nesting. Long flat AND/OR chains
 * and runs of NOT are evaluated exactly; nesting deeper than MAX_EXPR_DEPTH is an
 * ExpressionError, never a RangeError (stack overflow).
 */
import { describe, expect, it } from 'vitest';
import {
  bindExpr,
  boundColumns,
  type Expr,
  ExpressionError,
  evalRow,
  MAX_EXPR_DEPTH,
  mayMatchFile,
  parseExpr,
  referencedColumns,
  type ScalarReader,
  type StructType,
} from '../../../kernel-lib/src/lakehouse/index.js';

const schema: StructType = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] };
const ids = [0n, 1n, 7n, 3999n, 4000n, null];
const readers = new Map<string, ScalarReader>([['id', (i) => ids[i]!]]);

/** Row indexes of `ids` that `where` keeps. */
function matching(where: string | Expr): number[] {
  const bound = bindExpr(typeof where === 'string' ? parseExpr(where) : where, schema);
  return ids.flatMap((_, i) => (evalRow(bound, readers, i) === true ? [i] : []));
}

describe('filter depth (issue 12 item 6)', () => {
  it('evaluates a 4,000-term OR and a 4,000-term AND exactly, and skips files with them', () => {
    const or = Array.from({ length: 4000 }, (_, i) => `id = ${i}`).join(' or ');
    expect(matching(or)).toEqual([0, 1, 2, 3]);
    const and = Array.from({ length: 4000 }, (_, i) => `id != ${i + 1}`).join(' and ');
    expect(matching(and)).toEqual([0]);
    const bound = bindExpr(parseExpr(or), schema);
    expect(boundColumns(bound)).toEqual(['id']);
    expect(mayMatchFile(bound, new Map([['id', { min: 5000n, max: 6000n, nullCount: 0, numRecords: 9 }]]))).toBe(false);
    expect(mayMatchFile(bound, new Map([['id', { min: 3000n, max: 6000n, nullCount: 0, numRecords: 9 }]]))).toBe(true);
  });

  it('reads 25,000 NOTs as their parity', () => {
    expect(matching(`${'not '.repeat(25_000)}id = 7`)).toEqual([2]);
    expect(matching(`${'not '.repeat(25_001)}id = 7`)).toEqual([0, 1, 3, 4]);
  });

  it(`nests parentheses up to ${MAX_EXPR_DEPTH} levels and refuses deeper with an ExpressionError`, () => {
    const nest = (n: number, inner: string) => `${'('.repeat(n)}${inner}${')'.repeat(n)}`;
    expect(matching(nest(MAX_EXPR_DEPTH, 'id = 1 or id = 7'))).toEqual([1, 2]);
    let alternating = 'id = 1';
    for (let i = 0; i < MAX_EXPR_DEPTH / 2; i++) alternating = `(id = 0 ${i % 2 ? 'or' : 'and'} not (${alternating}))`;
    expect(() => matching(alternating)).not.toThrow();
    for (const deep of [nest(2000, 'id = 1'), `${'not ('.repeat(2000)}id = 1${')'.repeat(2000)}`]) {
      const err = (() => {
        try {
          return parseExpr(deep);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as Error).message).toMatch(
        /^filter nests parentheses more than 256 levels deep \(at position \d+\); simplify it$/,
      );
    }
  });

  it('rebalances list-deep expressions built in code, and refuses deep alternations', () => {
    const leaf = (i: number): Expr => ({
      kind: 'cmp',
      op: '=',
      column: { kind: 'column', name: 'id' },
      value: { kind: 'literal', type: 'number', text: String(i) },
    });
    let chain: Expr = leaf(0);
    for (let i = 1; i < 20_000; i++) chain = { kind: 'or', left: chain, right: leaf(i) };
    expect(referencedColumns(chain)).toEqual(['id']);
    expect(matching(chain)).toEqual([0, 1, 2, 3, 4]);
    let nots: Expr = leaf(7);
    for (let i = 0; i < 20_001; i++) nots = { kind: 'not', expr: nots };
    expect(matching(nots)).toEqual([0, 1, 3, 4]);
    let alternating: Expr = leaf(1);
    for (let i = 0; i < 1000; i++) alternating = { kind: i % 2 ? 'or' : 'and', left: leaf(0), right: alternating };
    expect(() => matching(alternating)).toThrow(/^filter nests and\/or more than 256 levels deep/);
  });
});
