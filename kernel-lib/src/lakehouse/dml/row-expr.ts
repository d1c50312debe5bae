/**
 * Value expressions for DML: the right-hand sides of UPDATE `SET col = expr`,
 * MERGE's `ON` condition and its clause conditions. Unlike the filter grammar
 * of `expr.ts` (column-vs-literal predicates that can prune files), these
 * compare columns with columns, do arithmetic and call a few functions, and
 * may name columns of two tables (`t.id = s.id`).
 *
 * Grammar (case-insensitive keywords, SQL precedence):
 *   expr    := or
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT not | cmp
 *   cmp     := sum [cmpop sum | IS [NOT] NULL | [NOT] IN '(' expr, … ')' | [NOT] BETWEEN sum AND sum]
 *   sum     := product (('+' | '-' | '||') product)*
 *   product := unary (('*' | '/' | '%') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | 'string' | TRUE | FALSE | NULL | DATE 'yyyy-mm-dd' | TIMESTAMP '…'
 *            | name ['.' name] | name '(' [expr (',' expr)*] ')' | '(' expr ')'
 *            | CASE WHEN expr THEN expr … [ELSE expr] END
 */
import { ExpressionError } from '../errors.js';
import { lex, type Token as Tok } from '../expr-lex.js';

export type RowExpr =
  | { kind: 'num'; text: string }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'typed'; type: 'date' | 'timestamp'; value: string }
  | { kind: 'col'; qualifier?: string; name: string }
  | { kind: 'unary'; op: 'neg' | 'not'; arg: RowExpr }
  | { kind: 'bin'; op: string; left: RowExpr; right: RowExpr }
  | { kind: 'isNull'; arg: RowExpr; negated: boolean }
  | { kind: 'in'; arg: RowExpr; list: RowExpr[]; negated: boolean }
  | { kind: 'call'; name: string; args: RowExpr[] }
  | { kind: 'case'; branches: { when: RowExpr; result: RowExpr }[]; otherwise?: RowExpr };

const RESERVED = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'true',
  'false',
  'between',
  'case',
  'when',
  'then',
  'else',
  'end',
]);

