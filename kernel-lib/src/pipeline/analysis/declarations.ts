/** Phase 3: the notebook's top-level declarations, by symbol, and the statements of each cell. */
import type * as ts from 'typescript';
import { tsc } from '../typescript.js';
import type { NotebookProgram } from './notebook-program.js';
import type { DeclKind, ImportInfo, TopDecl } from './types.js';

export interface Declarations {
  bySymbol: Map<ts.Symbol, TopDecl[]>;
  statementsByCell: Map<number, ts.Statement[]>;
  inCell(cell: number): TopDecl[];
}

export function collectDeclarations(np: NotebookProgram): Declarations {
  const { checker, sf } = np;
  const bySymbol = new Map<ts.Symbol, TopDecl[]>();
  const statementsByCell = new Map<number, ts.Statement[]>();
  const add = (nameNode: ts.Identifier, st: ts.Statement, kind: DeclKind, cell: number, importInfo?: ImportInfo) => {
    const sym = checker.getSymbolAtLocation(nameNode);
    if (!sym) return;
    const list = bySymbol.get(sym) ?? [];
    list.push({ name: nameNode.text, cell, kind, nameNode, statement: st, ...(importInfo ? { importInfo } : {}) });
    bySymbol.set(sym, list);
  };
  for (const st of sf.statements) {
    const cell = np.cellAt(st.getStart(sf));
    const list = statementsByCell.get(cell.index) ?? [];
    list.push(st);
    statementsByCell.set(cell.index, list);
    if (tsc.isVariableStatement(st)) {
      const flags = st.declarationList.flags;
      const kind: DeclKind = flags & tsc.NodeFlags.Const ? 'const' : flags & tsc.NodeFlags.Let ? 'let' : 'var';
      for (const d of st.declarationList.declarations)
        for (const id of bindingNames(d.name)) add(id, st, kind, cell.index);
    } else if ((tsc.isFunctionDeclaration(st) || tsc.isClassDeclaration(st)) && st.name) {
      add(st.name, st, tsc.isFunctionDeclaration(st) ? 'function' : 'class', cell.index);
    } else if (tsc.isEnumDeclaration(st)) {
      add(st.name, st, 'enum', cell.index);
    } else if (tsc.isImportDeclaration(st) || tsc.isImportEqualsDeclaration(st)) {
      const relStart = st.getStart(sf) - np.offsetOf(cell.index);
      const info = cell.imports.find((i) => i.start === relStart);
      for (const n of importedNames(st)) add(n, st, 'import', cell.index, info);
    }
  }
  return {
    bySymbol,
    statementsByCell,
    inCell: (cell) => [...bySymbol.values()].flat().filter((d) => d.cell === cell),
  };
}

/** The value names an import binds (type-only imports bind none). */
function importedNames(st: ts.ImportDeclaration | ts.ImportEqualsDeclaration): ts.Identifier[] {
  if (tsc.isImportEqualsDeclaration(st)) return [st.name];
  const names: ts.Identifier[] = [];
  const clause = st.importClause;
  if (!clause || clause.isTypeOnly) return names;
  if (clause.name) names.push(clause.name);
  const nb = clause.namedBindings;
  if (nb && tsc.isNamespaceImport(nb)) names.push(nb.name);
  if (nb && tsc.isNamedImports(nb)) for (const el of nb.elements) if (!el.isTypeOnly) names.push(el.name);
  return names;
}

/** The identifiers a binding declares (`a`, `{ a, b: [c] }` → a, c). */
export function bindingNames(name: ts.BindingName): ts.Identifier[] {
  if (tsc.isIdentifier(name)) return [name];
  const out: ts.Identifier[] = [];
  for (const el of name.elements) if (!tsc.isOmittedExpression(el)) out.push(...bindingNames(el.name));
  return out;
}
