/**
 * Per-file column statistics (`add.stats`, PROTOCOL.md "Per-file Statistics"),
 * computed from the Arrow data being written — parquet-wasm exposes no column
 * statistics, and reading them back would cost a second pass anyway.
 *
 * Values use the protocol's JSON forms: numbers as JSON numbers (longs and
 * decimals printed exactly, never through a float), dates `YYYY-MM-DD`,
 * timestamps ISO-8601 in UTC with millisecond precision (min rounded down,
 * max rounded up so the bounds still hold for µs values), strings truncated to
 * a 32-character prefix (a truncated max gets U+10FFFF appended so it remains
 * an upper bound). Nested structs become nested objects. Columns whose min/max
 * cannot be expressed (NaN, ±Infinity, binary, boolean, arrays, maps) carry only
 * `nullCount`, which keeps data skipping conservative.
 */
import * as arrow from 'apache-arrow';
import { readDecimalWords } from './decimal-words.js';

export interface StatsOptions {
  /** `delta.dataSkippingNumIndexedCols`: leaf columns to collect stats for; -1 = all. Default 32. */
  numIndexedCols?: number;
  /** Characters kept of string min/max values. Default 32 (Spark's prefix length). */
  stringPrefixLength?: number;
}

/** A JSON number kept as its exact decimal text (longs, decimals). */
class ExactNumber {
  constructor(readonly text: string) {}
}

type StatValue = number | string | ExactNumber | StatObject;
interface StatObject {
  [key: string]: StatValue;
}

export interface ComputedStats {
  numRecords: number;
  /** The `add.stats` JSON string. */
  json: string;
}

const MAX_CODE_POINT = String.fromCodePoint(0x10ffff);

/** Computes the stats of one data file's Arrow table (partition columns already removed). */
export function computeStats(table: arrow.Table, options: StatsOptions = {}): ComputedStats {
  const budget = { left: options.numIndexedCols ?? 32 };
  if (budget.left < 0) budget.left = Number.POSITIVE_INFINITY;
  const prefix = options.stringPrefixLength ?? 32;
  const minValues: StatObject = {};
  const maxValues: StatObject = {};
  const nullCount: StatObject = {};
  table.schema.fields.forEach((field, i) => {
    const chunks = table.batches.map((b) => b.data.children[i]!);
    collectField(field, chunks, undefined, budget, prefix, minValues, maxValues, nullCount);
  });
  const parts = [`"numRecords":${table.numRows}`];
  if (Object.keys(minValues).length) parts.push(`"minValues":${toJson(minValues)}`);
  if (Object.keys(maxValues).length) parts.push(`"maxValues":${toJson(maxValues)}`);
  parts.push(`"nullCount":${toJson(nullCount)}`);
  return { numRecords: table.numRows, json: `{${parts.join(',')}}` };
}

/** Validity of the enclosing struct rows, one entry per chunk (undefined = all valid). */
type ParentValidity = (Uint8Array | undefined)[] | undefined;

function collectField(
  field: arrow.Field,
  chunks: arrow.Data[],
  parentValid: ParentValidity,
  budget: { left: number },
  prefix: number,
  minOut: StatObject,
  maxOut: StatObject,
  nullOut: StatObject,
): void {
  if (budget.left <= 0) return;
  const type = field.type;
  if (arrow.DataType.isStruct(type)) {
    const minSub: StatObject = {};
    const maxSub: StatObject = {};
    const nullSub: StatObject = {};
    const valid = chunks.map((d, c) => effectiveValidity(d, parentValid?.[c]));
    type.children.forEach((child, i) => {
      collectField(
        child,
        chunks.map((d) => d.children[i]!),
        valid,
        budget,
        prefix,
        minSub,
        maxSub,
        nullSub,
      );
    });
    if (Object.keys(minSub).length) minOut[field.name] = minSub;
    if (Object.keys(maxSub).length) maxOut[field.name] = maxSub;
    if (Object.keys(nullSub).length) nullOut[field.name] = nullSub;
    return;
  }
  budget.left -= 1;
  let nulls = 0;
  const acc = newAccumulator(type);
  chunks.forEach((d, c) => {
    const valid = effectiveValidity(d, parentValid?.[c]);
    nulls += valid ? d.length - countBits(valid, d.length) : 0;
    acc?.add(d, valid);
  });
  nullOut[field.name] = nulls;
  const bounds = acc?.result(prefix);
  if (bounds) {
    minOut[field.name] = bounds.min;
    maxOut[field.name] = bounds.max;
  }
}

/**
 * A byte-per-row validity array combining the column's own null bitmap with its
 * parent's, or undefined when every row is valid (the fast path).
 */
