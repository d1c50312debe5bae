/**
 * Min-max and z-score scaling fitted on train only and applied unchanged to
 * test, so no information about the test split leaks into the features. A
 * fitted scaler is plain JSON, so it can be stored with the model.
 */
import type { Table } from 'apache-arrow';
import { columnAsFloat64, withColumns } from './columns.js';
import { FeatureError } from './errors.js';

export type ScalingKind = 'minmax' | 'zscore';

/** x' = (x − center) / scale for one column. */
export interface ColumnScaling {
  name: string;
  center: number;
  scale: number;
}

export interface ScalerJSON {
  kind: ScalingKind;
  columns: ColumnScaling[];
}

export class Scaler {
  private constructor(
    readonly kind: ScalingKind,
    readonly columns: readonly ColumnScaling[],
  ) {}

  /**
   * Fits on `table`: min-max maps [min, max] to [0, 1]; z-score uses mean and the
   * population standard deviation (like scikit-learn). NaNs are ignored; a
   * constant column gets scale 1 so it maps to 0 instead of dividing by zero.
   * @throws FeatureError for an unknown kind, a missing column or a column with no values.
   */
  static fit(table: Table, columns: readonly string[], kind: ScalingKind = 'minmax'): Scaler {
    if (kind !== 'minmax' && kind !== 'zscore') {
      throw new FeatureError(`Scaler.fit: unknown scaling '${kind as string}' (expected 'minmax' or 'zscore')`);
    }
    const fitted = columns.map((name): ColumnScaling => {
      const x = columnAsFloat64(table, name, 'Scaler.fit');
      let n = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      let sum = 0;
      for (const v of x) {
        if (Number.isNaN(v)) continue;
        n++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (n === 0) throw new FeatureError(`Scaler.fit: column '${name}' has no non-null values`);
      if (kind === 'minmax') return { name, center: min, scale: max > min ? max - min : 1 };
      const mean = sum / n;
      let ss = 0;
      for (const v of x) if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
      const sd = Math.sqrt(ss / n);
      return { name, center: mean, scale: sd > 0 ? sd : 1 };
    });
    return new Scaler(kind, fitted);
  }

  /** Restores a scaler from `toJSON()` output. */
  static fromJSON(json: ScalerJSON): Scaler {
    if ((json.kind !== 'minmax' && json.kind !== 'zscore') || !Array.isArray(json.columns)) {
      throw new FeatureError(`Scaler.fromJSON: not a scaler: ${JSON.stringify(json).slice(0, 100)}`);
    }
    return new Scaler(json.kind, json.columns);
  }

  /** The table with every fitted column replaced by its scaled Float64 values. */
  transform(table: Table): Table {
    const replaced: Record<string, Float64Array> = {};
    for (const { name, center, scale } of this.columns) {
      const x = columnAsFloat64(table, name, 'Scaler.transform');
      for (let i = 0; i < x.length; i++) x[i] = (x[i]! - center) / scale;
      replaced[name] = x;
    }
    return withColumns(table, replaced);
  }

  toJSON(): ScalerJSON {
    return { kind: this.kind, columns: this.columns.map((c) => ({ ...c })) };
  }
}
