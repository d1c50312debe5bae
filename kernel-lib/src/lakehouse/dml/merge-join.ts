/**
 * MERGE's join: the equality conjuncts of the ON condition (`t.a = s.b AND …`)
 * become a hash index over the source rows, so each target row looks up its
 * candidate source rows instead of scanning them all; the rest of the ON
 * condition is evaluated on those candidates only. The same keys give the
 * file pruning predicate: a target file whose stats put a key column outside
 * the source's [min, max] cannot match any source row.
 */
import * as arrow from 'apache-arrow';
import type { Expr, Literal, ScalarReader } from '../expr.js';
import { scalarReader } from '../expr.js';
import { formatDateDays } from '../partition.js';
import type { DeltaType, StructType } from '../schema.js';
import { isValidAt } from '../take.js';
import { type Bound, compareValues, intKey, type JoinKey, joinKey, type Value } from './row-eval.js';

export interface KeyPair {
  target: { index: number; name: string; type: DeltaType };
  source: { index: number; name: string; type: DeltaType };
}

/** `t.x = s.y` conjuncts of the bound ON condition, and whether the condition is nothing else. */
export function equiKeys(on: Bound): { pairs: KeyPair[]; onlyKeys: boolean } {
  const pairs: KeyPair[] = [];
  let onlyKeys = true;
  const walk = (b: Bound): void => {
    if (b.k === 'bin' && b.op === 'and') {
      walk(b.l);
      walk(b.r);
      return;
    }
    if (b.k === 'bin' && b.op === '=' && b.l.k === 'col' && b.r.k === 'col' && b.l.scope !== b.r.scope) {
      const [t, s] = b.l.scope === 0 ? [b.l, b.r] : [b.r, b.l];
      pairs.push({
        target: { index: t.index, name: t.name, type: t.type },
        source: { index: s.index, name: s.name, type: s.type },
      });
      return;
    }
    onlyKeys = false;
  };
  walk(on);
  return { pairs, onlyKeys };
}

/** Row readers for the given columns of a table. */
export function keyReaders(table: arrow.Table, cols: { index: number; type: DeltaType }[]): ScalarReader[] {
  return cols.map((c) => scalarReader(table.getChildAt(c.index)!, c.type));
}

/** The composite join key of row `i`; undefined when a part is NULL (NULL never equals anything). */
export function rowKey(readers: ScalarReader[], i: number): JoinKey | undefined {
  if (readers.length === 1) return joinKey(readers[0]!(i));
  let key = '';
  for (const r of readers) {
    const k = joinKey(r(i));
    if (k === undefined) return undefined;
    key += `${k}\u0001`;
  }
  return key;
}

/**
 * The join keys of every row of `table` (undefined for a NULL key). One
 * integer key column — the common `t.id = s.id` — is read straight from its
 * value buffers: the same keys `rowKey` gives, without a scalar read per row.
 */
export function keyColumn(table: arrow.Table, cols: { index: number; type: DeltaType }[]): (JoinKey | undefined)[] {
  const out = new Array<JoinKey | undefined>(table.numRows);
  const type = cols.length === 1 ? table.schema.fields[cols[0]!.index]!.type : undefined;
  if (type && arrow.DataType.isInt(type) && (type.isSigned || type.bitWidth < 64)) {
    let row = 0;
    for (const d of table.getChildAt(cols[0]!.index)!.data) {
      const values = d.values as ArrayLike<number | bigint> & ArrayBufferView;
      // 64-bit values read as two 32-bit words: no BigInt per row unless beyond ±2^53.
      const words =
        type.bitWidth === 64 && type.isSigned
          ? new Int32Array(values.buffer, values.byteOffset, d.length * 2)
          : undefined;
      for (let i = 0; i < d.length; i++, row++) {
        if (!isValidAt(d, i)) continue;
        if (!words) out[row] = values[i] as number;
        else {
          // Exact whenever the result is a safe integer; beyond ±2^53 it is not, and the BigInt decides.
          const v = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
          out[row] = Number.isSafeInteger(v) ? v : intKey(BigInt(values[i]!));
        }
      }
    }
    return out;
  }
  const readers = keyReaders(table, cols);
  for (let i = 0; i < table.numRows; i++) out[i] = rowKey(readers, i);
  return out;
}

/** Source rows by join key (a number for a single row: most keys are unique). */
export interface KeyLookup {
  get(key: JoinKey): number | number[] | undefined;
}

export interface SourceIndex {
  byKey: KeyLookup;
  /** Per key pair: smallest and largest non-null source value. */
  ranges: { min: Value; max: Value }[];
}

