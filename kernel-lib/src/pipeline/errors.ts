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

/** The notebook has errors (tags, data flow, marshalling); `diagnostics` lists them all. */
export class PipelineCompileError extends PipelineError {
  constructor(
    readonly notebookPath: string,
    readonly diagnostics: Diagnostic[],
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      `${notebookPath}: ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${errors.map((d) => `  ${d.message}`).join('\n')}`,
    );
  }
}

/** An emitted pipeline.json does not validate against schema/pipeline.schema.json (a compiler bug). */
export class SpecValidationError extends PipelineError {}

/** pipeline.json could not be read or is not a valid spec. */
export class SpecReadError extends PipelineError {}
