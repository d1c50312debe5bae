/**
 * Binding a parsed filter to a table schema: column check (exact, then
 * case-insensitive) and literal coercion to the column's type, giving scalars
 * that the stats and row evaluators compare with `compareScalars`.
 */
import { ExpressionError } from './errors.js';
import {
  balancedChain,
  type CmpOp,
  type ColumnRef,
  chainTerms,
  type Expr,
  type Literal,
  MAX_EXPR_DEPTH,
} from './expr-parse.js';
import { parseDateDays, parseDecimalUnscaled, parseTimestampMicros } from './partition.js';
import { type DeltaType, decimalParams, type StructField, type StructType } from './schema.js';

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
 * coerces literals to the column's type. BETWEEN becomes `>= and <=`. Chains of
 * AND/OR are rebalanced and runs of NOT collapsed (an expression built in code may
 * be list-deep); what still nests deeper than MAX_EXPR_DEPTH is refused.
 */
export function bindExpr(e: Expr, schema: StructType): BoundExpr {
  return bindAt(e, schema, 0);
}

/** `bindExpr` of a sub-expression `depth` and/or levels down. */
function bindAt(e: Expr, schema: StructType, depth: number): BoundExpr {
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
      if (depth > MAX_EXPR_DEPTH) {
        throw new ExpressionError(`filter nests and/or more than ${MAX_EXPR_DEPTH} levels deep; simplify it`);
      }
      return balancedChain(
        e.kind,
        chainTerms(e).map((t) => bindAt(t, schema, depth + 1)),
      );
    case 'not': {
      let inner = e.expr;
      let negated = true;
      while (inner.kind === 'not') {
        inner = inner.expr;
        negated = !negated;
      }
      // A NOT no longer holds a NOT, so only and/or levels count towards the depth.
      const bound = bindAt(inner, schema, depth);
      return negated ? { kind: 'not', expr: bound } : bound;
    }
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

export function toDec(text: string): Dec | undefined {
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
