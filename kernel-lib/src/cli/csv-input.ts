/**
 * CSV → typed Arrow table for `stillwater table write --from file.csv`.
 * Parsing is csv-parse's (RFC 4180 quoting, BOM, CRLF); typing is ours:
 * a column present in the target table takes the table's type, any other
 * column is inferred from its values (long, double, boolean, date, timestamp,
 * else string). An empty field is null.
 */
import * as arrow from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import {
  type DeltaType,
  DeltaError,
  decimalParams,
  deltaTypeToArrow,
  parseDateDays,
  parseDecimalUnscaled,
  parseTimestampMicros,
  writeDecimalWords,
  type StructType,
  typeToString,
} from '../lakehouse/index.js';

/** The CSV cannot be parsed, or a value does not fit its column's type. */
export class CsvInputError extends DeltaError {}

const INT_RE = /^[+-]?\d+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TS_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const BOOL_RE = /^(true|false)$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses CSV text (header row first) into an Arrow table. */
export function csvToArrow(text: string, file: string, tableSchema?: StructType): arrow.Table {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new CsvInputError(`${file}: ${(e as Error).message}`);
  }
  const header = rows[0];
  if (!header || header.length === 0) throw new CsvInputError(`${file}: no header row`);
  const body = rows.slice(1);
  if (body.length === 0 && !tableSchema) {
    throw new CsvInputError(`${file} has a header but no rows: a new table needs rows to infer its column types`);
  }
  const columns: Record<string, arrow.Vector> = {};
  header.forEach((name, c) => {
    if (name === '') throw new CsvInputError(`${file}: column ${c + 1} has an empty name`);
    if (name in columns) throw new CsvInputError(`${file}: column ${name} appears twice in the header`);
    const raw = body.map((r) => (r[c] === '' ? null : (r[c] ?? null)));
    const known = tableSchema?.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    const type = known ? known.type : inferType(raw);
    columns[name] = toVector(raw, type, name, file);
  });
  return new arrow.Table(columns);
}

/** The narrowest of long, double, boolean, date, timestamp that holds every non-null value; else string. */
export function inferType(values: (string | null)[]): DeltaType {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return 'string';
  const all = (ok: (v: string) => boolean): boolean => present.every(ok);
  if (all((v) => INT_RE.test(v) && BigInt(v) >= INT64_MIN && BigInt(v) <= INT64_MAX)) return 'long';
  if (all((v) => v.trim() !== '' && !Number.isNaN(Number(v)))) return 'double';
  if (all((v) => BOOL_RE.test(v))) return 'boolean';
  if (all((v) => DATE_RE.test(v) && parseDateDays(v) !== undefined)) return 'date';
  if (all((v) => TS_RE.test(v) && parseTimestampMicros(v) !== undefined)) return 'timestamp';
  return 'string';
}

function toVector(values: (string | null)[], type: DeltaType, column: string, file: string): arrow.Vector {
  const bad = (row: number, v: string): never => {
    throw new CsvInputError(
      `${file} row ${row + 2}, column ${column}: cannot read ${JSON.stringify(v)} as ${typeToString(type)}`,
    );
  };
  const arrowType = deltaTypeToArrow(type, column);
  const n = values.length;
  const validity = new Uint8Array(((n + 63) & ~63) >> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) nulls++;
    else validity[i >> 3]! |= 1 << (i & 7);
  });
  const raw = (data: ArrayBufferView): arrow.Vector =>
    arrow.makeVector(
      (arrow.makeData as unknown as (p: Record<string, unknown>) => arrow.Data)({
        type: arrowType,
        length: n,
        nullCount: nulls,
        nullBitmap: nulls ? validity : undefined,
        data,
      }),
    );
  if (typeof type !== 'string') {
    throw new CsvInputError(`${file}: column ${column} has type ${typeToString(type)}, which CSV cannot hold`);
  }
  switch (type) {
    case 'string':
      return arrow.vectorFromArray(values, arrowType);
    case 'binary':
      return arrow.vectorFromArray(
        values.map((v) => (v === null ? null : new TextEncoder().encode(v))),
        arrowType,
      );
    case 'boolean':
      return arrow.vectorFromArray(
        values.map((v, i) =>
          v === null ? null : BOOL_RE.test(v.trim()) ? v.trim().toLowerCase() === 'true' : bad(i, v),
        ),
        arrowType,
      );
    case 'byte':
    case 'short':
    case 'integer':
    case 'long': {
      const out = type === 'long' ? new BigInt64Array(n) : new (arrowType as arrow.Int).ArrayType(n);
      const limits = { byte: 7n, short: 15n, integer: 31n, long: 63n }[type];
      values.forEach((v, i) => {
        if (v === null) return;
        const s = v.trim();
        if (!INT_RE.test(s)) bad(i, v);
        const x = BigInt(s);
        if (x < -(2n ** limits) || x >= 2n ** limits) bad(i, v);
        (out as unknown as (number | bigint)[])[i] = type === 'long' ? x : Number(x);
      });
      return raw(out);
    }
    case 'float':
    case 'double': {
      const out = type === 'double' ? new Float64Array(n) : new Float32Array(n);
      values.forEach((v, i) => {
        if (v === null) return;
        const x = Number(v.trim());
        if (v.trim() === '' || (Number.isNaN(x) && v.trim() !== 'NaN')) bad(i, v);
        out[i] = x;
      });
      return raw(out);
    }
    case 'date': {
      const out = new Int32Array(n);
      values.forEach((v, i) => {
        if (v !== null) out[i] = parseDateDays(v) ?? bad(i, v);
      });
      return raw(out);
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      const out = new BigInt64Array(n);
      values.forEach((v, i) => {
        if (v !== null) out[i] = parseTimestampMicros(v) ?? bad(i, v);
      });
      return raw(out);
    }
    default: {
      const d = decimalParams(type);
      if (!d) throw new CsvInputError(`${file}: column ${column} has type ${type}, which CSV input does not support`);
      const out = new Uint32Array(n * 4);
      const limit = 10n ** BigInt(d.precision);
      values.forEach((v, i) => {
        if (v === null) return;
        const x = parseDecimalUnscaled(v, d.scale) ?? bad(i, v);
        if (x >= limit || x <= -limit) bad(i, v);
        writeDecimalWords(out, i, x);
      });
      return raw(out);
    }
  }
}
