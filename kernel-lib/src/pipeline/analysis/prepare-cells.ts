/**
 * Phase 1: the cells that take part (not ignored, not skip), `%magic` lines blanked (with a
 * warning), each parsed alone so a syntax error names its own cell; their import
 * declarations and the `throw` operands codegen wraps.
 */
import type * as ts from 'typescript';
import type { PipelineGraph } from '../graph.js';
import type { NotebookCell } from '../notebook.js';
import { throwOperands } from '../throw-sites.js';
import { tsc } from '../typescript.js';
import type { ImportInfo, PreparedCell, Report } from './types.js';

const MAGIC_LINE = /^[ \t]*%/;

export function prepareCells(
  cells: readonly NotebookCell[],
  graph: PipelineGraph,
  report: Report,
): { prepared: PreparedCell[]; syntaxErrors: boolean } {
  const prepared: PreparedCell[] = [];
  let syntaxErrors = false;
  for (const cell of cells) {
    const block = graph.cells[cell.index]!;
    if (block.role === 'ignored' || block.role === 'skip') continue;
    const code = cell.source
      .split('\n')
      .map((l, i) => {
        if (!MAGIC_LINE.test(l)) return l;
        report('warning', 'magic', cell.index, `tslab magic "${l.trim()}" is ignored in the pipeline`, { line: i + 1 });
        return '';
      })
      .join('\n');
    const sf = tsc.createSourceFile(`cell-${cell.index}.ts`, code, tsc.ScriptTarget.ES2022, true, tsc.ScriptKind.TS);
    const parseErrors = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics;
    for (const d of parseErrors.slice(0, 1)) {
      syntaxErrors = true;
      report('error', 'syntax', cell.index, `syntax error: ${tsc.flattenDiagnosticMessageText(d.messageText, ' ')}`, {
        line: sf.getLineAndCharacterOfPosition(d.start).line + 1,
      });
    }
    const imports = importsOf(sf, code, cell.index);
    prepared.push({ index: cell.index, block, source: cell.source, code, imports, throwOperands: throwOperands(sf) });
  }
  return { prepared, syntaxErrors };
}

function importsOf(sf: ts.SourceFile, code: string, cell: number): ImportInfo[] {
  const imports: ImportInfo[] = [];
  for (const st of sf.statements) {
    if (!tsc.isImportDeclaration(st) && !tsc.isImportEqualsDeclaration(st)) continue;
    const start = st.getStart(sf);
    const clause = tsc.isImportDeclaration(st) ? st.importClause : undefined;
    imports.push({
      cell,
      startLine: sf.getLineAndCharacterOfPosition(start).line,
      endLine: sf.getLineAndCharacterOfPosition(st.end).line,
      start,
      end: st.end,
      text: code.slice(start, st.end),
      sideEffectOnly: tsc.isImportDeclaration(st) && !clause,
      namespace: !!clause?.namedBindings && tsc.isNamespaceImport(clause.namedBindings),
    });
  }
  return imports;
}
