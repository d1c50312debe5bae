/**
 * `@stillwater/kernel/ml`: XGBoost in WASM trained from Arrow columns, metrics,
 * data validation, evaluation against a blessed model, and a model registry
 * in the lakehouse.
 */
export {
  DataValidationError,
  EvaluationError,
  FeatureMatrixError,
  GridSearchError,
  JsonModelError,
  MetricsError,
  MLError,
  ModelFormatError,
  RegistryError,
  ValidationError,
  XGBoostError,
} from './errors.js';
export { featureImportance, type ImportanceType } from './importance.js';
export {
  type FeatureColumns,
  type FeatureInput,
  type FeatureMatrix,
  featureMatrix,
  labelArray,
  MISSING,
} from './matrix.js';
export { type LegacyModel, parseLegacyModel, type Tree, withAttributes } from './model-format.js';
export { f32Literal, legacyToJson } from './model-json.js';
export { jsonToLegacy } from './model-json-read.js';
export { encodeLegacyModel } from './model-legacy-write.js';
export { OBJECTIVES, XGBoostModel, type XGBoostParams } from './xgboost.js';
export { preloadXGBoost } from './wasm.js';
export {
  accuracy,
  averagePrecision,
  type BinaryMetrics,
  bestThreshold,
  binaryMetrics,
  type ConfusionMatrix,
  confusionMatrix,
  f1Score,
  type PrecisionRecallCurve,
  prAuc,
  precision,
  precisionRecallCurve,
  type RocCurve,
  rates,
  recall,
  rocAuc,
  rocCurve,
  type ThresholdPoint,
  thresholdSweep,
} from './metrics.js';
export {
  type ColumnStatistics,
  computeStatistics,
  type DatasetStatistics,
  type Histogram,
  type NumericStatistics,
  QUANTILES,
} from './statistics.js';
export {
  type Anomaly,
  type AnomalyKind,
  type ColumnSchema,
  type DataSchema,
  formatReport,
  inferSchema,
  psi,
  type SchemaOptions,
  type ValidationOptions,
  type ValidationReport,
  validate,
} from './validation.js';
export {
  type ChangeThreshold,
  type EvaluationCheck,
  type EvaluationConfig,
  type EvaluationResult,
  evaluateCandidate,
  type Metrics,
  type ValueThreshold,
} from './evaluator.js';
export { type ModelVersion, ModelRegistry, type RegisterOptions } from './registry.js';
export {
  type Baseline,
  type BaselineCheck,
  type BaselineCheckOptions,
  type BaselineSpan,
  DataBaselines,
} from './baseline.js';
export { RUN_CONTEXT_ENV, type RunContext, runContext } from './run-context.js';
export { type GridResult, type GridSearchOptions, gridSearch, parameterGrid } from './grid.js';
