/**
 * Data validation in the spirit of TFX: SchemaGen infers a schema from the
 * statistics of a trusted batch (train), ExampleValidator checks a new batch
 * against it. Anomalies: missing and extra columns, type changes, values out
 * of the schema's range, a jump in the null rate, and distribution drift
 * measured by the population stability index (PSI) over the reference's
 * decile bins. `formatReport` renders a readable text report.
 */
import type { Table } from 'apache-arrow';
import { ValidationError } from './errors.js';
import {
  computeStatistics,
  type DatasetStatistics,
  isNumericType,
  numericValues,
  quantileSorted,
} from './statistics.js';

export interface ColumnSchema {
  name: string;
  type: string;
  /** Largest acceptable null fraction (observed rate plus slack). */
  maxNullRate: number;
  /** Accepted value range for numeric columns (observed range widened by the margin). */
  min?: number;
  max?: number;
  /** PSI reference: interior cut points (reference deciles) and the fraction of reference rows per bin. */
  drift?: { cuts: number[]; fractions: number[] };
}

export interface DataSchema {
  columns: ColumnSchema[];
}

export interface SchemaOptions {
  /** Widen each numeric range by this fraction of its width on both sides. Default 0. */
  rangeMargin?: number;
  /** Null-rate slack over the observed rate. Default 0.01. */
  nullRateSlack?: number;
  /** Bins of the PSI reference. Default 10 (deciles). */
  driftBins?: number;
}

/**
 * Infers a schema from a trusted table (TFX SchemaGen): types, null-rate bounds,
 * value ranges and drift references.
 */
export function inferSchema(table: Table, options: SchemaOptions = {}): DataSchema {
  const { rangeMargin = 0, nullRateSlack = 0.01, driftBins = 10 } = options;
  const columns = table.schema.fields.map((field): ColumnSchema => {
    const v = table.getChild(field.name)!;
    const nullRate = v.length === 0 ? 0 : v.nullCount / v.length;
    const col: ColumnSchema = {
      name: field.name,
      type: String(field.type),
      maxNullRate: Math.min(1, nullRate + nullRateSlack),
    };
    if (!isNumericType(v)) return col;
    const { values } = numericValues(v);
    if (values.length === 0) return col;
    const sorted = Float64Array.from(values).sort();
    const min = sorted[0]!;
    const max = sorted[sorted.length - 1]!;
    const margin = (max - min) * rangeMargin;
    col.min = min - margin;
    col.max = max + margin;
    const cuts = [
      ...new Set(Array.from({ length: driftBins - 1 }, (_, i) => quantileSorted(sorted, (i + 1) / driftBins))),
    ];
    col.drift = { cuts, fractions: binFractions(sorted, cuts) };
    return col;
  });
  return { columns };
}

/** Fraction of values per bin: (−∞, c₀], (c₀, c₁], …, (cₙ, ∞). */
function binFractions(values: Float64Array, cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const x of values) {
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x <= cuts[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length));
}

/** Population stability index Σ (a − e) ln(a / e), empty bins floored at 1e-4. */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length) {
    throw new ValidationError(`psi: ${expected.length} expected bins but ${actual.length} actual bins`);
  }
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, 1e-4);
    const a = Math.max(actual[i]!, 1e-4);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

export type AnomalyKind = 'missing_column' | 'extra_column' | 'type_change' | 'out_of_range' | 'null_rate' | 'drift';

export interface Anomaly {
  column: string;
  kind: AnomalyKind;
  severity: 'error' | 'warning';
  description: string;
  /** The measured number behind the anomaly (PSI, null rate, out-of-range fraction). */
  value?: number;
}

export interface ValidationOptions {
  /** PSI at or above which a column has drifted. Default 0.25 (a "significant shift"). */
  psiThreshold?: number;
  /** Out-of-range fractions up to this are warnings, above it errors. Default 0.01. */
  outOfRangeErrorFraction?: number;
  /** Names for the report. */
  batchName?: string;
  schemaName?: string;
}

