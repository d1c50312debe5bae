/**
 * Binding and row-at-a-time evaluation of `row-expr.ts` expressions.
 *
 * Binding resolves column names against one or two scopes (the target table,
 * and for MERGE the source, each reachable by its alias) and turns string
 * literals compared with date, timestamp, decimal or boolean columns into
 * values of that type. Evaluation follows SQL: NULL propagates through
 * arithmetic and comparisons, AND/OR are three-valued. Values are the exact
 * scalars of `expr.ts` (`bigint` for long and timestamp µs, day numbers for
 * dates, `Dec` for decimals), so nothing is rounded through milliseconds.
 */
import { ExpressionError } from '../errors.js';
import { compareScalars, type Dec, type Scalar, type ScalarReader } from '../expr.js';
import { formatDecimalUnscaled, parseDateDays, parseDecimalUnscaled, parseTimestampMicros } from '../partition.js';
import { type DeltaType, decimalParams, type StructType, typeToString } from '../schema.js';
import { type RowExpr, parseRowExpr } from './row-expr.js';

export type Value = Scalar | null;

export interface Scope {
  /** Names this scope answers to (`t`, the table's name, …); matched case-insensitively. */
  aliases: string[];
  schema: StructType;
}

export type Bound =
  | { k: 'lit'; v: Value }
  | { k: 'col'; scope: number; index: number; name: string; type: DeltaType }
  | { k: 'neg' | 'not'; arg: Bound }
  | { k: 'bin'; op: string; l: Bound; r: Bound }
  | { k: 'isNull'; arg: Bound; negated: boolean }
  | { k: 'in'; arg: Bound; list: Bound[]; negated: boolean }
  | { k: 'call'; fn: string; args: Bound[] }
  | { k: 'case'; branches: { when: Bound; result: Bound }[]; otherwise: Bound };

/** Per-scope column readers and the current row of each scope (-1: no row, e.g. an unmatched source row). */
export interface RowContext {
  readers: (ScalarReader | undefined)[][];
  rows: number[];
}

const FUNCTIONS: Record<string, [number, number]> = {
  coalesce: [1, 99],
  concat: [1, 99],
  upper: [1, 1],
  lower: [1, 1],
  trim: [1, 1],
  length: [1, 1],
  abs: [1, 1],
};

/**
 * Parses and binds `src`. `allowed` limits which scopes may be referenced
 * (an INSERT's values see only the source); `what` names the expression in errors.
 */
export function bindRowExpr(src: string, scopes: Scope[], what: string, allowed?: number[]): Bound {
  let parsed: RowExpr;
  try {
    parsed = parseRowExpr(src);
  } catch (e) {
    throw new ExpressionError(`${what}: ${(e as Error).message}`);
  }
  return bindNode(parsed, scopes, what, allowed ?? scopes.map((_, i) => i));
}

/**
 * Binds the value assigned to a nested column (struct, array, map) `field`: such a column is
 * assigned whole — from a column of the same type (`s.location`) or NULL — as expressions
 * compute primitive values only.
 */
export function bindNestedValue(
  src: string,
  field: { name: string; type: DeltaType },
  scopes: Scope[],
  what: string,
  allowed: number[],
): Bound {
  let parsed: RowExpr;
  try {
    parsed = parseRowExpr(src);
  } catch (e) {
    throw new ExpressionError(`${what}: ${(e as Error).message}`);
  }
  const want = typeToString(field.type);
  if (parsed.kind === 'null') return { k: 'lit', v: null };
  if (parsed.kind !== 'col') {
    throw new ExpressionError(
      `${what}: ${field.name} is a nested column (${want}); it is assigned whole, from a column of the same type or NULL, not from ${JSON.stringify(src)}`,
    );
  }
  const bound = resolveColumn(parsed.qualifier, parsed.name, scopes, what, allowed, true);
  if (bound.k === 'col' && typeToString(bound.type) !== want) {
    throw new ExpressionError(
      `${what}: ${bound.name} has type ${typeToString(bound.type)}, but ${field.name} is ${want}; a nested column takes a column of the same type, or NULL`,
    );
  }
  return bound;
}

