/**
 * Arrow columns → one row-major Float32 matrix, the layout XGBoost's C API
 * takes. Each column is written straight into its strided slots, so there is
 * exactly one copy and no per-row arrays.
 *
 * The WASM build marks missing values with −1 (not NaN, which it rejects), so
 * nulls and NaNs become −1, and a genuine −1 is nudged to the next float
 * below (−1.0000001) so it is not mistaken for a missing value.
 */
import type { Table, Vector } from 'apache-arrow';
import { FeatureMatrixError } from './errors.js';

/** The missing-value marker of the WASM build's DMatrix. */
export const MISSING = -1;
const BELOW_MINUS_ONE = -1.0000001192092896; // the float32 just below −1

/** Plain named columns, for callers without an Arrow table. */
export interface FeatureColumns {
  columns: Record<string, ArrayLike<number>>;
}

export type FeatureInput = Table | FeatureColumns;

export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
  names: string[];
}

function isTable(input: FeatureInput): input is Table {
  return typeof (input as Table).getChild === 'function' && (input as Table).schema !== undefined;
}

/** Column names of a feature input, in order. */
export function featureNamesOf(input: FeatureInput): string[] {
  return isTable(input) ? input.schema.fields.map((f) => f.name) : Object.keys(input.columns);
}

function columnOf(input: FeatureInput, name: string): { values: ArrayLike<number | bigint>; vector?: Vector } {
  if (isTable(input)) {
    const vector = input.getChild(name);
    if (!vector) {
      throw new FeatureMatrixError(`feature column '${name}' not found (columns: ${featureNamesOf(input).join(', ')})`);
    }
    const id = vector.type.typeId;
    if (id !== 2 && id !== 3 && id !== 6) {
      throw new FeatureMatrixError(`feature column '${name}' is ${vector.type}, not numeric`);
    }
    return { values: vector.toArray() as ArrayLike<number | bigint>, vector };
  }
  const values = input.columns[name];
  if (!values) {
    throw new FeatureMatrixError(`feature column '${name}' not found (columns: ${featureNamesOf(input).join(', ')})`);
  }
  return { values };
}

/**
 * Builds the row-major matrix of `names` (default: every column, in order).
 * @throws FeatureMatrixError for a missing or non-numeric column, columns of different
 *   lengths, or an empty selection.
 */
export function featureMatrix(input: FeatureInput, names: readonly string[] = featureNamesOf(input)): FeatureMatrix {
  if (names.length === 0) throw new FeatureMatrixError('no feature columns selected');
  const cols = names.length;
  let rows = -1;
  let data = new Float32Array(0);
  names.forEach((name, c) => {
    const { values, vector } = columnOf(input, name);
    if (rows === -1) {
      rows = values.length;
      data = new Float32Array(rows * cols);
    } else if (values.length !== rows) {
      throw new FeatureMatrixError(`feature column '${name}' has ${values.length} rows, '${names[0]}' has ${rows}`);
    }
    const nulls = vector !== undefined && vector.nullCount > 0;
    for (let r = 0, at = c; r < rows; r++, at += cols) {
      const v = Number(values[r]);
      data[at] = Number.isNaN(v) || (nulls && !vector.isValid(r)) ? MISSING : v === MISSING ? BELOW_MINUS_ONE : v;
    }
  });
  return { data, rows, cols, names: [...names] };
}

/** Labels as Float32, from an Arrow vector or any numeric array. */
export function labelArray(labels: ArrayLike<number> | Vector): Float32Array {
  const raw =
    typeof (labels as Vector).toArray === 'function' ? (labels as Vector).toArray() : (labels as ArrayLike<number>);
  return raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>, Number);
}
