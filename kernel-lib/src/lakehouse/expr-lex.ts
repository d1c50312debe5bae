/**
 * The filter grammar's lexer (see `expr-parse.ts` for the grammar): identifiers,
 * `quoted` identifiers, numbers, 'strings' and "strings", operators.
 */
import { ExpressionError } from './errors.js';

export type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'qident'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; v: ''; pos: number };

export function lex(src: string): Token[] {
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
    const num = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num && (c !== '+' && c !== '-' ? true : isValueStart(out))) {
      out.push({ t: 'num', v: num[0], pos: start });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (ident) {
      out.push({ t: 'ident', v: ident[0], pos: start });
      i += ident[0].length;
      continue;
    }
    const op = /^(<=|>=|<>|!=|==|=|<|>|\(|\)|,)/.exec(src.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[0], pos: start });
      i += op[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected character ${JSON.stringify(c)} at position ${start} in: ${src}`);
  }
  out.push({ t: 'eof', v: '', pos: src.length });
  return out;
}

/** A sign is part of a number only where a value may start (after an operator or at the beginning). */
function isValueStart(prev: Token[]): boolean {
  const last = prev[prev.length - 1];
  if (!last) return true;
  if (last.t === 'op') return last.v !== ')';
  if (last.t === 'ident') return /^(and|or|not|between|in)$/i.test(last.v);
  return false;
}
