/**
 * Compiles the notebook as the user sees it. The compiler reads files, so an unsaved
 * notebook is compiled from a hidden snapshot written beside it (same folder: imports
 * resolve the same way) and removed right after; the notebook file itself is never
 * written. Output goes to the notebook's usual `<name>.pipeline/` folder.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompileOutcome, NotebookSource } from '../contracts/lab.js';
import { compileNotebook, defaultOutDir } from '../pipeline/compile.js';
import type { Diagnostic } from '../pipeline/diagnostics.js';

export async function compileSource(source: NotebookSource, cwd: string): Promise<CompileOutcome> {
  const notebookPath = path.resolve(cwd, source.notebookFile);
  const dir = defaultOutDir(notebookPath);
  let compiledFrom = notebookPath;
  if (source.dirty) {
    compiledFrom = path.join(path.dirname(notebookPath), `.${path.basename(notebookPath)}.stillwater-snapshot.ipynb`);
    await writeFile(compiledFrom, JSON.stringify(source.notebook));
  }
  try {
    const compiled = await compileNotebook(compiledFrom, { outDir: dir, copyOf: notebookPath });
    return { kind: 'compile', ok: true, dir, diagnostics: compiled.diagnostics ?? [] };
  } catch (err) {
    // A notebook that does not compile is an answer (its diagnostics), not a failure.
    const diagnostics = (err as { diagnostics?: unknown })?.diagnostics;
    if (!Array.isArray(diagnostics)) throw err;
    return { kind: 'compile', ok: false, dir, diagnostics: diagnostics as Diagnostic[] };
  } finally {
    if (compiledFrom !== notebookPath) await rm(compiledFrom, { force: true });
  }
}
