/**
 * Column access shared by the feature helpers: numeric Arrow columns as dense
 * Float64 arrays (nulls as NaN), per-unit row runs, and rebuilding tables
 * with replaced or added columns while keeping the original column order.
 */
import { type Table, makeVector, Table as ArrowTable, type Vector } from 'apache-arrow';
import { FeatureError } from './errors.js';

/** A column by name, or a FeatureError listing the available ones. */
export function requireColumn(table: Table, name: string, context: string): Vector {
  const v = table.getChild(name);
  if (!v) {
    const names = table.schema.fields.map((f) => f.name).join(', ');
    throw new FeatureError(`${context}: column '${name}' not found (columns: ${names})`);
  }
  return v;
}

/** A numeric column as Float64 values; nulls become NaN. */
export function columnAsFloat64(table: Table, name: string, context = 'column'): Float64Array {
  const v = requireColumn(table, name, context);
  const typeId = v.type.typeId;
  // Arrow type ids: Int = 2, Float = 3, Decimal/Bool/Utf8 etc. are not numeric features.
  if (typeId !== 2 && typeId !== 3) {
    throw new FeatureError(`${context}: column '${name}' is ${v.type}, not a numeric column`);
  }
  const raw = v.toArray() as ArrayLike<number | bigint>;
  const out = raw instanceof Float64Array ? Float64Array.from(raw) : Float64Array.from(raw, Number);
  if (v.nullCount > 0) {
    for (let i = 0; i < out.length; i++) if (!v.isValid(i)) out[i] = Number.NaN;
  }
  return out;
}

/** An integer column (unit, cycle) as Int32 values; nulls are rejected. */
export function columnAsInt32(table: Table, name: string, context: string): Int32Array {
  const v = requireColumn(table, name, context);
  if (v.nullCount > 0) throw new FeatureError(`${context}: column '${name}' has ${v.nullCount} nulls`);
  const raw = v.toArray() as ArrayLike<number | bigint>;
  return raw instanceof Int32Array ? raw : Int32Array.from(raw, Number);
}

/** A contiguous block of rows belonging to one unit: rows [start, end). */
export interface UnitRun {
  unit: number;
  start: number;
  end: number;
}

/**
 * Splits rows into per-unit runs. Rows of a unit must be contiguous with strictly
 * increasing cycles, as in C-MAPSS files; anything else is an error rather than a
 * silent regrouping, because rolling windows depend on that order.
 */
export function unitRuns(table: Table, context: string): UnitRun[] {
  const unit = columnAsInt32(table, 'unit', context);
  const cycle = columnAsInt32(table, 'cycle', context);
  const runs: UnitRun[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < unit.length; i++) {
    const u = unit[i]!;
    const last = runs[runs.length - 1];
    if (last && last.unit === u) {
      if (cycle[i]! <= cycle[i - 1]!) {
        throw new FeatureError(
          `${context}: rows are not ordered by cycle within unit ${u}: row ${i} has cycle ${cycle[i]} after cycle ${cycle[i - 1]}`,
        );
      }
      last.end = i + 1;
      continue;
    }
    if (seen.has(u)) {
      throw new FeatureError(`${context}: rows of unit ${u} are not contiguous (unit ${u} reappears at row ${i})`);
    }
    seen.add(u);
    runs.push({ unit: u, start: i, end: i + 1 });
  }
  return runs;
}

/**
 * The table with columns replaced or appended (new names go at the end, in the
 * order given); unchanged columns are reused without copying.
 */
export function withColumns(table: Table, columns: Record<string, Float64Array | Int32Array | Vector>): Table {
  const out: Record<string, Vector> = {};
  for (const f of table.schema.fields) out[f.name] = table.getChild(f.name)!;
  for (const [name, values] of Object.entries(columns)) {
    out[name] = ArrayBuffer.isView(values) ? makeVector(values as Float64Array) : values;
  }
  return new ArrowTable(out);
}

/** The table without the named columns. */
export function dropColumns(table: Table, names: readonly string[]): Table {
  const drop = new Set(names);
  return table.select(table.schema.fields.map((f) => f.name).filter((n) => !drop.has(n)));
}

/**
 * Columns whose non-null values never vary by more than `tolerance` (default 0,
 * i.e. exactly constant). Fit this on train and drop the same columns from test.
 */
export function constantColumns(
  table: Table,
  options: { columns?: readonly string[]; tolerance?: number } = {},
): string[] {
  const names = options.columns ?? table.schema.fields.map((f) => f.name);
  const tolerance = options.tolerance ?? 0;
  return names.filter((name) => {
    const v = columnAsFloat64(table, name, 'constantColumns');
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const x of v) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return max === Number.NEGATIVE_INFINITY || max - min <= tolerance;
  });
}
