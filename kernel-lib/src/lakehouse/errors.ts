/**
 * Typed errors of the lakehouse. Every error says what went wrong and where
 * (table path, version, file, column) so a user can act on it.
 */
export class DeltaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The path is not a Delta table (no `_delta_log`, or no commits in it). */
export class TableNotFoundError extends DeltaError {}

/**
 * The table path, or its `_delta_log`, is a regular file. A kind of TableNotFoundError
 * that `exists()` does not swallow: nothing can be created there either.
 */
export class TablePathIsFileError extends TableNotFoundError {}

/** The log is inconsistent: missing versions, no protocol/metadata, malformed JSON. */
export class CorruptLogError extends DeltaError {}

/** A data file the log references is missing or unreadable. */
export class DataFileError extends DeltaError {}

/** The table needs a protocol version or table feature this implementation does not support. */
export class UnsupportedFeatureError extends DeltaError {
  constructor(
    readonly feature: string,
    readonly access: 'read' | 'write',
    message: string,
  ) {
    super(message);
  }
}

/** A write does not match the table's schema. */
export class SchemaMismatchError extends DeltaError {
  constructor(
    message: string,
    readonly column?: string,
  ) {
    super(message);
  }
}

/** Time travel asked for a version or timestamp the table does not have. */
export class VersionNotFoundError extends DeltaError {}

/** Another writer committed a change that conflicts with this transaction. */
export class ConcurrentModificationError extends DeltaError {}

/** Optimistic commit failed after the maximum number of retries. */
export class CommitRetryExhaustedError extends ConcurrentModificationError {}

/** A filter expression could not be parsed or refers to unknown columns. */
export class ExpressionError extends DeltaError {}

/** Invalid arguments from a caller (bad mode, bad partition column, …). */
export class InvalidArgumentError extends DeltaError {}