function effectiveValidity(d: arrow.Data, parent: Uint8Array | undefined): Uint8Array | undefined {
  if (d.nullCount === 0 && !parent) return undefined;
  const out = parent ? parent.slice(0, d.length) : new Uint8Array(d.length).fill(1);
  if (d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0) {
    const bm = d.nullBitmap;
    const off = d.offset;
    for (let i = 0; i < d.length; i++) {
      const j = i + off;
      if (((bm[j >> 3]! >> (j & 7)) & 1) === 0) out[i] = 0;
    }
  } else if (d.nullCount > 0 && d.nullCount === d.length) {
    out.fill(0);
  }
  return out;
}

function countBits(valid: Uint8Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k += valid[i]!;
  return k;
}

interface Accumulator {
  add(d: arrow.Data, valid: Uint8Array | undefined): void;
  result(prefix: number): { min: StatValue; max: StatValue } | undefined;
}

function newAccumulator(type: arrow.DataType): Accumulator | undefined {
  if (arrow.DataType.isFloat(type)) return new FloatAccumulator();
  if (arrow.DataType.isInt(type)) return type.bitWidth === 64 ? new BigIntAccumulator('int') : new FloatAccumulator();
  if (arrow.DataType.isDate(type)) {
    return type.unit === arrow.DateUnit.DAY ? new IntFormatAccumulator(formatDate) : new BigIntAccumulator('date-ms');
  }
  if (arrow.DataType.isTimestamp(type)) return new BigIntAccumulator({ unit: type.unit });
  if (arrow.DataType.isDecimal(type)) return new DecimalAccumulator(type.scale, type.bitWidth);
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return new StringAccumulator();
  return undefined;
}

/** Numbers that fit a double exactly: int8/16/32, uint8/16/32, float32/64. */
class FloatAccumulator implements Accumulator {
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private seen = false;
  private unrepresentable = false;

  add(d: arrow.Data, valid: Uint8Array | undefined): void {
    const n = d.length;
    const r =
      d.values instanceof Float64Array
        ? valid
          ? scanF64Valid(d.values, valid, n)
          : scanF64(d.values, n)
        : scanNumbers(d.values as ArrayLike<number>, valid, n);
    if (r.seen) {
      if (r.min < this.min) this.min = r.min;
      if (r.max > this.max) this.max = r.max;
      this.seen = true;
    }
    this.unrepresentable ||= r.bad;
  }

  result(): { min: StatValue; max: StatValue } | undefined {
    if (!this.seen || this.unrepresentable) return undefined;
    return { min: this.min, max: this.max };
  }
}

interface Scan {
  min: number;
  max: number;
  seen: boolean;
  bad: boolean;
}

// Separate monomorphic loops: a Float64Array-only loop without validity checks is what
// 1M-row float columns hit, and it runs several times faster than a polymorphic one.
function scanF64(v: Float64Array, n: number): Scan {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let bad = false;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    // NaN fails both comparisons above; x - x is NaN only for NaN and ±Infinity.
    if (x - x !== 0) bad = true;
  }
  return { min, max, seen: n > 0, bad };
}

function scanF64Valid(v: Float64Array, valid: Uint8Array, n: number): Scan {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let bad = false;
  let seen = false;
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) continue;
    const x = v[i]!;
    seen = true;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x - x !== 0) bad = true;
  }
  return { min, max, seen, bad };
}

function scanNumbers(v: ArrayLike<number>, valid: Uint8Array | undefined, n: number): Scan {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let bad = false;
  let seen = false;
  for (let i = 0; i < n; i++) {
    if (valid && valid[i] === 0) continue;
    const x = v[i]!;
    seen = true;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x - x !== 0) bad = true;
  }
  return { min, max, seen, bad };
}

/** Day numbers rendered through a formatter (dates). */
class IntFormatAccumulator implements Accumulator {
  private inner = new FloatAccumulator();
  constructor(private readonly format: (n: number) => string) {}
  add(d: arrow.Data, valid: Uint8Array | undefined): void {
    this.inner.add(d, valid);
  }
  result(): { min: StatValue; max: StatValue } | undefined {
    const r = this.inner.result();
    return r && { min: this.format(r.min as number), max: this.format(r.max as number) };
  }
}

type BigIntKind = 'int' | 'date-ms' | { unit: arrow.TimeUnit };

/** 64-bit values: longs (exact), Date64 and timestamps (rendered as text). */
class BigIntAccumulator implements Accumulator {
  private min: bigint | undefined;
  private max: bigint | undefined;
  constructor(private readonly kind: BigIntKind) {}

