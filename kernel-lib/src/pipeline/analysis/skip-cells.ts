/**
 * Skip cells: their names exist in a top-to-bottom tslab run but not in the pipeline. A
 * step reading one gets a `skipped-read` warning (once per cell and name).
 */
import type * as ts from 'typescript';
import type { PipelineGraph } from '../graph.js';
import type { NotebookCell } from '../notebook.js';
import { tsc } from '../typescript.js';
import { bindingNames } from './declarations.js';
import type { NotebookProgram } from './notebook-program.js';
import type { Report } from './types.js';

/** Name → the first skip cell that declares it. */
export function skipCellDeclarations(cells: readonly NotebookCell[], graph: PipelineGraph): Map<string, number> {
  const skippedNames = new Map<string, number>();
  for (const cell of cells) {
    if (graph.cells[cell.index]?.role !== 'skip' || cell.cellType !== 'code') continue;
    const skipSf = tsc.createSourceFile('skip.ts', cell.source.replace(/^[ \t]*%.*$/gm, ''), tsc.ScriptTarget.ES2022);
    for (const st of skipSf.statements) {
      const names: string[] = [];
      if (tsc.isVariableStatement(st))
        for (const d of st.declarationList.declarations) names.push(...bindingNames(d.name).map((i) => i.text));
      else if ((tsc.isFunctionDeclaration(st) || tsc.isClassDeclaration(st)) && st.name) names.push(st.name.text);
      for (const n of names) if (!skippedNames.has(n)) skippedNames.set(n, cell.index);
    }
  }
  return skippedNames;
}

export function reportSkippedReads(
  np: NotebookProgram,
  unresolved: readonly { id: ts.Identifier; skipCell: number }[],
  report: Report,
): void {
  const reported = new Set<string>();
  for (const { id, skipCell } of unresolved) {
    const at = np.cellAt(id.getStart(np.sf));
    const key = `${at.index}:${id.text}`;
    if (reported.has(key) || at.block.role !== 'step') continue;
    reported.add(key);
    report(
      'warning',
      'skipped-read',
      at.index,
      `step "${at.block.step}" reads "${id.text}", which only skip cell ${skipCell} declares; it is undefined when the pipeline runs (move the declaration into a step)`,
      { line: np.lineIn(at.index, id), variable: id.text, step: at.block.step },
    );
  }
}
