/**
 * The turbofan example's data: a real C-MAPSS directory when one is given,
 * otherwise the embedded simulator (so the demo needs no download), and the
 * example's feature recipe.
 */
import type { Table } from 'apache-arrow';
import { readCmapssDir, SENSOR_COLUMNS, SETTING_COLUMNS, type TurbofanData } from './cmapss.js';
import { constantColumns, dropColumns } from './columns.js';
import { addLabels } from './labels.js';
import { addRollingFeatures } from './rolling.js';
import { Scaler, type ScalerJSON, type ScalingKind } from './scaling.js';
import { type SimulatorOptions, simulateTurbofan } from './simulator.js';

export interface LoadTurbofanOptions extends SimulatorOptions {
  /** A C-MAPSS directory; empty or undefined selects the simulator. */
  dataDir?: string;
  /** C-MAPSS subset to read from `dataDir`. Default FD001. */
  subset?: string;
}

export interface LoadedTurbofan extends TurbofanData {
  /** Human-readable origin, e.g. `C-MAPSS FD001 in /data` or `simulator (seed 42)`. */
  source: string;
}

/** Loads train / test / RUL from `dataDir`, or simulates them when no directory is given. */
export async function loadTurbofan(options: LoadTurbofanOptions = {}): Promise<LoadedTurbofan> {
  const { dataDir, subset = 'FD001', ...sim } = options;
  if (dataDir) return { ...(await readCmapssDir(dataDir, subset)), source: `C-MAPSS ${subset} in ${dataDir}` };
  const drift = sim.sensorDrift ? `, sensor drift ${sim.sensorDrift} sd` : '';
  return { ...simulateTurbofan(sim), source: `simulator (seed ${sim.seed ?? 42}${drift})` };
}

export interface PrepareOptions {
  /** Label rows with remaining cycles ≤ window. Default 20. */
  window?: number;
  /** Rolling mean/std window over the sensors; 0 disables rolling features. Default 30. */
  rolling?: number;
  /** Scaling fitted on train. Default min-max. */
  scaling?: ScalingKind | 'none';
}

export interface PreparedTurbofan {
  train: Table;
  test: Table;
  /** Feature columns, in model order. */
  features: string[];
  /** Columns dropped because they are constant on train. */
  dropped: string[];
  /** The scaler fitted on train (null when scaling is 'none'). */
  scaler: ScalerJSON | null;
}

/**
 * The turbofan example's feature recipe, shared by the notebook and its tests:
 * labels (remaining ≤ window; test via the RUL table), drop settings/sensors
 * constant on train, rolling mean/std of the remaining sensors per unit, then
 * scaling fitted on train and applied to both splits.
 */
export function prepareTurbofan(data: TurbofanData, options: PrepareOptions = {}): PreparedTurbofan {
  const { window = 20, rolling = 30, scaling = 'minmax' } = options;
  const raw = [...SETTING_COLUMNS, ...SENSOR_COLUMNS];
  const dropped = constantColumns(data.train, { columns: raw });
  const sensors = SENSOR_COLUMNS.filter((c) => !dropped.includes(c));
  const build = (t: Table, rul?: Table) => {
    let out = dropColumns(addLabels(t, { window, rul }), dropped);
    if (rolling > 0) out = addRollingFeatures(out, { columns: sensors, window: rolling });
    return out;
  };
  let train = build(data.train);
  let test = build(data.test, data.rul);
  const notFeatures = new Set(['unit', 'cycle', 'remaining', 'label']);
  const features = train.schema.fields.map((f) => f.name).filter((n) => !notFeatures.has(n));
  let scaler: ScalerJSON | null = null;
  if (scaling !== 'none') {
    const fitted = Scaler.fit(train, features, scaling);
    train = fitted.transform(train);
    test = fitted.transform(test);
    scaler = fitted.toJSON();
  }
  return { train, test, features, dropped, scaler };
}
