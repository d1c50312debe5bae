/**
 * Arrow columns from evaluated values: UPDATE and MERGE compute new values row
 * by row (exact scalars, see row-eval.ts) and need them back as a column of
 * the table's type. Values are cast like Spark's implicit assignment casts
 * (numbers between numeric types, anything to string, ISO strings to dates and
 * timestamps); a value that cannot be cast is an `ExpressionError` naming the
 * column. Fixed-width types are built directly from typed arrays so longs,
 * timestamps and decimals stay exact.
 */
import * as arrow from 'apache-arrow';
import { writeDecimalWords } from '../decimal-words.js';
import { ExpressionError } from '../errors.js';
import { parseDateDays, parseDecimalUnscaled, parseTimestampMicros } from '../partition.js';
import { type DeltaType, decimalParams, deltaTypeToArrow, typeToString } from '../schema.js';
import { makeAnyData } from '../take.js';
import { toText, type Value } from './row-eval.js';

/** Builds one column of Delta type `type` from `values` (null → SQL NULL). */
export function columnFromValues(values: Value[], type: DeltaType, column: string): arrow.Data {
  const arrowType = deltaTypeToArrow(type, column);
  const n = values.length;
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  const cast = caster(type, column);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === null) {
      nullCount++;
      out[i] = null;
      continue;
    }
    bitmap[i >> 3]! |= 1 << (i & 7);
    out[i] = cast(v);
  }
  const base = { type: arrowType, length: n, nullCount, nullBitmap: nullCount ? bitmap : undefined };
  const d = decimalParams(type);
  if (d) {
    const words = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) if (out[i] !== null) writeDecimalWords(words, i, out[i] as bigint);
    return makeAnyData({ ...base, data: words });
  }
  switch (type) {
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return makeAnyData({ ...base, data: BigInt64Array.from(out, (x) => (x === null ? 0n : (x as bigint))) });
    case 'date':
    case 'integer':
      return makeAnyData({ ...base, data: Int32Array.from(out, (x) => (x as number | null) ?? 0) });
    case 'short':
      return makeAnyData({ ...base, data: Int16Array.from(out, (x) => (x as number | null) ?? 0) });
    case 'byte':
      return makeAnyData({ ...base, data: Int8Array.from(out, (x) => (x as number | null) ?? 0) });
    case 'double':
      return makeAnyData({ ...base, data: Float64Array.from(out, (x) => (x as number | null) ?? 0) });
    case 'float':
      return makeAnyData({ ...base, data: Float32Array.from(out, (x) => (x as number | null) ?? 0) });
    default:
      return arrow.vectorFromArray(out, arrowType).data[0]!;
  }
}

function caster(type: DeltaType, column: string): (v: Exclude<Value, null>) => unknown {
  const bad = (v: Exclude<Value, null>): never => {
    throw new ExpressionError(
      `cannot assign ${JSON.stringify(toText(v))} to column ${column} of type ${typeToString(type)}`,
    );
  };
  const num = (v: Exclude<Value, null>): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
    if (typeof v === 'object' && !(v instanceof Uint8Array)) return Number(v.unscaled) / 10 ** v.scale;
    return bad(v);
  };
  const int =
    (bits: number) =>
    (v: Exclude<Value, null>): number => {
      const x = Math.trunc(num(v));
      const lim = 2 ** (bits - 1);
      if (!(x >= -lim && x < lim)) bad(v);
      return x;
    };
  const d = decimalParams(type);
  if (d) {
    return (v) => {
      if (typeof v === 'object' && !(v instanceof Uint8Array)) {
        const diff = d.scale - v.scale;
        return diff >= 0 ? v.unscaled * 10n ** BigInt(diff) : v.unscaled / 10n ** BigInt(-diff);
      }
      if (typeof v === 'bigint') return v * 10n ** BigInt(d.scale);
      const u = typeof v === 'number' || typeof v === 'string' ? parseDecimalUnscaled(String(v), d.scale) : undefined;
      return u ?? bad(v);
    };
  }
  switch (type) {
    case 'string':
      return (v) => toText(v);
    case 'boolean':
      return (v) =>
        typeof v === 'boolean'
          ? v
          : typeof v === 'string' && /^(true|false)$/i.test(v)
            ? v.toLowerCase() === 'true'
            : bad(v);
    case 'byte':
      return int(8);
    case 'short':
      return int(16);
    case 'integer':
      return int(32);
    case 'long':
      return (v) => {
        if (typeof v === 'bigint') return BigInt.asIntN(64, v);
        if (typeof v === 'object' && !(v instanceof Uint8Array)) return v.unscaled / 10n ** BigInt(v.scale);
        const x = Math.trunc(num(v));
        return Number.isFinite(x) ? BigInt(x) : bad(v);
      };
    case 'float':
      return (v) => Math.fround(num(v));
    case 'double':
      return num;
    case 'date':
      return (v) =>
        typeof v === 'number' && Number.isInteger(v)
          ? v
          : typeof v === 'string'
            ? (parseDateDays(v) ?? bad(v))
            : bad(v);
    case 'timestamp':
    case 'timestamp_ntz':
      return (v) => (typeof v === 'bigint' ? v : typeof v === 'string' ? (parseTimestampMicros(v) ?? bad(v)) : bad(v));
    case 'binary':
      return (v) => (v instanceof Uint8Array ? v : typeof v === 'string' ? new TextEncoder().encode(v) : bad(v));
    default:
      throw new ExpressionError(`column ${column} has type ${typeToString(type)}, which an expression cannot assign`);
  }
}

/** `table` (one batch or several) with the columns in `replace` (by index) swapped for new data. */
export function replaceColumns(table: arrow.Table, replace: Map<number, arrow.Data>): arrow.Table {
  if (replace.size === 0) return table;
  // The new columns are one chunk each; cut them at the table's batch boundaries (zero-copy slices).
  let start = 0;
  const batches = table.batches.map((batch) => {
    const children = table.schema.fields.map((_, i) => {
      const d = replace.get(i);
      return d ? d.slice(start, batch.numRows) : batch.data.children[i]!;
    });
    start += batch.numRows;
    const struct = arrow.makeData({
      type: new arrow.Struct(table.schema.fields),
      length: batch.numRows,
      nullCount: 0,
      children,
    });
    return new arrow.RecordBatch(table.schema, struct);
  });
  return batches.length ? new arrow.Table(batches) : table;
}
