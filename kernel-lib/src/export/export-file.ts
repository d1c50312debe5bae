/**
 * Exports from a notebook or a compiled pipeline folder, as the CLI and the JupyterLab
 * command do: a notebook is compiled first unless its compile is up to date, and the
 * file goes beside the notebook unless told otherwise.
 */
import path from 'node:path';
import { loadPipeline } from '../runner/load-pipeline.js';
import type { ExportOptions, ExportTarget } from './container.js';
import { type ExportResult, exportFileName, writeExport } from './export.js';

export interface ExportFileOptions extends ExportOptions {
  /** Output file; default `<pipeline name><target suffix>` beside the notebook. */
  out?: string;
  cwd?: string;
}

export async function exportToFile(
  notebookOrDir: string,
  target: ExportTarget,
  options: ExportFileOptions = {},
): Promise<ExportResult & { file: string }> {
  const cwd = options.cwd ?? process.cwd();
  const { spec, dir } = await loadPipeline(notebookOrDir, { cwd });
  const besideNotebook = path.dirname(path.resolve(dir, spec.notebook));
  const file = options.out
    ? path.resolve(cwd, options.out)
    : path.join(besideNotebook, exportFileName(spec, target, options.template));
  return writeExport(spec, target, file, options);
}
