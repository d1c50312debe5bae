/**
 * `@stillwater/kernel/data`: the C-MAPSS text format, the turbofan simulator
 * (the embedded default data) and feature helpers on Arrow tables.
 */
export {
  CMAPSS_COLUMNS,
  cmapssFiles,
  formatCmapss,
  formatRul,
  parseCmapss,
  parseRul,
  readCmapss,
  readCmapssDir,
  readRul,
  SENSOR_COLUMNS,
  SETTING_COLUMNS,
  type TurbofanData,
} from './cmapss.js';
export { columnAsFloat64, constantColumns, dropColumns, unitRuns, withColumns } from './columns.js';
export { CmapssFormatError, DataError, FeatureError, SimulatorError } from './errors.js';
export { addLabels, type LabelOptions, remainingCycles } from './labels.js';
export { Random } from './random.js';
export { addRollingFeatures, type RollingOptions, rollingColumnName } from './rolling.js';
export { type ColumnScaling, Scaler, type ScalerJSON, type ScalingKind } from './scaling.js';
export { SIMULATOR_DECIMALS, type SimulatorOptions, simulateTurbofan, writeTurbofan } from './simulator.js';
export {
  type LoadedTurbofan,
  type LoadTurbofanOptions,
  loadTurbofan,
  type PreparedTurbofan,
  type PrepareOptions,
  prepareTurbofan,
} from './turbofan.js';