/** Parses a value expression or condition; throws `ExpressionError` naming the bad token. */
export function parseRowExpr(src: string): RowExpr {
  const toks = lex(src, 'row');
  let p = 0;
  const peek = (k = 0): Tok => toks[Math.min(p + k, toks.length - 1)]!;
  const kw = (word: string, k = 0): boolean => peek(k).t === 'ident' && peek(k).v.toLowerCase() === word;
  const isOp = (v: string): boolean => peek().t === 'op' && peek().v === v;
  const fail = (what: string): never => {
    const tok = peek();
    const shown = tok.t === 'eof' ? 'end of input' : `'${tok.v}'`;
    throw new ExpressionError(`expected ${what} but found ${shown} at position ${tok.pos} in: ${src}`);
  };
  const expectOp = (v: string): void => {
    if (!isOp(v)) fail(`'${v}'`);
    p++;
  };
  const expectKw = (w: string): void => {
    if (!kw(w)) fail(w.toUpperCase());
    p++;
  };

  const orE = (): RowExpr => {
    let l = andE();
    while (kw('or')) {
      p++;
      l = { kind: 'bin', op: 'or', left: l, right: andE() };
    }
    return l;
  };
  const andE = (): RowExpr => {
    let l = notE();
    while (kw('and')) {
      p++;
      l = { kind: 'bin', op: 'and', left: l, right: notE() };
    }
    return l;
  };
  const notE = (): RowExpr => {
    if (kw('not')) {
      p++;
      return { kind: 'unary', op: 'not', arg: notE() };
    }
    return cmpE();
  };
  const cmpE = (): RowExpr => {
    const l = sumE();
    const tok = peek();
    if (tok.t === 'op' && ['=', '!=', '<', '<=', '>', '>=', '<=>'].includes(tok.v)) {
      p++;
      return { kind: 'bin', op: tok.v, left: l, right: sumE() };
    }
    if (kw('is')) {
      p++;
      const negated = kw('not');
      if (negated) p++;
      expectKw('null');
      return { kind: 'isNull', arg: l, negated };
    }
    const negated = kw('not') && (kw('in', 1) || kw('between', 1));
    if (negated) p++;
    if (kw('in')) {
      p++;
      expectOp('(');
      const list = [orE()];
      while (isOp(',')) {
        p++;
        list.push(orE());
      }
      expectOp(')');
      return { kind: 'in', arg: l, list, negated };
    }
    if (kw('between')) {
      p++;
      const lo = sumE();
      expectKw('and');
      const hi = sumE();
      const both: RowExpr = {
        kind: 'bin',
        op: 'and',
        left: { kind: 'bin', op: '>=', left: l, right: lo },
        right: { kind: 'bin', op: '<=', left: l, right: hi },
      };
      return negated ? { kind: 'unary', op: 'not', arg: both } : both;
    }
    if (negated) fail('IN or BETWEEN');
    return l;
  };
  const sumE = (): RowExpr => {
    let l = productE();
    while (isOp('+') || isOp('-') || isOp('||')) {
      const op = peek().v;
      p++;
      l = { kind: 'bin', op, left: l, right: productE() };
    }
    return l;
  };
  const productE = (): RowExpr => {
    let l = unaryE();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = peek().v;
      p++;
      l = { kind: 'bin', op, left: l, right: unaryE() };
    }
    return l;
  };
  const unaryE = (): RowExpr => {
    if (isOp('-')) {
      p++;
      const arg = unaryE();
      return arg.kind === 'num' ? { kind: 'num', text: `-${arg.text}` } : { kind: 'unary', op: 'neg', arg };
    }
    if (isOp('+')) {
      p++;
      return unaryE();
    }
    return primary();
  };
  const name = (): string => {
    const tok = peek();
    if (tok.t === 'qident' || (tok.t === 'ident' && !RESERVED.has(tok.v.toLowerCase()))) {
      p++;
      return tok.v;
    }
    return fail('a column name');
  };
  const primary = (): RowExpr => {
    const tok = peek();
    if (tok.t === 'num') {
      p++;
      return { kind: 'num', text: tok.v };
    }
    if (tok.t === 'str') {
      p++;
      return { kind: 'str', value: tok.v };
    }
    if (isOp('(')) {
      p++;
      const e = orE();
      expectOp(')');
      return e;
    }
    if (tok.t === 'ident') {
      const w = tok.v.toLowerCase();
      if (w === 'true' || w === 'false') {
        p++;
        return { kind: 'bool', value: w === 'true' };
      }
      if (w === 'null') {
        p++;
        return { kind: 'null' };
      }
      if ((w === 'date' || w === 'timestamp') && peek(1).t === 'str') {
        p += 2;
        return { kind: 'typed', type: w, value: toks[p - 1]!.v };
      }
      if (w === 'case') return caseE();
      if (peek(1).t === 'op' && peek(1).v === '(') {
        p += 2;
        const args: RowExpr[] = [];
        if (!isOp(')')) {
          args.push(orE());
          while (isOp(',')) {
            p++;
            args.push(orE());
          }
        }
        expectOp(')');
        return { kind: 'call', name: w, args };
      }
    }
    const first = name();
    if (isOp('.')) {
      p++;
      return { kind: 'col', qualifier: first, name: name() };
    }
    return { kind: 'col', name: first };
  };
  const caseE = (): RowExpr => {
    p++;
    const branches: { when: RowExpr; result: RowExpr }[] = [];
    while (kw('when')) {
      p++;
      const when = orE();
      expectKw('then');
      branches.push({ when, result: orE() });
    }
    if (branches.length === 0) fail('WHEN');
    let otherwise: RowExpr | undefined;
    if (kw('else')) {
      p++;
      otherwise = orE();
    }
    expectKw('end');
    return otherwise ? { kind: 'case', branches, otherwise } : { kind: 'case', branches };
  };

  if (peek().t === 'eof') throw new ExpressionError('empty expression');
  const e = orE();
  if (peek().t !== 'eof') fail('an operator or the end of the expression');
  return e;
}

/** Conjuncts of an AND tree (`a AND b AND c` → [a, b, c]). */
export function conjuncts(e: RowExpr): RowExpr[] {
  return e.kind === 'bin' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}
