/**
 * Typed errors of the ML toolkit: what went wrong and with which model,
 * column, parameter or byte offset.
 */
export class MLError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Training or prediction input is unusable (shapes, labels, missing feature columns). */
export class FeatureMatrixError extends MLError {}

/** XGBoost rejected a parameter, failed inside WASM, or the model was already freed. */
export class XGBoostError extends MLError {}

/** Model bytes are not a legacy XGBoost binary model we can read. */
export class ModelFormatError extends MLError {
  constructor(
    readonly offset: number,
    problem: string,
  ) {
    super(`XGBoost model bytes, offset ${offset}: ${problem}`);
  }
}

/** Metric inputs are inconsistent (lengths, non-binary labels, no positives). */
export class MetricsError extends MLError {}

/** Data validation got unusable input (not statistics, not a schema). */
export class ValidationError extends MLError {}

/** The model registry cannot honour a request (unknown version, bad table). */
export class RegistryError extends MLError {}

/** A configured evaluation metric is missing from the candidate's or baseline's metrics. */
export class EvaluationError extends MLError {}

/** A grid search is empty or one of its training jobs failed. */
export class GridSearchError extends MLError {}

/** A JSON model is not one we can read: names the JSON path and what is wrong there. */
export class JsonModelError extends MLError {
  constructor(
    readonly at: string,
    problem: string,
  ) {
    super(`XGBoost JSON model, ${at}: ${problem}`);
  }
}

/**
 * A batch failed data validation with ERROR anomalies (the gate). The message is
 * one line; `report` holds the full text report, `reportPath` where it was saved.
 */
export class DataValidationError extends MLError {
  constructor(
    message: string,
    readonly report: string,
    readonly reportPath: string | null,
  ) {
    super(message);
  }
}
