/**
 * Typed errors of the data toolkit. Each says which file, line, column or
 * table column is at fault, so a user can fix the input without a debugger.
 */
export class DataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A C-MAPSS text file is malformed. `line` and `column` are 1-based; `column`
 * counts characters on the line (where the bad field starts), `field` is the
 * 1-based field number and `fieldName` its C-MAPSS name when known.
 */
export class CmapssFormatError extends DataError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    readonly field?: number,
    readonly fieldName?: string,
  ) {
    const where = field === undefined ? '' : ` (field ${field}${fieldName ? ` '${fieldName}'` : ''})`;
    super(`${file}:${line}:${column}${where}: ${problem}`);
  }
}

/** A feature helper got a table it cannot work on (missing column, unsorted units, bad window). */
export class FeatureError extends DataError {}

/** The simulator got options it cannot honour. */
export class SimulatorError extends DataError {}
