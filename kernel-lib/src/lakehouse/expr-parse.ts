/**
 * Filter predicates as text → an AST. Grammar (case-insensitive keywords):
 *   expr    := or
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT not | pred
 *   pred    := '(' expr ')' | operand [cmp operand | [NOT] BETWEEN operand AND operand
 *              | [NOT] IN '(' operand (',' operand)* ')' | IS [NOT] NULL]
 *   operand := identifier | `quoted identifier` | number | 'string' | TRUE | FALSE | NULL
 *              | DATE 'yyyy-mm-dd' | TIMESTAMP '…'
 *   cmp     := = | == | != | <> | < | <= | > | >=
 */
import { ExpressionError } from './errors.js';
import { lex, type Token } from './expr-lex.js';

export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Literal =
  | { kind: 'literal'; type: 'number'; text: string }
  | { kind: 'literal'; type: 'string'; value: string }
  | { kind: 'literal'; type: 'boolean'; value: boolean }
  | { kind: 'literal'; type: 'null' }
  | { kind: 'literal'; type: 'date'; value: string }
  | { kind: 'literal'; type: 'timestamp'; value: string };

export interface ColumnRef {
  kind: 'column';
  name: string;
}

export type Operand = Literal | ColumnRef;

export type Expr =
  | { kind: 'cmp'; op: CmpOp; column: ColumnRef; value: Literal }
  | { kind: 'between'; column: ColumnRef; low: Literal; high: Literal; negated: boolean }
  | { kind: 'in'; column: ColumnRef; values: Literal[]; negated: boolean }
  | { kind: 'isNull'; column: ColumnRef; negated: boolean }
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'const'; value: boolean | null };

/** Parses a predicate string into an AST. Throws `ExpressionError` naming the bad token. */
export function parseExpr(src: string): Expr {
  const toks = lex(src);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const kw = (tok: Token, word: string): boolean => tok.t === 'ident' && tok.v.toLowerCase() === word;
  const fail = (tok: Token, what: string): never => {
    const shown = tok.t === 'eof' ? 'end of input' : `'${tok.v}'`;
    throw new ExpressionError(`expected ${what} but found ${shown} at position ${tok.pos} in: ${src}`);
  };
  const expectOp = (v: string): void => {
    const tok = peek();
    if (tok.t !== 'op' || tok.v !== v) fail(tok, `'${v}'`);
    p++;
  };
  const RESERVED = new Set(['and', 'or', 'not', 'between', 'in', 'is', 'null', 'true', 'false']);

  const operand = (): Operand => {
    const tok = peek();
    if (tok.t === 'num') {
      p++;
      return { kind: 'literal', type: 'number', text: tok.v };
    }
    if (tok.t === 'str') {
      p++;
      return { kind: 'literal', type: 'string', value: tok.v };
    }
    if (tok.t === 'qident') {
      p++;
      return { kind: 'column', name: tok.v };
    }
    if (tok.t === 'ident') {
      const w = tok.v.toLowerCase();
      if (w === 'true' || w === 'false') {
        p++;
        return { kind: 'literal', type: 'boolean', value: w === 'true' };
      }
      if (w === 'null') {
        p++;
        return { kind: 'literal', type: 'null' };
      }
      if ((w === 'date' || w === 'timestamp') && toks[p + 1]?.t === 'str') {
        p += 2;
        return { kind: 'literal', type: w, value: toks[p - 1]!.v };
      }
      if (RESERVED.has(w)) fail(tok, 'a column or literal');
      p++;
      return { kind: 'column', name: tok.v };
    }
    return fail(tok, 'a column or literal');
  };
  const literal = (): Literal => {
    const tok = peek();
    const o = operand();
    if (o.kind !== 'literal') fail(tok, 'a literal');
    return o as Literal;
  };

  let depth = 0;
  const pred = (): Expr => {
    const tok = peek();
    if (tok.t === 'op' && tok.v === '(') {
      // Each level of parentheses costs stack frames here and in every later pass: bound it.
      if (++depth > MAX_EXPR_DEPTH) {
        throw new ExpressionError(
          `filter nests parentheses more than ${MAX_EXPR_DEPTH} levels deep (at position ${tok.pos}); simplify it`,
        );
      }
      p++;
      const e = orExpr();
      expectOp(')');
      depth--;
      return e;
    }
    const left = operand();
    const next = peek();
    if (next.t === 'op' && ['=', '==', '!=', '<>', '<', '<=', '>', '>='].includes(next.v)) {
      p++;
      const right = operand();
      const op = normalizeOp(next.v);
      if (left.kind === 'column' && right.kind === 'literal') return { kind: 'cmp', op, column: left, value: right };
      if (left.kind === 'literal' && right.kind === 'column') {
        return { kind: 'cmp', op: flip(op), column: right, value: left };
      }
      throw new ExpressionError(
        `comparison at position ${tok.pos} must compare a column with a literal (got ${describe(left)} ${next.v} ${describe(right)}) in: ${src}`,
      );
    }
    let negated = false;
    if (kw(next, 'not')) {
      negated = true;
      p++;
    }
    const after = peek();
    if (kw(after, 'between')) {
      p++;
      const col = asColumn(left, tok);
      const low = literal();
      if (!kw(peek(), 'and')) fail(peek(), "'and' of BETWEEN");
      p++;
      const high = literal();
      return { kind: 'between', column: col, low, high, negated };
    }
    if (kw(after, 'in')) {
      p++;
      const col = asColumn(left, tok);
      expectOp('(');
      const values = [literal()];
      while (peek().t === 'op' && peek().v === ',') {
        p++;
        values.push(literal());
      }
      expectOp(')');
      return { kind: 'in', column: col, values, negated };
    }
    if (negated) fail(after, "'between' or 'in' after 'not'");
    if (kw(after, 'is')) {
      p++;
      let neg = false;
      if (kw(peek(), 'not')) {
        neg = true;
        p++;
      }
      if (!kw(peek(), 'null')) fail(peek(), "'null'");
      p++;
      return { kind: 'isNull', column: asColumn(left, tok), negated: neg };
    }
    if (left.kind === 'literal' && left.type === 'boolean') return { kind: 'const', value: left.value };
    if (left.kind === 'column') {
      // A bare boolean column: `flag` means `flag = true`.
      return { kind: 'cmp', op: '=', column: left, value: { kind: 'literal', type: 'boolean', value: true } };
    }
    return fail(after, 'a comparison, BETWEEN, IN or IS [NOT] NULL');
  };
  const asColumn = (o: Operand, tok: Token): ColumnRef => {
    if (o.kind !== 'column') fail(tok, 'a column name');
    return o as ColumnRef;
  };
  const notExpr = (): Expr => {
    // NOT NOT x is x: a run of NOTs is counted, not nested (25,000 of them must not overflow the stack).
    let negated = false;
    while (kw(peek(), 'not')) {
      p++;
      negated = !negated;
    }
    const e = pred();
    return negated ? { kind: 'not', expr: e } : e;
  };
  /** `operand (KIND operand)*`, read in a loop: a chain of thousands of terms is no deeper than one. */
  const chain = (kind: 'and' | 'or', operand: () => Expr) => (): Expr => {
    const terms = [operand()];
    while (kw(peek(), kind)) {
      p++;
      terms.push(operand());
    }
    return balancedChain(kind, terms);
  };
  const andExpr = chain('and', notExpr);
  const orExpr = chain('or', andExpr);
  if (peek().t === 'eof') throw new ExpressionError('empty filter expression');
  const e = orExpr();
  if (peek().t !== 'eof') fail(peek(), "'and', 'or' or end of input");
  return e;
}

