/**
 * Filter predicates: a small SQL-like grammar, an AST, binding against a
 * table schema (column check + literal coercion to the column's type), and
 * three evaluators:
 *  - `mayMatchFile`: conservative file skipping from partition values and
 *    per-file stats (min/max/nullCount). A file is dropped only when the stats
 *    prove no row can match; missing stats keep the file.
 *  - `rowFilter`: exact SQL three-valued row evaluation on Arrow record batches.
 *
 * Grammar (case-insensitive keywords):
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
import type * as arrow from 'apache-arrow';
import type { AddFile, FileStats } from './actions.js';
import { readDecimalWords } from './decimal-words.js';
import { ExpressionError } from './errors.js';
import { parseDateDays, parseDecimalUnscaled, parsePartitionValue, parseTimestampMicros } from './partition.js';
import { type DeltaType, decimalParams, type StructField, type StructType } from './schema.js';

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

// ───────────────────────────── lexer ─────────────────────────────

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'qident'; v: string; pos: number }
  | { t: 'num'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; v: ''; pos: number };

function lex(src: string): Token[] {
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

// ───────────────────────────── parser ─────────────────────────────

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

  const pred = (): Expr => {
    const tok = peek();
    if (tok.t === 'op' && tok.v === '(') {
      p++;
      const e = orExpr();
      expectOp(')');
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
    if (kw(peek(), 'not')) {
      p++;
      return { kind: 'not', expr: notExpr() };
    }
    return pred();
  };
  const andExpr = (): Expr => {
    let e = notExpr();
    while (kw(peek(), 'and')) {
      p++;
      e = { kind: 'and', left: e, right: notExpr() };
    }
    return e;
  };
  const orExpr = (): Expr => {
    let e = andExpr();
    while (kw(peek(), 'or')) {
      p++;
      e = { kind: 'or', left: e, right: andExpr() };
    }
    return e;
  };
  if (peek().t === 'eof') throw new ExpressionError('empty filter expression');
  const e = orExpr();
  if (peek().t !== 'eof') fail(peek(), "'and', 'or' or end of input");
  return e;
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
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'and':
      case 'or':
        walk(x.left);
        walk(x.right);
        break;
      case 'not':
        walk(x.expr);
        break;
      case 'const':
        break;
      default:
        out.add(x.column.name);
    }
  };
  walk(e);
  return [...out];
}

// ───────────────────────────── binding ─────────────────────────────

/**
 * A comparable scalar in a column's domain: number (small ints, float, double,
 * date days), bigint (long, timestamp µs), `Dec` (decimal), string, boolean,
 * Uint8Array (binary; equality only).
 */
export type Scalar = number | bigint | string | boolean | Dec | Uint8Array;

/** An exact decimal: unscaled × 10^-scale. */
export interface Dec {
  unscaled: bigint;
  scale: number;
}

export type BoundExpr =
  | { kind: 'cmp'; op: CmpOp; column: string; type: DeltaType; value: Scalar | null }
  | { kind: 'in'; column: string; type: DeltaType; values: (Scalar | null)[]; negated: boolean }
  | { kind: 'isNull'; column: string; type: DeltaType; negated: boolean }
  | { kind: 'and'; left: BoundExpr; right: BoundExpr }
  | { kind: 'or'; left: BoundExpr; right: BoundExpr }
  | { kind: 'not'; expr: BoundExpr }
  | { kind: 'const'; value: boolean | null };

/**
 * Resolves column names against the schema (exact, then case-insensitive) and
 * coerces literals to the column's type. BETWEEN becomes `>= and <=`.
 */
