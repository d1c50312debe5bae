/**
 * Data-flow analysis (Kale's "dependency analysis" stage, with a real type
 * checker). For each step: the free identifiers it reads that are top-level
 * declarations of an ancestor step become its inputs (nearest ancestor wins)
 * and that ancestor's outputs; names from imports/functions/parameters cells
 * are re-included or injected; outputs get a marshal kind from their type.
 * Also validates parameters and metrics cells and warns about known pitfalls.
 *
 * One module per phase under `analysis/`, called in order here; every phase reports
 * its diagnostics through one `Report`, so their order is the phases' order.
 */
import type * as ts from 'typescript';
import { collectDeclarations } from './analysis/declarations.js';
import { functionsCellParameters } from './analysis/functions-cells.js';
import { readMetrics } from './analysis/metrics-cell.js';
import { buildNotebookProgram } from './analysis/notebook-program.js';
import { assignMarshalKinds, warnStepSideEffectImports } from './analysis/output-marshal.js';
import { readParameters } from './analysis/parameters-cell.js';
import { prepareCells } from './analysis/prepare-cells.js';
import { referenceFinder } from './analysis/references.js';
import { reportSkippedReads, skipCellDeclarations } from './analysis/skip-cells.js';
import { traceStepFlows } from './analysis/step-flows.js';
import type { Analysis, Report } from './analysis/types.js';
import { cellDiagnostic, type Diagnostic } from './diagnostics.js';
import type { PipelineGraph } from './graph.js';
import type { NotebookCell } from './notebook.js';

export { literalValue } from './analysis/parameters-cell.js';
export type { Analysis, ImportInfo, PreparedCell, StepFlow } from './analysis/types.js';

/**
 * `onProgram` is given the TypeScript program the analysis used (not called when
 * syntax errors stop it before one is built): the analysis cache records the files
 * it read.
 */
export function analyzeNotebook(
  notebookPath: string,
  cells: readonly NotebookCell[],
  graph: PipelineGraph,
  onProgram?: (program: ts.Program, virtualPath: string) => void,
): Analysis {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (severity, code, cell, message, extra = {}) =>
    diagnostics.push(cellDiagnostic(severity, code, { index: cell, source: cells[cell]!.source }, message, extra));

  // 1. Cells that take part, magics blanked, each parsed alone for syntax errors.
  const { prepared, syntaxErrors } = prepareCells(cells, graph, report);
  if (syntaxErrors) return { cells: prepared, steps: [], parameters: [], metrics: [], diagnostics };
  // 2. One virtual module, one program, one checker.
  const np = buildNotebookProgram(notebookPath, prepared);
  onProgram?.(np.program, np.virtualPath);
  // 3. Top-level declarations and which cell holds each.
  const decls = collectDeclarations(np);
  // 4. Parameters cells: literal const/let declarations only.
  const { parameters, symbols: parameterSymbols } = readParameters(np, decls, report);
  // 5. References, resolved to top-level declarations; what functions cells need.
  const finder = referenceFinder(np, decls, skipCellDeclarations(cells, graph));
  const parametersViaFunctions = functionsCellParameters(np, decls, finder, parameterSymbols, report);
  // 6. Per step: inputs, parameters, borrowed imports; outputs of producers.
  const flows = traceStepFlows(graph, { np, decls, finder, parameterSymbols, parametersViaFunctions, report });
  reportSkippedReads(np, finder.unresolvedSkipped, report);
  // 7. Metrics cells.
  const metrics = readMetrics(np, decls, flows.flows, report);
  // 8. Marshal kinds of outputs (and the inputs that receive them); pitfalls.
  assignMarshalKinds(np, flows, report);
  warnStepSideEffectImports(prepared, report);

  return { cells: prepared, steps: [...flows.flows.values()], parameters, metrics, diagnostics };
}