/**
 * How deeply a filter may nest: parentheses when parsed, and/or levels when bound.
 * Every pass over an expression recurses, so this bounds their stack use.
 */
export const MAX_EXPR_DEPTH = 256;

type Chain<T> = { kind: 'and' | 'or'; left: T; right: T };

/**
 * `a OP b OP c …` as a balanced tree: AND and OR are associative, so a chain of
 * thousands of terms becomes a tree of logarithmic depth instead of a list-deep one.
 */
export function balancedChain<T extends { kind: string }>(kind: 'and' | 'or', terms: T[]): T {
  if (terms.length === 1) return terms[0]!;
  const mid = terms.length >> 1;
  const node: Chain<T> = {
    kind,
    left: balancedChain(kind, terms.slice(0, mid)),
    right: balancedChain(kind, terms.slice(mid)),
  };
  return node as unknown as T;
}

/** The operands of a chain of `kind` nodes, left to right, found without recursion. */
export function chainTerms<T extends { kind: string }>(e: Chain<T>): T[] {
  const out: T[] = [];
  const stack: T[] = [e as unknown as T];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === e.kind) stack.push((x as unknown as Chain<T>).right, (x as unknown as Chain<T>).left);
    else out.push(x);
  }
  return out;
}

function describe(o: Operand): string {
  return o.kind === 'column' ? `column ${o.name}` : 'a literal';
}

function normalizeOp(v: string): CmpOp {
  if (v === '==') return '=';
  if (v === '<>') return '!=';
  return v as CmpOp;
}

function flip(op: CmpOp): CmpOp {
  return ({ '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const)[op];
}

/** Columns an expression refers to (as written). */
export function referencedColumns(e: Expr): string[] {
  const out = new Set<string>();
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === 'and' || x.kind === 'or') stack.push(x.right, x.left);
    else if (x.kind === 'not') stack.push(x.expr);
    else if (x.kind !== 'const') out.add(x.column.name);
  }
  return [...out];
}