  add(d: arrow.Data, valid: Uint8Array | undefined): void {
    const v = d.values as BigInt64Array;
    // Compare (signed high word, unsigned low word) pairs: exact, and far cheaper than BigInt compares.
    const hi = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    const lo = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
    let minI = -1;
    let maxI = -1;
    let minH = 0;
    let minL = 0;
    let maxH = 0;
    let maxL = 0;
    for (let i = 0; i < d.length; i++) {
      if (valid && valid[i] === 0) continue;
      const h = hi[2 * i + 1]!;
      const l = lo[2 * i]!;
      if (minI < 0 || h < minH || (h === minH && l < minL)) {
        minI = i;
        minH = h;
        minL = l;
      }
      if (maxI < 0 || h > maxH || (h === maxH && l > maxL)) {
        maxI = i;
        maxH = h;
        maxL = l;
      }
    }
    if (minI < 0) return;
    const mn = v[minI]!;
    const mx = v[maxI]!;
    if (this.min === undefined || mn < this.min) this.min = mn;
    if (this.max === undefined || mx > this.max) this.max = mx;
  }

  result(): { min: StatValue; max: StatValue } | undefined {
    if (this.min === undefined || this.max === undefined) return undefined;
    const k = this.kind;
    if (k === 'int') return { min: new ExactNumber(this.min.toString()), max: new ExactNumber(this.max.toString()) };
    if (k === 'date-ms') {
      const day = 86_400_000n;
      return { min: formatDate(Number(floorDiv(this.min, day))), max: formatDate(Number(floorDiv(this.max, day))) };
    }
    const perMs = {
      [arrow.TimeUnit.SECOND]: 0n,
      [arrow.TimeUnit.MILLISECOND]: 1n,
      [arrow.TimeUnit.MICROSECOND]: 1000n,
      [arrow.TimeUnit.NANOSECOND]: 1_000_000n,
    }[k.unit];
    const toMs = (x: bigint, up: boolean): number => {
      if (perMs === 0n) return Number(x) * 1000;
      if (perMs === 1n) return Number(x);
      const q = floorDiv(x, perMs);
      return Number(up && q * perMs !== x ? q + 1n : q);
    };
    const lo = toMs(this.min, false);
    const hi = toMs(this.max, true);
    if (!validDateMs(lo) || !validDateMs(hi)) return undefined;
    return { min: new Date(lo).toISOString(), max: new Date(hi).toISOString() };
  }
}

/** Decimal128/256: unscaled two's-complement little-endian words → exact decimal text. */
class DecimalAccumulator implements Accumulator {
  private min: bigint | undefined;
  private max: bigint | undefined;
  constructor(
    private readonly scale: number,
    private readonly bitWidth: number,
  ) {}

  add(d: arrow.Data, valid: Uint8Array | undefined): void {
    const words = d.values as Uint32Array;
    let { min, max } = this;
    for (let i = 0; i < d.length; i++) {
      if (valid && valid[i] === 0) continue;
      const x = readDecimalWords(words, i, this.bitWidth);
      if (min === undefined || x < min) min = x;
      if (max === undefined || x > max) max = x;
    }
    this.min = min;
    this.max = max;
  }

  result(): { min: StatValue; max: StatValue } | undefined {
    if (this.min === undefined || this.max === undefined) return undefined;
    return {
      min: new ExactNumber(formatDecimal(this.min, this.scale)),
      max: new ExactNumber(formatDecimal(this.max, this.scale)),
    };
  }
}

/** Strings compared as UTF-8 bytes (code-point order, as Spark does) without decoding every value. */
class StringAccumulator implements Accumulator {
  private min: Uint8Array | undefined;
  private max: Uint8Array | undefined;

  add(d: arrow.Data, valid: Uint8Array | undefined): void {
    const offsets = d.valueOffsets as Int32Array | BigInt64Array;
    const bytes = d.values as Uint8Array;
    const big = offsets instanceof BigInt64Array;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < d.length; i++) {
      if (valid && valid[i] === 0) continue;
      const s = big ? Number(offsets[i]) : (offsets[i] as number);
      const e = big ? Number(offsets[i + 1]) : (offsets[i + 1] as number);
      const v = bytes.subarray(s, e);
      if (min === undefined || compareBytes(v, min) < 0) min = v;
      if (max === undefined || compareBytes(v, max) > 0) max = v;
    }
    this.min = min?.slice();
    this.max = max?.slice();
  }

  result(prefix: number): { min: StatValue; max: StatValue } | undefined {
    if (!this.min || !this.max) return undefined;
    const dec = new TextDecoder();
    const min = [...dec.decode(this.min)];
    const max = [...dec.decode(this.max)];
    return {
      min: min.slice(0, prefix).join(''),
      max: max.length > prefix ? max.slice(0, prefix).join('') + MAX_CODE_POINT : max.join(''),
    };
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function validDateMs(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

/** Days since the epoch → `YYYY-MM-DD` (proleptic Gregorian, as Spark writes). */
export function formatDate(days: number): string {
  const iso = new Date(days * 86_400_000).toISOString();
  return iso.slice(0, iso.indexOf('T'));
}

/** Unscaled integer + scale → exact decimal text (`-12.340`). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

function toJson(v: StatValue): string {
  if (v instanceof ExactNumber) return v.text;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0.0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
    .join(',')}}`;
}
