/**
 * MERGE's join: the equality conjuncts of the ON condition (`t.a = s.b AND …`)
 * become a hash index over the source rows, so each target row looks up its
 * candidate source rows instead of scanning them all; the rest of the ON
 * condition is evaluated on those candidates only. The same keys give the
 * file pruning predicate: a target file whose stats put a key column outside
 * the source's [min, max] cannot match any source row.
 */
import type * as arrow from 'apache-arrow';
import type { Expr, Literal, ScalarReader } from '../expr.js';
import { scalarReader } from '../expr.js';
import { formatDateDays } from '../partition.js';
import type { DeltaType, StructType } from '../schema.js';
import { type Bound, compareValues, joinKey, type Value } from './row-eval.js';

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
export function rowKey(readers: ScalarReader[], i: number): string | undefined {
  if (readers.length === 1) return joinKey(readers[0]!(i));
  let key = '';
  for (const r of readers) {
    const k = joinKey(r(i));
    if (k === undefined) return undefined;
    key += `${k}\u0001`;
  }
  return key;
}

export interface SourceIndex {
  /** Source rows by join key (a number for a single row: most keys are unique). */
  byKey: Map<string, number | number[]>;
  /** Per key pair: smallest and largest non-null source value. */
  ranges: { min: Value; max: Value }[];
}

export function indexSource(source: arrow.Table, pairs: KeyPair[]): SourceIndex {
  const readers = keyReaders(
    source,
    pairs.map((p) => p.source),
  );
  const byKey = new Map<string, number | number[]>();
  const ranges = pairs.map(() => ({ min: null as Value, max: null as Value }));
  for (let j = 0; j < source.numRows; j++) {
    for (let p = 0; p < readers.length; p++) {
      const v = readers[p]!(j);
      if (v === null) continue;
      const r = ranges[p]!;
      if (r.min === null || compareValues(v, r.min) < 0) r.min = v;
      if (r.max === null || compareValues(v, r.max) > 0) r.max = v;
    }
    const key = rowKey(readers, j);
    if (key === undefined) continue;
    const prev = byKey.get(key);
    if (prev === undefined) byKey.set(key, j);
    else if (typeof prev === 'number') byKey.set(key, [prev, j]);
    else prev.push(j);
  }
  return { byKey, ranges };
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