export function bindExpr(e: Expr, schema: StructType): BoundExpr {
  const field = (ref: ColumnRef): StructField => {
    const f =
      schema.fields.find((x) => x.name === ref.name) ??
      schema.fields.find((x) => x.name.toLowerCase() === ref.name.toLowerCase());
    if (!f) {
      throw new ExpressionError(
        `unknown column '${ref.name}' in filter; the table has: ${schema.fields.map((x) => x.name).join(', ')}`,
      );
    }
    if (typeof f.type !== 'string') {
      throw new ExpressionError(`column '${f.name}' has a nested type and cannot be used in a filter`);
    }
    return f;
  };
  switch (e.kind) {
    case 'cmp': {
      const f = field(e.column);
      return { kind: 'cmp', op: e.op, column: f.name, type: f.type, value: coerce(e.value, f) };
    }
    case 'between': {
      const f = field(e.column);
      const both: BoundExpr = {
        kind: 'and',
        left: { kind: 'cmp', op: '>=', column: f.name, type: f.type, value: coerce(e.low, f) },
        right: { kind: 'cmp', op: '<=', column: f.name, type: f.type, value: coerce(e.high, f) },
      };
      return e.negated ? { kind: 'not', expr: both } : both;
    }
    case 'in': {
      const f = field(e.column);
      return {
        kind: 'in',
        column: f.name,
        type: f.type,
        values: e.values.map((v) => coerce(v, f)),
        negated: e.negated,
      };
    }
    case 'isNull': {
      const f = field(e.column);
      return { kind: 'isNull', column: f.name, type: f.type, negated: e.negated };
    }
    case 'and':
    case 'or':
      return { kind: e.kind, left: bindExpr(e.left, schema), right: bindExpr(e.right, schema) };
    case 'not':
      return { kind: 'not', expr: bindExpr(e.expr, schema) };
    case 'const':
      return e;
  }
}

/** Literal → scalar in the column's domain; `null` for SQL NULL. */
function coerce(lit: Literal, f: StructField): Scalar | null {
  if (lit.type === 'null') return null;
  const type = f.type as string;
  const bad = (): never => {
    const shown = lit.type === 'number' ? lit.text : JSON.stringify(lit.value);
    throw new ExpressionError(`literal ${shown} cannot be compared with column '${f.name}' of type ${type}`);
  };
  const text = lit.type === 'number' ? lit.text : lit.type === 'boolean' ? String(lit.value) : lit.value;
  switch (type) {
    case 'string':
      return lit.type === 'boolean' ? bad() : text;
    case 'boolean':
      if (lit.type === 'boolean') return lit.value;
      if (lit.type === 'string' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
      return bad();
    case 'byte':
    case 'short':
    case 'integer':
    case 'float':
    case 'double': {
      if (lit.type !== 'number' && lit.type !== 'string') return bad();
      const n = Number(text);
      if (Number.isNaN(n) && text.trim() !== 'NaN') return bad();
      // Like Spark, a literal compared with a float column is cast to float first.
      return type === 'float' ? Math.fround(n) : n;
    }
    case 'long': {
      if (lit.type !== 'number' && lit.type !== 'string') return bad();
      if (/^[+-]?\d+$/.test(text.trim())) return BigInt(text.trim());
      const n = Number(text);
      return Number.isNaN(n) ? bad() : n;
    }
    case 'date': {
      if (lit.type === 'number' || lit.type === 'boolean') return bad();
      return parseDateDays(text) ?? bad();
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      if (lit.type === 'number' || lit.type === 'boolean') return bad();
      return parseTimestampMicros(text) ?? bad();
    }
    case 'binary':
      if (lit.type !== 'string') return bad();
      return new TextEncoder().encode(text);
    default: {
      const d = decimalParams(f.type);
      if (!d || (lit.type !== 'number' && lit.type !== 'string')) return bad();
      return toDec(text) ?? bad();
    }
  }
}

function toDec(text: string): Dec | undefined {
  const t = text.trim();
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m) return undefined;
  const frac = (m[2] ?? '').length - Number(m[3] ?? 0);
  const scale = Math.max(0, frac);
  const unscaled = parseDecimalUnscaled(t, scale);
  return unscaled === undefined ? undefined : { unscaled, scale };
}

/** Total order on scalars of one column domain; NaN sorts above every number (Spark). */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'object' && typeof b === 'object' && !(a instanceof Uint8Array) && !(b instanceof Uint8Array)) {
    const s = Math.max(a.scale, b.scale);
    const x = a.unscaled * 10n ** BigInt(s - a.scale);
    const y = b.unscaled * 10n ** BigInt(s - b.scale);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  }
  if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b) ? 0 : 1;
  if (typeof b === 'number' && Number.isNaN(b)) return -1;
  // number/bigint mix compares exactly in JS.
  return a < b ? -1 : a > b ? 1 : 0;
}