function bindNode(e: RowExpr, scopes: Scope[], what: string, allowed: number[]): Bound {
  const rec = (x: RowExpr): Bound => bindNode(x, scopes, what, allowed);
  switch (e.kind) {
    case 'num':
      return { k: 'lit', v: numberLiteral(e.text) };
    case 'str':
      return { k: 'lit', v: e.value };
    case 'bool':
      return { k: 'lit', v: e.value };
    case 'null':
      return { k: 'lit', v: null };
    case 'typed':
      return { k: 'lit', v: typedLiteral(e.value, e.type, what) };
    case 'col':
      return resolveColumn(e.qualifier, e.name, scopes, what, allowed);
    case 'unary':
      return { k: e.op, arg: rec(e.arg) };
    case 'isNull':
      return { k: 'isNull', arg: rec(e.arg), negated: e.negated };
    case 'in': {
      const arg = rec(e.arg);
      return { k: 'in', arg, list: e.list.map((x) => coerceLiteral(rec(x), arg, what)), negated: e.negated };
    }
    case 'bin': {
      let l = rec(e.left);
      let r = rec(e.right);
      if (['=', '!=', '<', '<=', '>', '>=', '<=>'].includes(e.op)) {
        r = coerceLiteral(r, l, what);
        l = coerceLiteral(l, r, what);
      }
      return { k: 'bin', op: e.op, l, r };
    }
    case 'call': {
      const arity = FUNCTIONS[e.name];
      if (!arity) {
        throw new ExpressionError(
          `${what}: unknown function ${e.name}(); available: ${Object.keys(FUNCTIONS).join(', ')}`,
        );
      }
      if (e.args.length < arity[0] || e.args.length > arity[1]) {
        throw new ExpressionError(`${what}: ${e.name}() takes ${arity[0]}–${arity[1]} argument(s)`);
      }
      return { k: 'call', fn: e.name, args: e.args.map(rec) };
    }
    case 'case':
      return {
        k: 'case',
        branches: e.branches.map((b) => ({ when: rec(b.when), result: rec(b.result) })),
        otherwise: e.otherwise ? rec(e.otherwise) : { k: 'lit', v: null },
      };
  }
}

function resolveColumn(
  qualifier: string | undefined,
  name: string,
  scopes: Scope[],
  what: string,
  allowed: number[],
  nestedOk = false,
): Bound {
  const lower = name.toLowerCase();
  const candidates: number[] = [];
  if (qualifier !== undefined) {
    const q = qualifier.toLowerCase();
    const s = scopes.findIndex((sc) => sc.aliases.some((a) => a.toLowerCase() === q));
    if (s < 0) {
      throw new ExpressionError(
        `${what}: unknown table alias '${qualifier}' in ${qualifier}.${name}; use ${scopes.map((sc) => sc.aliases[0]).join(' or ')}`,
      );
    }
    candidates.push(s);
  } else {
    scopes.forEach((sc, i) => {
      if (sc.schema.fields.some((f) => f.name.toLowerCase() === lower)) candidates.push(i);
    });
    if (candidates.length > 1) {
      throw new ExpressionError(
        `${what}: column '${name}' is ambiguous (both ${scopes.map((s) => s.aliases[0]).join(' and ')} have it); qualify it, e.g. ${scopes[0]!.aliases[0]}.${name}`,
      );
    }
  }
  const s = candidates[0];
  const schema = s === undefined ? undefined : scopes[s]!.schema;
  let idx = schema ? schema.fields.findIndex((f) => f.name === name) : -1;
  if (idx < 0 && schema) idx = schema.fields.findIndex((f) => f.name.toLowerCase() === lower);
  if (s === undefined || idx < 0) {
    const all = scopes.map((sc) => `${sc.aliases[0]}: ${sc.schema.fields.map((f) => f.name).join(', ')}`).join('; ');
    throw new ExpressionError(`${what}: unknown column '${qualifier ? `${qualifier}.` : ''}${name}' (${all})`);
  }
  if (!allowed.includes(s)) {
    throw new ExpressionError(`${what}: cannot reference ${scopes[s]!.aliases[0]}.${name} here`);
  }
  const f = schema!.fields[idx]!;
  if (typeof f.type !== 'string' && !nestedOk) {
    throw new ExpressionError(
      `${what}: column ${f.name} has the nested type ${typeToString(f.type)}; expressions use primitive columns`,
    );
  }
  return { k: 'col', scope: s, index: idx, name: f.name, type: f.type };
}

