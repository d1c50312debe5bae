import path from 'node:path';

/** Where `compile` writes a notebook's pipeline by default: `<notebook>.pipeline/` beside it. */
export function defaultOutDir(notebookPath: string): string {
  return `${path.resolve(notebookPath).replace(/\.ipynb$/, '')}.pipeline`;
}
