/**
 * Arrow rows → JSON-safe values and CSV for `stillwater table read`.
 * Values are read from the buffers so nothing is rounded: longs beyond 2^53
 * and decimals print as exact strings, timestamps as ISO-8601 with µs
 * (`2024-01-02T03:04:05.123456Z`), dates as `YYYY-MM-DD`, binary as base64.
 */
import * as arrow from 'apache-arrow';
import {
  formatDecimal,
  formatDateDays,
  formatTimestampMicros,
  isValidAt,
  readDecimalWords,
} from '../lakehouse/index.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** One JSON-safe value of row `i` of `d`. */
export function jsonValueAt(d: arrow.Data, i: number): JsonValue {
  if (!isValidAt(d, i)) return null;
  const t = d.type;
  if (arrow.DataType.isInt(t)) {
    if (t.bitWidth !== 64) return Number((d.values as Int32Array)[i]);
    const x = BigInt((d.values as BigInt64Array)[i]!);
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString();
  }
  if (arrow.DataType.isFloat(t)) {
    const x = Number((d.values as Float64Array)[i]);
    return Number.isFinite(x) ? x : String(x);
  }
  if (arrow.DataType.isBool(t)) return arrow.makeVector(d).get(i) as boolean;
  if (arrow.DataType.isDate(t)) {
    return t.unit === arrow.DateUnit.DAY
      ? formatDateDays((d.values as Int32Array)[i]!)
      : formatDateDays(Math.floor(Number((d.values as BigInt64Array)[i]) / 86_400_000));
  }
  if (arrow.DataType.isTimestamp(t)) {
    const perUs = {
      [arrow.TimeUnit.SECOND]: -1_000_000n,
      [arrow.TimeUnit.MILLISECOND]: -1000n,
      [arrow.TimeUnit.MICROSECOND]: 1n,
      [arrow.TimeUnit.NANOSECOND]: 1000n,
    }[t.unit];
    const raw = BigInt((d.values as BigInt64Array)[i]!);
    const us = perUs < 0n ? raw * -perUs : raw / perUs;
    const s = formatTimestampMicros(us).replace(' ', 'T');
    return t.timezone ? `${s}Z` : s;
  }
  if (arrow.DataType.isDecimal(t)) {
    return formatDecimal(readDecimalWords(d.values as Uint32Array, i, t.bitWidth), t.scale);
  }
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t) || arrow.DataType.isFixedSizeBinary(t)) {
    return Buffer.from(arrow.makeVector(d).get(i) as Uint8Array).toString('base64');
  }
  if (arrow.DataType.isStruct(t)) {
    const o: Record<string, JsonValue> = {};
    t.children.forEach((f, c) => {
      o[f.name] = jsonValueAt(d.children[c]!, i);
    });
    return o;
  }
  if (arrow.DataType.isList(t) || arrow.DataType.isMap(t)) {
    const off = d.valueOffsets as Int32Array;
    const child = d.children[0]!;
    const items: JsonValue[] = [];
    for (let j = off[i]!; j < off[i + 1]!; j++) items.push(jsonValueAt(child, j));
    if (!arrow.DataType.isMap(t)) return items;
    const o: Record<string, JsonValue> = {};
    for (const kv of items as { key: JsonValue; value: JsonValue }[]) {
      o[typeof kv.key === 'string' ? kv.key : JSON.stringify(kv.key)] = kv.value;
    }
    return o;
  }
  const v = arrow.makeVector(d).get(i);
  return v === null || v === undefined ? null : typeof v === 'bigint' ? v.toString() : (v as JsonValue);
}

/** Rows as plain objects, in table order. */
export function* tableRows(table: arrow.Table): Generator<Record<string, JsonValue>> {
  const names = table.schema.fields.map((f) => f.name);
  for (const batch of table.batches) {
    const cols = batch.data.children;
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, JsonValue> = {};
      names.forEach((n, c) => {
        row[n] = jsonValueAt(cols[c]!, i);
      });
      yield row;
    }
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; null is empty. */
export function csvField(v: JsonValue): string {
  if (v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