function numberLiteral(text: string): Value {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

function typedLiteral(text: string, type: DeltaType, what: string): Value {
  const v = type === 'date' ? parseDateDays(text) : parseTimestampMicros(text);
  if (v === undefined) throw new ExpressionError(`${what}: ${JSON.stringify(text)} is not a valid ${String(type)}`);
  return v;
}

/** A string literal compared with a typed column becomes a value of the column's type. */
function coerceLiteral(lit: Bound, other: Bound, what: string): Bound {
  if (lit.k !== 'lit' || typeof lit.v !== 'string' || other.k !== 'col') return lit;
  const t = other.type;
  if (t === 'date' || t === 'timestamp' || t === 'timestamp_ntz') {
    return { k: 'lit', v: typedLiteral(lit.v, t === 'date' ? 'date' : 'timestamp', what) };
  }
  if (t === 'boolean' && /^(true|false)$/i.test(lit.v)) return { k: 'lit', v: lit.v.toLowerCase() === 'true' };
  const d = decimalParams(t);
  if (d) {
    const u = parseDecimalUnscaled(lit.v, d.scale);
    if (u === undefined) throw new ExpressionError(`${what}: ${JSON.stringify(lit.v)} is not a ${typeToString(t)}`);
    return { k: 'lit', v: { unscaled: u, scale: d.scale } };
  }
  return lit;
}

/** Columns (scope, index) a bound expression reads. */
export function boundRefs(b: Bound, out: { scope: number; index: number; type: DeltaType }[] = []) {
  switch (b.k) {
    case 'col':
      if (!out.some((x) => x.scope === b.scope && x.index === b.index)) out.push(b);
      break;
    case 'neg':
    case 'not':
    case 'isNull':
      boundRefs(b.arg, out);
      break;
    case 'bin':
      boundRefs(b.l, out);
      boundRefs(b.r, out);
      break;
    case 'in':
      boundRefs(b.arg, out);
      for (const x of b.list) boundRefs(x, out);
      break;
    case 'call':
      for (const x of b.args) boundRefs(x, out);
      break;
    case 'case':
      for (const br of b.branches) {
        boundRefs(br.when, out);
        boundRefs(br.result, out);
      }
      boundRefs(b.otherwise, out);
      break;
  }
  return out;
}

/** Evaluates `b` on the context's current rows. */
export function evalBound(b: Bound, ctx: RowContext): Value {
  switch (b.k) {
    case 'lit':
      return b.v;
    case 'col': {
      const row = ctx.rows[b.scope]!;
      return row < 0 ? null : ctx.readers[b.scope]![b.index]!(row);
    }
    case 'not': {
      const v = evalBound(b.arg, ctx);
      return v === null ? null : !truthy(v);
    }
    case 'neg': {
      const v = evalBound(b.arg, ctx);
      return v === null ? null : arith('-', 0, v);
    }
    case 'isNull': {
      const v = evalBound(b.arg, ctx);
      return b.negated ? v !== null : v === null;
    }
    case 'in': {
      const v = evalBound(b.arg, ctx);
      if (v === null) return null;
      let sawNull = false;
      for (const x of b.list) {
        const w = evalBound(x, ctx);
        if (w === null) sawNull = true;
        else if (compareValues(v, w) === 0) return !b.negated;
      }
      return sawNull ? null : b.negated;
    }
    case 'bin':
      return evalBinary(b, ctx);
    case 'call':
      return evalCall(b.fn, b.args, ctx);
    case 'case': {
      for (const br of b.branches) if (evalBound(br.when, ctx) === true) return evalBound(br.result, ctx);
      return evalBound(b.otherwise, ctx);
    }
  }
}

function evalBinary(b: Extract<Bound, { k: 'bin' }>, ctx: RowContext): Value {
  if (b.op === 'and' || b.op === 'or') {
    const l = evalBound(b.l, ctx);
    const short = b.op !== 'and';
    if (l !== null && truthy(l) === short) return short;
    const r = evalBound(b.r, ctx);
    if (r !== null && truthy(r) === short) return short;
    return l === null || r === null ? null : !short;
  }
  const l = evalBound(b.l, ctx);
  const r = evalBound(b.r, ctx);
  if (b.op === '<=>') return l === null || r === null ? l === r : compareValues(l, r) === 0;
  if (l === null || r === null) return null;
  switch (b.op) {
    case '=':
      return compareValues(l, r) === 0;
    case '!=':
      return compareValues(l, r) !== 0;
    case '<':
      return compareValues(l, r) < 0;
    case '<=':
      return compareValues(l, r) <= 0;
    case '>':
      return compareValues(l, r) > 0;
    case '>=':
      return compareValues(l, r) >= 0;
    case '||':
      return toText(l) + toText(r);
    default:
      return arith(b.op, l, r);
  }
}

function evalCall(fn: string, args: Bound[], ctx: RowContext): Value {
  if (fn === 'coalesce') {
    for (const a of args) {
      const v = evalBound(a, ctx);
      if (v !== null) return v;
    }
    return null;
  }
  const vals = args.map((a) => evalBound(a, ctx));
  if (vals.some((v) => v === null)) return null;
  const v = vals[0]!;
  switch (fn) {
    case 'concat':
      return vals.map((x) => toText(x!)).join('');
    case 'upper':
      return toText(v).toUpperCase();
    case 'lower':
      return toText(v).toLowerCase();
    case 'trim':
      return toText(v).trim();
    case 'length':
      return [...toText(v)].length;
    default:
      return compareValues(v, 0) < 0 ? arith('-', 0, v) : v;
  }
}

function truthy(v: Scalar): boolean {
  if (typeof v !== 'boolean') throw new ExpressionError(`expected a boolean condition, got ${toText(v)}`);
  return v;
}

function isDec(v: Scalar): v is Dec {
  return typeof v === 'object' && !(v instanceof Uint8Array);
}

function decToNumber(d: Dec): number {
  return Number(d.unscaled) / 10 ** d.scale;
}

function toDec(v: Scalar): Dec | undefined {
  if (isDec(v)) return v;
  if (typeof v === 'bigint') return { unscaled: v, scale: 0 };
  if (typeof v === 'number' && Number.isSafeInteger(v)) return { unscaled: BigInt(v), scale: 0 };
  return undefined;
}

/** SQL arithmetic over exact scalars: long stays exact, decimals stay exact for + - *, `/` is double. */
function arith(op: string, a: Scalar, b: Scalar): Value {
  if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean') {
    throw new ExpressionError(`cannot apply '${op}' to ${toText(a)} and ${toText(b)}; use concat() for text`);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) throw new ExpressionError(`cannot apply '${op}' to binary`);
  if (op === '/') {
    const y = isDec(b) ? decToNumber(b) : Number(b);
    return y === 0 ? null : (isDec(a) ? decToNumber(a) : Number(a)) / y;
  }
  if (isDec(a) || isDec(b)) {
    const x = toDec(a);
    const y = toDec(b);
    if (x && y && op !== '%') {
      if (op === '*') return { unscaled: x.unscaled * y.unscaled, scale: x.scale + y.scale };
      const s = Math.max(x.scale, y.scale);
      const xu = x.unscaled * 10n ** BigInt(s - x.scale);
      const yu = y.unscaled * 10n ** BigInt(s - y.scale);
      return { unscaled: op === '+' ? xu + yu : xu - yu, scale: s };
    }
    return arith(op, isDec(a) ? decToNumber(a) : a, isDec(b) ? decToNumber(b) : b);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (Number.isInteger(a) || typeof a === 'bigint') {
      if (Number.isInteger(b) || typeof b === 'bigint') {
        const x = BigInt(a);
        const y = BigInt(b);
        if (op === '%') return y === 0n ? null : x % y;
        return op === '+' ? x + y : op === '-' ? x - y : x * y;
      }
    }
    return arith(op, Number(a), Number(b));
  }
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    default:
      return y === 0 ? null : x % y;
  }
}