export function indexSource(source: arrow.Table, pairs: KeyPair[]): SourceIndex {
  const cols = pairs.map((p) => p.source);
  const keys = keyColumn(source, cols);
  const byKey = new Map<JoinKey, number | number[]>();
  let numbers = true;
  for (let j = 0; j < source.numRows; j++) {
    const key = keys[j];
    if (key === undefined) continue;
    if (typeof key !== 'number') numbers = false;
    const prev = byKey.get(key);
    if (prev === undefined) byKey.set(key, j);
    else if (typeof prev === 'number') byKey.set(key, [prev, j]);
    else prev.push(j);
  }
  if (numbers && byKey.size > 0) {
    // One integer key column: its keys are its values.
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const k of byKey.keys() as Iterable<number>) {
      if (k < min) min = k;
      if (k > max) max = k;
    }
    return { byKey: new NumberKeyTable(byKey as Map<number, number | number[]>), ranges: [{ min, max }] };
  }
  return { byKey, ranges: valueRanges(source, cols) };
}

/** Per key column: the smallest and largest non-null value. */
function valueRanges(source: arrow.Table, cols: KeyPair['source'][]): { min: Value; max: Value }[] {
  const readers = keyReaders(source, cols);
  const ranges = cols.map(() => ({ min: null as Value, max: null as Value }));
  for (let j = 0; j < source.numRows; j++) {
    for (let p = 0; p < readers.length; p++) {
      const v = readers[p]!(j);
      if (v === null) continue;
      const r = ranges[p]!;
      if (r.min === null || compareValues(v, r.min) < 0) r.min = v;
      if (r.max === null || compareValues(v, r.max) > 0) r.max = v;
    }
  }
  return ranges;
}

/**
 * A file-pruning filter over the target (`key BETWEEN min AND max` per key
 * column), or undefined when no key column has a type the stats can bound.
 * A source without any non-null key gives `false`: nothing can match.
 */
export function pruningFilter(pairs: KeyPair[], index: SourceIndex, target: StructType): Expr | undefined {
  const parts: Expr[] = [];
  pairs.forEach((p, k) => {
    const { min, max } = index.ranges[k]!;
    if (min === null || max === null) {
      parts.push({ kind: 'const', value: false });
      return;
    }
    const lo = literal(min, p.target.type);
    const hi = literal(max, p.target.type);
    if (!lo || !hi || !target.fields[p.target.index]) return;
    parts.push({ kind: 'between', column: { kind: 'column', name: p.target.name }, low: lo, high: hi, negated: false });
  });
  if (parts.length === 0) return undefined;
  return parts.reduce((a, b) => ({ kind: 'and', left: a, right: b }));
}

function literal(v: Value, type: DeltaType): Literal | undefined {
  const numeric = ['byte', 'short', 'integer', 'long', 'float', 'double'].includes(type as string);
  if (numeric && (typeof v === 'number' || typeof v === 'bigint'))
    return { kind: 'literal', type: 'number', text: String(v) };
  if (type === 'string' && typeof v === 'string') return { kind: 'literal', type: 'string', value: v };
  if (type === 'date' && typeof v === 'number') return { kind: 'literal', type: 'date', value: formatDateDays(v) };
  return undefined;
}

/**
 * A read-only hash table of integer keys (open addressing over typed arrays):
 * what a MERGE on an integer id looks up once per target row. A `Map` hashes
 * a double key several times more slowly (tests/bench/lakehouse's MERGE).
 */
class NumberKeyTable implements KeyLookup {
  private readonly keys: Float64Array;
  /** Source row, or -2 - k for `multi[k]`; -1 marks an empty slot. */
  private readonly rows: Int32Array;
  private readonly multi: number[][] = [];
  private readonly shift: number;
  private readonly mask: number;

  constructor(map: Map<number, number | number[]>) {
    const bits = Math.max(4, Math.ceil(Math.log2(map.size * 2)));
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    this.keys = new Float64Array(1 << bits);
    this.rows = new Int32Array(1 << bits).fill(-1);
    for (const [k, v] of map) {
      let h = this.slot(k);
      while (this.rows[h] !== -1) h = (h + 1) & this.mask;
      this.keys[h] = k;
      if (typeof v === 'number') this.rows[h] = v;
      else {
        this.rows[h] = -2 - this.multi.length;
        this.multi.push(v);
      }
    }
  }

  get(key: JoinKey): number | number[] | undefined {
    if (typeof key !== 'number') return undefined;
    for (let h = this.slot(key); ; h = (h + 1) & this.mask) {
      const r = this.rows[h]!;
      if (r === -1) return undefined;
      if (this.keys[h] === key) return r >= 0 ? r : this.multi[-2 - r];
    }
  }

  /** Multiplicative hash of the key's two 32-bit halves (any function of the value would do; this spreads ids). */
  private slot(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> this.shift;
  }
}