export interface ValidationReport {
  batchName: string;
  schemaName: string;
  rows: number;
  anomalies: Anomaly[];
  statistics: DatasetStatistics;
  /** True when there is no anomaly of severity error. */
  ok: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;
const num = (x: number) => (Math.abs(x) >= 1000 || Number.isInteger(x) ? x.toFixed(0) : x.toPrecision(4));

/**
 * Checks `batch` against `schema` (TFX ExampleValidator).
 * @throws ValidationError if `schema` is not a schema.
 */
export function validate(batch: Table, schema: DataSchema, options: ValidationOptions = {}): ValidationReport {
  if (!schema || !Array.isArray(schema.columns)) throw new ValidationError('validate: the schema has no columns list');
  const { psiThreshold = 0.25, outOfRangeErrorFraction = 0.01, batchName = 'batch', schemaName = 'schema' } = options;
  const anomalies: Anomaly[] = [];
  const statistics = computeStatistics(batch);
  const expected = new Map(schema.columns.map((c) => [c.name, c]));
  for (const col of schema.columns) {
    const v = batch.getChild(col.name);
    if (!v) {
      anomalies.push({
        column: col.name,
        kind: 'missing_column',
        severity: 'error',
        description: `column is in the schema (${col.type}) but not in the batch`,
      });
      continue;
    }
    const type = String(v.type);
    if (type !== col.type) {
      anomalies.push({
        column: col.name,
        kind: 'type_change',
        severity: 'error',
        description: `type changed from ${col.type} to ${type}`,
      });
    }
    const nullRate = v.length === 0 ? 0 : v.nullCount / v.length;
    if (nullRate > col.maxNullRate) {
      anomalies.push({
        column: col.name,
        kind: 'null_rate',
        severity: 'error',
        value: nullRate,
        description: `null rate ${pct(nullRate)} exceeds the allowed ${pct(col.maxNullRate)} (${v.nullCount} of ${v.length} rows)`,
      });
    }
    if (!isNumericType(v) || col.min === undefined || col.max === undefined) continue;
    const { values } = numericValues(v);
    if (values.length === 0) continue;
    let below = 0;
    let above = 0;
    let sum = 0;
    for (const x of values) {
      if (x < col.min) below++;
      else if (x > col.max) above++;
      sum += x;
    }
    if (below + above > 0) {
      const fraction = (below + above) / values.length;
      anomalies.push({
        column: col.name,
        kind: 'out_of_range',
        severity: fraction > outOfRangeErrorFraction ? 'error' : 'warning',
        value: fraction,
        description: `${below + above} values (${pct(fraction)}) outside [${num(col.min)}, ${num(col.max)}]: ${below} below, ${above} above`,
      });
    }
    if (col.drift) {
      const score = psi(col.drift.fractions, binFractions(values, col.drift.cuts));
      if (score >= psiThreshold) {
        anomalies.push({
          column: col.name,
          kind: 'drift',
          severity: 'error',
          value: score,
          description: `distribution drift: PSI ${score.toFixed(3)} ≥ ${psiThreshold} (batch mean ${num(sum / values.length)})`,
        });
      }
    }
  }
  for (const field of batch.schema.fields) {
    if (!expected.has(field.name)) {
      anomalies.push({
        column: field.name,
        kind: 'extra_column',
        severity: 'warning',
        description: `column (${field.type}) is not in the schema`,
      });
    }
  }
  return {
    batchName,
    schemaName,
    rows: batch.numRows,
    anomalies,
    statistics,
    ok: anomalies.every((a) => a.severity !== 'error'),
  };
}

/** A plain-text report: one summary line, then one line per anomaly. */
export function formatReport(report: ValidationReport): string {
  const errors = report.anomalies.filter((a) => a.severity === 'error').length;
  const warnings = report.anomalies.length - errors;
  const head =
    `Validation of '${report.batchName}' against '${report.schemaName}': ${report.rows} rows, ` +
    `${report.statistics.columns.length} columns — ` +
    (report.anomalies.length === 0
      ? 'no anomalies'
      : `${report.anomalies.length} anomalies (${errors} errors, ${warnings} warnings)`);
  const width = Math.max(6, ...report.anomalies.map((a) => a.column.length));
  const lines = report.anomalies.map(
    (a) => `  ${a.severity.toUpperCase().padEnd(7)} ${a.column.padEnd(width)}  ${a.kind.padEnd(14)}  ${a.description}`,
  );
  return [head, ...lines].join('\n');
}
