/** Typed errors of the notebook → pipeline compiler. */
import type { Diagnostic } from './diagnostics.js';

export class PipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The .ipynb file is missing, not JSON, or not an nbformat 4 notebook. */
export class NotebookReadError extends PipelineError {
  constructor(
    readonly notebookPath: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${notebookPath}: ${message}`, options);
  }
}

/** The notebook breaks the nbformat 4 schema where the compiler relies on it; `cell` names the cell. */
export class NotebookFormatError extends NotebookReadError {
  constructor(
    notebookPath: string,
    message: string,
    /** 0-based index in `cells`, when the problem is one cell's. */
    readonly cell?: number,
  ) {
    super(notebookPath, cell === undefined ? message : `cell ${cell}: ${message}`);
  }
}

/** The notebook has errors (tags, data flow, marshalling); `diagnostics` lists them all. */
export class PipelineCompileError extends PipelineError {
  constructor(
    readonly notebookPath: string,
    readonly diagnostics: Diagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      errors.length === 1
        ? `${notebookPath}: ${errors[0]!.message}`
        : `${notebookPath}: ${errors.length} errors:\n${errors.map((d) => `  ${d.message}`).join('\n')}`,
    );
  }
}

/** The compiled pipeline cannot be written where it should go (nothing partial is left there). */
export class PipelineOutputError extends PipelineError {}

/** An emitted pipeline.json does not validate against schema/pipeline.schema.json (a compiler bug). */
export class SpecValidationError extends PipelineError {}

/** pipeline.json could not be read or is not a valid spec. */
export class SpecReadError extends PipelineError {}
