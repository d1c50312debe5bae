/**
 * The one lexer of both expression grammars: identifiers, `quoted` identifiers,
 * numbers, 'strings' and "strings", operators.
 * - `filter` (`expr-parse.ts`, predicates that prune files): dotted names are one
 *   identifier (`a.b` is a nested column), a sign belongs to a number where a
 *   value may start, and only comparison operators exist;
 * - `row` (`dml/row-expr.ts`, SET values and MERGE conditions): `t.id` is three
 *   tokens (a table qualifier), arithmetic and `||`, `<=>` are operators, Spark's
 *   `L`/`D` number suffixes are accepted, and `==` / `<>` arrive as `=` / `!=`.
 */
import { ExpressionError } from './errors.js';

export type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'qident'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; v: ''; pos: number };

export type LexMode = 'filter' | 'row';

const FILTER_OPS = /^(<=|>=|<>|!=|==|=|<|>|\(|\)|,)/;
const ROW_OPS = /^(<=>|<=|>=|<>|!=|==|\|\||[=<>()+\-*/%,.])/;
const ROW_OP_SPELLING: Record<string, string> = { '==': '=', '<>': '!=' };

export function lex(src: string, mode: LexMode = 'filter'): Token[] {
  const row = mode === 'row';
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError(`unterminated string literal at position ${start}: ${src}`);
        if (src[i] === c) {
          if (src[i + 1] === c) {
            v += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (src[i] === '\\' && i + 1 < src.length) {
          v += src[i + 1];
          i += 2;
          continue;
        }
        v += src[i++];
      }
      // Double quotes are string literals too (Spark's default); backquotes name columns.
      out.push({ t: 'str', v, pos: start });
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new ExpressionError(`unterminated quoted identifier at position ${start}: ${src}`);
      out.push({ t: 'qident', v: src.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    const num = row ? rowNumber(src.slice(i), out) : filterNumber(src.slice(i), c, out);
    if (num) {
      out.push({ t: 'num', v: num.value, pos: start });
      i += num.length;
      continue;
    }
    const ident = (row ? /^[A-Za-z_][A-Za-z0-9_]*/ : /^[A-Za-z_][A-Za-z0-9_.]*/).exec(src.slice(i));
    if (ident) {
      out.push({ t: 'ident', v: ident[0], pos: start });
      i += ident[0].length;
      continue;
    }
    const op = (row ? ROW_OPS : FILTER_OPS).exec(src.slice(i));
    if (op) {
      out.push({ t: 'op', v: row ? (ROW_OP_SPELLING[op[0]] ?? op[0]) : op[0], pos: start });
      i += op[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected character ${JSON.stringify(c)} at position ${start} in: ${src}`);
  }
  out.push({ t: 'eof', v: '', pos: src.length });
  return out;
}

function filterNumber(rest: string, c: string, prev: Token[]): { value: string; length: number } | undefined {
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
  if (!m || ((c === '+' || c === '-') && !isValueStart(prev))) return undefined;
  return { value: m[0], length: m[0].length };
}

/** Unsigned (unary minus is an operator here); `.5` after a name is a qualifier's dot, not a number. */
function rowNumber(rest: string, prev: Token[]): { value: string; length: number } | undefined {
  const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[lLdD]?/.exec(rest);
  if (!m || (rest[0] === '.' && prev[prev.length - 1]?.t === 'ident')) return undefined;
  return { value: m[0].replace(/[lLdD]$/, ''), length: m[0].length };
}

/** A sign is part of a number only where a value may start (after an operator or at the beginning). */
function isValueStart(prev: Token[]): boolean {
  const last = prev[prev.length - 1];
  if (!last) return true;
  if (last.t === 'op') return last.v !== ')';
  if (last.t === 'ident') return /^(and|or|not|between|in)$/i.test(last.v);
  return false;
}
