/**
 * Remaining-cycles targets and the binary label "failure within W cycles".
 * Train units run to failure, so remaining = last cycle − cycle. Test units are
 * cut off early; their true end is last cycle + RUL, taken from the RUL table.
 */
import { makeVector, type Table } from 'apache-arrow';
import { columnAsInt32, unitRuns, withColumns } from './columns.js';
import { FeatureError } from './errors.js';

/**
 * Remaining cycles per row. Without `rul` each unit is taken to fail at its last
 * row; with `rul` (columns unit, rul) a unit fails `rul` cycles after its last row.
 * @throws FeatureError when a unit has no RUL value or rows are out of order.
 */
export function remainingCycles(table: Table, rul?: Table): Int32Array {
  const context = 'remainingCycles';
  const cycle = columnAsInt32(table, 'cycle', context);
  let rulByUnit: Map<number, number> | undefined;
  if (rul) {
    const units = columnAsInt32(rul, 'unit', `${context} (RUL table)`);
    const values = columnAsInt32(rul, 'rul', `${context} (RUL table)`);
    rulByUnit = new Map();
    for (let i = 0; i < units.length; i++) rulByUnit.set(units[i]!, values[i]!);
  }
  const out = new Int32Array(cycle.length);
  for (const run of unitRuns(table, context)) {
    let end = cycle[run.end - 1]!;
    if (rulByUnit) {
      const extra = rulByUnit.get(run.unit);
      if (extra === undefined) throw new FeatureError(`${context}: no RUL value for unit ${run.unit}`);
      end += extra;
    }
    for (let i = run.start; i < run.end; i++) out[i] = end - cycle[i]!;
  }
  return out;
}

export interface LabelOptions {
  /** Label a row 1 when remaining cycles ≤ window. */
  window: number;
  /** RUL table for test data (cut-off units). */
  rul?: Table;
  /** Name of the remaining-cycles column. Default `remaining`. */
  remainingColumn?: string;
  /** Name of the label column. Default `label`. */
  labelColumn?: string;
}

/**
 * The table with `remaining` (Int32) and `label` (Int32, 1 when remaining ≤ window) appended.
 * @throws FeatureError for a negative or non-integer window.
 */
export function addLabels(table: Table, options: LabelOptions): Table {
  const { window, rul, remainingColumn = 'remaining', labelColumn = 'label' } = options;
  if (!Number.isInteger(window) || window < 0) {
    throw new FeatureError(`addLabels: window must be a non-negative integer, got ${window}`);
  }
  const remaining = remainingCycles(table, rul);
  const label = new Int32Array(remaining.length);
  for (let i = 0; i < remaining.length; i++) label[i] = remaining[i]! <= window ? 1 : 0;
  return withColumns(table, { [remainingColumn]: makeVector(remaining), [labelColumn]: makeVector(label) });
}
