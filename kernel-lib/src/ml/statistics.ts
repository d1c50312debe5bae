/**
 * Per-column statistics of an Arrow table, in the spirit of TFX's
 * StatisticsGen: counts and nulls for every column; min, max, mean, standard
 * deviation, quantiles and an equal-width histogram for numeric ones.
 */
import type { Table, Vector } from 'apache-arrow';

/** Quantile probabilities reported for numeric columns. */
export const QUANTILES = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1] as const;

export interface Histogram {
  /** Bin edges, length bins + 1; the last bin includes its upper edge. */
  edges: number[];
  counts: number[];
}

export interface NumericStatistics {
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Values at QUANTILES (linear interpolation, like numpy's default). */
  quantiles: number[];
  histogram: Histogram;
  /** NaN values (counted apart from nulls; excluded from the numbers above). */
  nans: number;
}

export interface ColumnStatistics {
  name: string;
  /** Arrow type, e.g. `Float64`, `Int32`, `Utf8`. */
  type: string;
  count: number;
  nulls: number;
  /** Present for integer and floating-point columns with at least one value. */
  numeric?: NumericStatistics;
  /** Distinct non-null values of non-numeric columns (capped at 1000). */
  distinct?: number;
}

export interface DatasetStatistics {
  rows: number;
  columns: ColumnStatistics[];
}

/** True for Arrow integer and floating-point types. */
export function isNumericType(v: Vector): boolean {
  const id = v.type.typeId;
  return id === 2 || id === 3;
}

/**
 * The non-null, non-NaN values of a numeric column as Float64, plus the counts
 * of nulls and NaNs.
 */
export function numericValues(v: Vector): { values: Float64Array; nulls: number; nans: number } {
  const raw = v.toArray() as ArrayLike<number | bigint>;
  const out = new Float64Array(raw.length);
  let n = 0;
  let nans = 0;
  const checkNulls = v.nullCount > 0;
  for (let i = 0; i < raw.length; i++) {
    if (checkNulls && !v.isValid(i)) continue;
    const x = Number(raw[i]);
    if (Number.isNaN(x)) nans++;
    else out[n++] = x;
  }
  return { values: out.subarray(0, n), nulls: v.nullCount, nans };
}

/** Quantile of sorted values by linear interpolation. */
export function quantileSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Equal-width histogram over [min, max] (a single bin for a constant column). */
export function histogram(values: Float64Array, min: number, max: number, bins: number): Histogram {
  if (max === min) return { edges: [min, max], counts: [values.length] };
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const x of values) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((x - min) / width)));
    counts[b]!++;
  }
  return { edges, counts };
}

function numericStatistics(values: Float64Array, nans: number, bins: number): NumericStatistics | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = sum / sorted.length;
  let ss = 0;
  for (const x of sorted) ss += (x - mean) * (x - mean);
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return {
    min,
    max,
    mean,
    std: Math.sqrt(ss / sorted.length),
    quantiles: QUANTILES.map((p) => quantileSorted(sorted, p)),
    histogram: histogram(sorted, min, max, bins),
    nans,
  };
}

/** Statistics of every column of `table`. */
export function computeStatistics(table: Table, options: { bins?: number } = {}): DatasetStatistics {
  const bins = options.bins ?? 10;
  const columns = table.schema.fields.map((field): ColumnStatistics => {
    const v = table.getChild(field.name)!;
    const base = { name: field.name, type: String(field.type), count: v.length, nulls: v.nullCount };
    if (isNumericType(v)) {
      const { values, nans } = numericValues(v);
      const numeric = numericStatistics(values, nans, bins);
      return numeric ? { ...base, numeric } : base;
    }
    const distinct = new Set<unknown>();
    for (let i = 0; i < v.length && distinct.size < 1000; i++) {
      if (v.isValid(i)) distinct.add(String(v.get(i)));
    }
    return { ...base, distinct: distinct.size };
  });
  return { rows: table.numRows, columns };
}
