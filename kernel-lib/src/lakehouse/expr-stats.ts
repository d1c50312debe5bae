/**
 * Conservative file skipping: a bound filter against what is known of a file —
 * partition values (exact) and `add.stats` (min/max/nullCount). A file is dropped
 * only when the stats prove no row can match; missing stats keep the file.
 */
import type { AddFile, FileStats } from './actions.js';
import { type BoundExpr, compareScalars, type Scalar, toDec } from './expr-bind.js';
import type { CmpOp } from './expr-parse.js';
import { parseDateDays, parsePartitionValue, parseTimestampMicros } from './partition.js';
import { type DeltaType, decimalParams, type StructType } from './schema.js';

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
