/**
 * Phase 5, functions cells: which parameters each of their declarations needs,
 * transitively — a step calling such a function takes those parameters. A functions cell
 * reading a step's variable is warned about (other steps do not have it).
 */
import type * as ts from 'typescript';
import type { Declarations } from './declarations.js';
import type { NotebookProgram } from './notebook-program.js';
import type { ReferenceFinder } from './references.js';
import type { Ref, Report } from './types.js';

/** The parameters that calling the given functions-cell declarations needs. */
export type ParametersViaFunctions = (symbols: Iterable<ts.Symbol>) => Set<string>;

export function functionsCellParameters(
  np: NotebookProgram,
  decls: Declarations,
  finder: ReferenceFinder,
  parameterSymbols: ReadonlyMap<ts.Symbol, string>,
  report: Report,
): ParametersViaFunctions {
  const fnRefs = new Map<ts.Symbol, Ref[]>();
  // Statements of functions cells that declare nothing still run in every step.
  const globalFnRefs: Ref[] = [];
  for (const c of np.cells.filter((p) => p.block.role === 'functions')) {
    for (const st of decls.statementsByCell.get(c.index) ?? []) {
      const refs = finder.refsOf([st]);
      const declared = decls.inCell(c.index).filter((d) => d.statement === st);
      if (declared.length === 0) globalFnRefs.push(...refs);
      for (const d of declared) {
        const sym = np.checker.getSymbolAtLocation(d.nameNode as ts.Identifier);
        if (sym) fnRefs.set(sym, refs);
      }
      for (const r of refs) {
        const from = decls.bySymbol.get(r.sym)![0]!;
        const b = np.blockOf(from.cell);
        if (b.role === 'step')
          report(
            'warning',
            'functions-reads-step-variable',
            c.index,
            `functions cell reads "${r.id.text}", a variable of step "${b.step}"; it is not available in other steps — pass it as an argument`,
            { line: np.lineIn(c.index, r.id), variable: r.id.text },
          );
      }
    }
  }
  return (symbols) => {
    const out = new Set<string>();
    const seen = new Set<ts.Symbol>();
    const todo = [...symbols];
    for (const r of globalFnRefs) todo.push(r.sym);
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const p = parameterSymbols.get(s);
      if (p) out.add(p);
      for (const r of fnRefs.get(s) ?? []) todo.push(r.sym);
    }
    return out;
  };
}
