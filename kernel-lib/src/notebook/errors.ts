/** Errors of the notebook displays: a chart or view got data it cannot draw. */
export class NotebookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