/** Total order across the numeric representations (number, bigint, Dec), else `compareScalars`. */
export function compareValues(a: Scalar, b: Scalar): number {
  if (isDec(a) !== isDec(b) && typeof a !== 'string' && typeof b !== 'string') {
    const x = toDec(a);
    const y = toDec(b);
    if (x && y) return compareScalars(x, y);
    const xn = isDec(a) ? decToNumber(a) : Number(a);
    const yn = isDec(b) ? decToNumber(b) : Number(b);
    return xn < yn ? -1 : xn > yn ? 1 : 0;
  }
  if (
    typeof a !== typeof b &&
    !(typeof a === 'number' && typeof b === 'bigint') &&
    !(typeof a === 'bigint' && typeof b === 'number')
  ) {
    throw new ExpressionError(`cannot compare ${toText(a)} (${typeof a}) with ${toText(b)} (${typeof b})`);
  }
  return compareScalars(a, b);
}

export function toText(v: Scalar): string {
  if (isDec(v)) return formatDecimalUnscaled(v.unscaled, v.scale);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

/**
 * A hashable key for join equality (`1`, `1n` and `1.0` decimal are the same key; NULL never matches).
 * Integral values within ±2^53 are the number itself (cheap to hash, no string built per row).
 */
export function joinKey(v: Value): JoinKey | undefined {
  if (v === null) return undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : `n${v}`;
  if (typeof v === 'bigint') return intKey(v);
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'boolean') return `b${v}`;
  if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
  let { unscaled, scale } = v;
  while (scale > 0 && unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale--;
  }
  return scale === 0 ? intKey(unscaled) : `n${formatDecimalUnscaled(unscaled, scale)}`;
}

export type JoinKey = number | string;

/** The join key of an integer: the number when exact, else its decimal text. */
export function intKey(v: bigint): JoinKey {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : `n${v}`;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
