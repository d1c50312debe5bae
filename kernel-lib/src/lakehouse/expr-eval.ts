/**
 * Row filtering: exact SQL three-valued evaluation of a bound filter on Arrow
 * record batches, reading values exactly (long, timestamp µs, decimal).
 */
import type * as arrow from 'apache-arrow';
import { readDecimalWords } from './decimal-words.js';
import { type BoundExpr, compareScalars, type Scalar } from './expr-bind.js';
import { type DeltaType, decimalParams } from './schema.js';

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
  const stack: BoundExpr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === 'and' || x.kind === 'or') stack.push(x.right, x.left);
    else if (x.kind === 'not') stack.push(x.expr);
    else if (x.kind !== 'const') out.add(x.column);
  }
  return [...out];
}
