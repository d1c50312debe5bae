/**
 * Rolling statistics per unit: the mean and standard deviation of the last
 * `window` cycles up to and including each row, never crossing units. Early
 * rows use the cycles available (like pandas' `rolling(w, min_periods=1)`);
 * the standard deviation is the sample one (ddof = 1), 0 for a single value.
 */
import type { Table } from 'apache-arrow';
import { columnAsFloat64, unitRuns, withColumns } from './columns.js';
import { FeatureError } from './errors.js';

export interface RollingOptions {
  /** Columns to summarise. */
  columns: readonly string[];
  /** Window length in rows (cycles). */
  window: number;
  /** Statistics to add. Default both. */
  stats?: readonly ('mean' | 'std')[];
}

/** Name of a rolling feature column, e.g. `s2_mean30`. */
export function rollingColumnName(column: string, stat: 'mean' | 'std', window: number): string {
  return `${column}_${stat}${window}`;
}

/**
 * The table with `<column>_mean<window>` and/or `<column>_std<window>` appended (Float64).
 * NaN inputs propagate to the windows that contain them.
 * @throws FeatureError for a bad window, a missing column, or rows not grouped by unit.
 */
export function addRollingFeatures(table: Table, options: RollingOptions): Table {
  const { columns, window, stats = ['mean', 'std'] } = options;
  if (!Number.isInteger(window) || window < 1) {
    throw new FeatureError(`addRollingFeatures: window must be a positive integer, got ${window}`);
  }
  const runs = unitRuns(table, 'addRollingFeatures');
  const added: Record<string, Float64Array> = {};
  for (const name of columns) {
    const x = columnAsFloat64(table, name, 'addRollingFeatures');
    const mean = new Float64Array(x.length);
    const std = new Float64Array(x.length);
    for (const run of runs) {
      // Sums of values shifted by the unit's first value keep the running sum of
      // squares small, so the variance does not cancel catastrophically.
      const ref = Number.isNaN(x[run.start]!) ? 0 : x[run.start]!;
      let sum = 0;
      let sumSq = 0;
      let nans = 0; // NaNs are counted, not summed, so they leave the window again
      for (let i = run.start; i < run.end; i++) {
        const d = x[i]! - ref;
        if (Number.isNaN(d)) nans++;
        else {
          sum += d;
          sumSq += d * d;
        }
        if (i - run.start >= window) {
          const old = x[i - window]! - ref;
          if (Number.isNaN(old)) nans--;
          else {
            sum -= old;
            sumSq -= old * old;
          }
        }
        const n = Math.min(i - run.start + 1, window);
        if (nans > 0) {
          mean[i] = Number.NaN;
          std[i] = Number.NaN;
          continue;
        }
        const m = sum / n;
        mean[i] = m + ref;
        std[i] = n > 1 ? Math.sqrt(Math.max(0, (sumSq - n * m * m) / (n - 1))) : 0;
      }
    }
    if (stats.includes('mean')) added[rollingColumnName(name, 'mean', window)] = mean;
    if (stats.includes('std')) added[rollingColumnName(name, 'std', window)] = std;
  }
  return withColumns(table, added);
}