// ───────────────────────────── file skipping ─────────────────────────────

/** What is known about one column in one file. Undefined fields are unknown. */
export interface ColumnStats {
  min?: Scalar;
  max?: Scalar;
  nullCount?: number;
  numRecords?: number;
}

/**
 * Per-column knowledge for a file: partition columns are exact (min = max = value),
 * data columns come from `add.stats`.
 */
export function fileColumnStats(
  add: AddFile,
  schema: StructType,
  partitionColumns: string[],
): Map<string, ColumnStats> {
  const out = new Map<string, ColumnStats>();
  let stats: FileStats | undefined;
  if (add.stats) {
    try {
      stats = parseStatsExact(add.stats) as FileStats;
    } catch {
      stats = undefined;
    }
  }
  const numRecords = jsonNumber(stats?.numRecords);
  const partSet = new Set(partitionColumns);
  for (const f of schema.fields) {
    if (typeof f.type !== 'string') continue;
    if (partSet.has(f.name)) {
      const raw = lookupPartitionValue(add.partitionValues, f.name);
      let v: Scalar | null;
      try {
        v = partitionScalar(parsePartitionValue(raw, f.type, f.name), f.type);
      } catch {
        continue; // unparsable partition value: know nothing, keep the file
      }
      out.set(
        f.name,
        v === null
          ? { nullCount: numRecords ?? 1, numRecords: numRecords ?? 1 }
          : { min: v, max: v, nullCount: 0, ...(numRecords !== undefined ? { numRecords } : {}) },
      );
      continue;
    }
    if (!stats) continue;
    const cs: ColumnStats = {};
    if (numRecords !== undefined) cs.numRecords = numRecords;
    const nc = jsonNumber(stats.nullCount?.[f.name]);
    if (nc !== undefined) cs.nullCount = nc;
    const min = statScalar(stats.minValues?.[f.name], f.type, 'min');
    const max = statScalar(stats.maxValues?.[f.name], f.type, 'max');
    if (min !== undefined) cs.min = min;
    if (max !== undefined) cs.max = max;
    out.set(f.name, cs);
  }
  return out;
}

function lookupPartitionValue(pv: Record<string, string | null>, name: string): string | null | undefined {
  if (name in pv) return pv[name];
  const key = Object.keys(pv).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : pv[key];
}

function partitionScalar(v: ReturnType<typeof parsePartitionValue>, type: DeltaType): Scalar | null {
  if (v === null) return null;
  const d = decimalParams(type);
  if (d && typeof v === 'bigint') return { unscaled: v, scale: d.scale };
  return v;
}

/** A JSON stat value → scalar, widened so it stays a valid bound (timestamps are truncated to ms in stats). */
function statScalar(raw: unknown, type: DeltaType, which: 'min' | 'max'): Scalar | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text = raw instanceof JsonNumber ? raw.text : undefined;
  switch (type) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'double':
      return text !== undefined ? Number(text) : undefined;
    case 'float':
      // Float stats are printed float32 values; as doubles they may sit on either side of the
      // stored value, so they cannot prove anything.
      return undefined;
    case 'long':
      return text !== undefined && /^-?\d+$/.test(text) ? BigInt(text) : undefined;
    case 'string':
      if (typeof raw !== 'string') return undefined;
      // Writers truncate long string stats (Spark: 32 chars); a truncated max is no upper bound.
      if (which === 'max' && raw.length >= 32) return undefined;
      return raw;
    case 'boolean':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'date':
      return typeof raw === 'string' ? parseDateDays(raw) : undefined;
    case 'timestamp':
    case 'timestamp_ntz': {
      if (typeof raw !== 'string') return undefined;
      const us = parseTimestampMicros(raw);
      if (us === undefined) return undefined;
      // Spark writes millisecond-truncated stats: widen the max to the end of its millisecond.
      return which === 'max' ? us + 999n : us;
    }
    default: {
      if (!decimalParams(type)) return undefined;
      // Decimal stats are JSON numbers with exact digits (kept as text, never via a double).
      if (text !== undefined) return toDec(text);
      if (typeof raw === 'string') return toDec(raw);
      return undefined;
    }
  }
}

