/** Typed errors of the pipeline exporters and the step-image builder. */
export class ExportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A name or value cannot be carried into the target without changing its meaning. */
export class ExportValueError extends ExportError {}

/** The step image's build context cannot be made (a package is missing, not locked, or linked). */
export class ImageContextError extends ExportError {}
