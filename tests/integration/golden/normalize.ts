/**
 * Renders an Arrow table read by our scan into the same canonical row form the
 * pyarrow oracle prints (see oracle.py): integers as strings, decimals as
 * fixed-point strings at the column scale, dates ISO, timestamps as µs strings,
 * binary as hex, structs/lists as arrays, maps as [key, value] pairs.
 * It reads raw buffers for long/timestamp/decimal so nothing is rounded.
 */
import * as arrow from 'apache-arrow';
import {
  type DeltaType,
  decimalAt,
  decimalParams,
  formatDateDays,
  formatDecimalUnscaled,
  type StructType,
} from '../../../kernel-lib/src/lakehouse/index.js';

type Json = null | string | number | boolean | Json[];

function locate(vec: arrow.Vector, i: number): { data: arrow.Data; idx: number } {
  let idx = i;
  for (const data of vec.data) {
    if (idx < data.length) return { data, idx };
    idx -= data.length;
  }
  throw new RangeError(`row ${i} out of range`);
}

function int64At(vec: arrow.Vector, i: number): bigint {
  const { data, idx } = locate(vec, i);
  return (data.values as BigInt64Array)[data.offset + idx]!;
}

function num(v: number): Json {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

/** Canonical value of row `i` of `vec`, whose Delta type is `type`. */
export function normValue(vec: arrow.Vector, i: number, type: DeltaType): Json {
  if (!vec.isValid(i)) return null;
  if (typeof type === 'string') {
    const d = decimalParams(type);
    if (d) return formatDecimalUnscaled(decimalAt(vec, i), d.scale);
    switch (type) {
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
        return String(vec.get(i));
      case 'float':
      case 'double':
        return num(vec.get(i) as number);
      case 'boolean':
        return vec.get(i) as boolean;
      case 'string':
        return vec.get(i) as string;
      case 'binary':
        return `hex:${Buffer.from(vec.get(i) as Uint8Array).toString('hex')}`;
      case 'date':
        return formatDateDays(Math.floor((vec.get(i) as number) / 86_400_000));
      case 'timestamp':
      case 'timestamp_ntz':
        return String(int64At(vec, i));
      default:
        throw new Error(`type ${type}`);
    }
  }
  if (type.type === 'struct') {
    return type.fields.map((f, k) => normValue((vec as arrow.Vector<arrow.Struct>).getChildAt(k)!, i, f.type));
  }
  const { data, idx } = locate(vec, i);
  const offsets = data.valueOffsets as Int32Array;
  const start = offsets[data.offset + idx]!;
  const end = offsets[data.offset + idx + 1]!;
  const child = arrow.makeVector(data.children[0]!);
  const out: Json[] = [];
  if (type.type === 'array') {
    for (let j = start; j < end; j++) out.push(normValue(child, j, type.elementType));
    return out;
  }
  const entries = child as arrow.Vector<arrow.Struct>;
  for (let j = start; j < end; j++) {
    out.push([
      normValue(entries.getChildAt(0)!, j, type.keyType),
      normValue(entries.getChildAt(1)!, j, type.valueType),
    ]);
  }
  return out;
}

/** Every row of `table` as a canonical JSON array string, in schema order. */
export function canonicalRows(table: arrow.Table, schema: StructType): string[] {
  const cols = schema.fields.map((f) => table.getChild(f.name)!);
  const rows: string[] = [];
  for (let i = 0; i < table.numRows; i++) {
    rows.push(JSON.stringify(schema.fields.map((f, k) => normValue(cols[k]!, i, f.type))));
  }
  return rows;
}