/** A JSON number kept as its source text, so long and decimal bounds are exact. */
class JsonNumber {
  constructor(readonly text: string) {}
}

function jsonNumber(v: unknown): number | undefined {
  return v instanceof JsonNumber ? Number(v.text) : typeof v === 'number' ? v : undefined;
}

/**
 * JSON.parse that keeps every number as its source text (`JsonNumber`): `JSON.parse`
 * would round 2^53+1 or decimal(38,18) bounds to doubles, and a rounded bound can
 * wrongly exclude a file. Numbers are rewritten to marker strings outside string literals.
 */
export function parseStatsExact(text: string): unknown {
  const MARK = '\u0000n:';
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) throw new SyntaxError(`bad number at ${i}`);
      out += JSON.stringify(`\u0000n:${m[0]}`);
      i += m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out, (_k, v) =>
    typeof v === 'string' && v.startsWith(MARK) ? new JsonNumber(v.slice(MARK.length)) : v,
  );
}

/**
 * Conservative: false only if no row of the file can satisfy `e`.
 * Negations are pushed down first so every leaf is a positive test.
 */
export function mayMatchFile(e: BoundExpr, stats: Map<string, ColumnStats>): boolean {
  return mayMatch(pushNot(e, false), stats);
}

function pushNot(e: BoundExpr, neg: boolean): BoundExpr {
  switch (e.kind) {
    case 'not':
      return pushNot(e.expr, !neg);
    case 'and':
    case 'or': {
      const kind = neg ? (e.kind === 'and' ? 'or' : 'and') : e.kind;
      return { kind, left: pushNot(e.left, neg), right: pushNot(e.right, neg) };
    }
    case 'const':
      return neg ? { kind: 'const', value: e.value === null ? null : !e.value } : e;
    case 'cmp':
      if (!neg) return e;
      return { ...e, op: ({ '=': '!=', '!=': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const)[e.op] };
    case 'in':
      return neg ? { ...e, negated: !e.negated } : e;
    case 'isNull':
      return neg ? { ...e, negated: !e.negated } : e;
  }
}

function mayMatch(e: BoundExpr, stats: Map<string, ColumnStats>): boolean {
  switch (e.kind) {
    case 'and':
      return mayMatch(e.left, stats) && mayMatch(e.right, stats);
    case 'or':
      return mayMatch(e.left, stats) || mayMatch(e.right, stats);
    case 'not':
      return true; // removed by pushNot
    case 'const':
      return e.value === true;
    case 'isNull': {
      const s = stats.get(e.column);
      if (!s || s.nullCount === undefined) return true;
      if (!e.negated) return s.nullCount > 0;
      return s.numRecords === undefined || s.nullCount < s.numRecords;
    }
    case 'in': {
      if (e.negated) {
        if (e.values.some((v) => v === null)) return false; // x NOT IN (…, NULL) is never true
        const s = stats.get(e.column);
        if (!s || allNull(s)) return !s || !allNull(s);
        if (s.min !== undefined && s.max !== undefined && compareScalars(s.min, s.max) === 0) {
          return !e.values.some((v) => compareScalars(v!, s.min!) === 0);
        }
        return true;
      }
      return e.values.some((v) => v !== null && cmpMay('=', e.type, v, stats.get(e.column)));
    }
    case 'cmp':
      if (e.value === null) return false; // comparison with NULL is never true
      return cmpMay(e.op, e.type, e.value, stats.get(e.column));
  }
}

function allNull(s: ColumnStats): boolean {
  return s.nullCount !== undefined && s.numRecords !== undefined && s.nullCount >= s.numRecords;
}

function cmpMay(op: CmpOp, type: DeltaType, v: Scalar, s: ColumnStats | undefined): boolean {
  if (!s) return true;
  if (allNull(s)) return false;
  if (type === 'binary') return true;
  const { min, max } = s;
  // NaN is not in float stats and compares above everything: upper bounds are unreliable.
  const floaty = type === 'float' || type === 'double';
  switch (op) {
    case '=':
      return (
        (min === undefined || compareScalars(min, v) <= 0) &&
        (max === undefined || floaty || compareScalars(max, v) >= 0)
      );
    case '!=':
      if (min === undefined || max === undefined || floaty) return true;
      return !(compareScalars(min, v) === 0 && compareScalars(max, v) === 0);
    case '<':
      return min === undefined || compareScalars(min, v) < 0;
    case '<=':
      return min === undefined || compareScalars(min, v) <= 0;
    case '>':
      return max === undefined || floaty || compareScalars(max, v) > 0;
    case '>=':
      return max === undefined || floaty || compareScalars(max, v) >= 0;
  }
}

// ───────────────────────────── row filtering ─────────────────────────────

/** Reads row `i` of a vector as a scalar of the column's Delta type (exact for long, timestamp, decimal). */
export type ScalarReader = (i: number) => Scalar | null;

/** Builds a per-row reader for one Arrow vector holding a column of Delta type `type`. */
export function scalarReader(vec: arrow.Vector, type: DeltaType): ScalarReader {
  const d = decimalParams(type);
  if (d) {
    return (i) => (vec.isValid(i) ? { unscaled: decimalAt(vec, i), scale: d.scale } : null);
  }
  if (type === 'timestamp' || type === 'timestamp_ntz') {
    return (i) => (vec.isValid(i) ? rawInt64(vec, i) : null);
  }
  if (type === 'date') {
    return (i) => {
      const v = vec.get(i) as number | null;
      return v === null ? null : Math.floor(v / 86_400_000);
    };
  }
  if (type === 'long') {
    return (i) => {
      const v = vec.get(i) as bigint | number | null;
      return v === null ? null : BigInt(v);
    };
  }
  return (i) => vec.get(i) as Scalar | null;
}

/**
 * The unscaled value of row `i` of a Decimal128 vector, read from its four
 * little-endian 32-bit words (Arrow JS's own decimal-to-string is ~50× slower).
 */
export function decimalAt(vec: arrow.Vector, i: number): bigint {
  let idx = i;
  for (const data of vec.data) {
    // `values` of a sliced Data already start at the slice (its offset is the bitmap's).
    if (idx < data.length) return readDecimalWords(data.values as Uint32Array, idx);
    idx -= data.length;
  }
  throw new RangeError(`row ${i} out of range`);
}

/** The raw 64-bit integer behind row `i` (timestamps come back from Arrow JS as lossy ms floats). */
export function rawInt64(vec: arrow.Vector, i: number): bigint {
  let idx = i;
  for (const data of vec.data) {
    if (idx < data.length) return (data.values as BigInt64Array)[idx]!;
    idx -= data.length;
  }
  throw new RangeError(`row ${i} out of range`);
}

/** SQL three-valued evaluation of a bound expression on row `i`. */
export function evalRow(e: BoundExpr, readers: Map<string, ScalarReader>, i: number): boolean | null {
  switch (e.kind) {
    case 'const':
      return e.value;
    case 'not': {
      const v = evalRow(e.expr, readers, i);
      return v === null ? null : !v;
    }
    case 'and': {
      const l = evalRow(e.left, readers, i);
      if (l === false) return false;
      const r = evalRow(e.right, readers, i);
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evalRow(e.left, readers, i);
      if (l === true) return true;
      const r = evalRow(e.right, readers, i);
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
    case 'isNull': {
      const v = readers.get(e.column)!(i);
      return e.negated ? v !== null : v === null;
    }
    case 'in': {
      const v = readers.get(e.column)!(i);
      if (v === null) return null;
      let sawNull = false;
      for (const x of e.values) {
        if (x === null) sawNull = true;
        else if (compareScalars(v, x) === 0) return !e.negated;
      }
      return sawNull ? null : e.negated;
    }
    case 'cmp': {
      const v = readers.get(e.column)!(i);
      if (v === null || e.value === null) return null;
      const c = compareScalars(v, e.value);
      switch (e.op) {
        case '=':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
      }
    }
  }
}

/** Column names (as bound) used by a bound expression. */
export function boundColumns(e: BoundExpr): string[] {
  const out = new Set<string>();
  const walk = (x: BoundExpr): void => {
    if (x.kind === 'and' || x.kind === 'or') {
      walk(x.left);
      walk(x.right);
    } else if (x.kind === 'not') walk(x.expr);
    else if (x.kind !== 'const') out.add(x.column);
  };
  walk(e);
  return [...out];
}
