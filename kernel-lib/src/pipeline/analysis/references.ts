/**
 * Phase 5: the references of statements, resolved to top-level declarations, with how
 * each use treats the value (read, reassign, mutate). Names no declaration resolves but a
 * skip cell declares are kept for phase 6's `skipped-read` warning.
 */
import type * as ts from 'typescript';
import { tsc } from '../typescript.js';
import type { Declarations } from './declarations.js';
import type { NotebookProgram } from './notebook-program.js';
import type { Ref, Usage } from './types.js';

/** Methods that change the object they are called on. */
const MUTATORS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'delete',
  'add',
  'clear',
]);

export interface ReferenceFinder {
  refsOf(nodes: readonly ts.Node[]): Ref[];
  /** Identifiers seen so far that only a skip cell declares, with that cell. */
  readonly unresolvedSkipped: { id: ts.Identifier; skipCell: number }[];
}

export function referenceFinder(
  np: NotebookProgram,
  decls: Declarations,
  skippedNames: ReadonlyMap<string, number>,
): ReferenceFinder {
  const { checker } = np;
  const unresolvedSkipped: { id: ts.Identifier; skipCell: number }[] = [];
  const refsOf = (nodes: readonly ts.Node[]): Ref[] => {
    const out: Ref[] = [];
    const visit = (n: ts.Node): void => {
      if (tsc.isImportDeclaration(n) || tsc.isImportEqualsDeclaration(n)) return;
      if (tsc.isInterfaceDeclaration(n) || tsc.isTypeAliasDeclaration(n)) return;
      if (tsc.isHeritageClause(n)) {
        if (n.token === tsc.SyntaxKind.ExtendsKeyword && tsc.isClassLike(n.parent))
          for (const t of n.types) visit(t.expression);
        return;
      }
      if (tsc.isTypeNode(n) && !tsc.isExpressionWithTypeArguments(n)) return;
      if (tsc.isIdentifier(n)) {
        const p = n.parent;
        if (tsc.isPropertyAccessExpression(p) && p.name === n) return;
        if ((tsc.isPropertyAssignment(p) || tsc.isMethodDeclaration(p) || tsc.isPropertyDeclaration(p)) && p.name === n)
          return;
        const sym = tsc.isShorthandPropertyAssignment(p)
          ? checker.getShorthandAssignmentValueSymbol(p)
          : checker.getSymbolAtLocation(n);
        const ds = sym ? decls.bySymbol.get(sym) : undefined;
        if (sym && ds && !ds.some((d) => d.nameNode === n)) out.push({ sym, id: n, usage: usageOf(n) });
        else if (!sym && skippedNames.has(n.text))
          unresolvedSkipped.push({ id: n, skipCell: skippedNames.get(n.text)! });
        return;
      }
      tsc.forEachChild(n, visit);
    };
    for (const n of nodes) visit(n);
    return out;
  };
  return { refsOf, unresolvedSkipped };
}

export function usageOf(id: ts.Identifier): Usage {
  const p = id.parent;
  if (tsc.isBinaryExpression(p) && p.left === id && isAssignment(p.operatorToken.kind)) return 'reassign';
  if ((tsc.isPrefixUnaryExpression(p) || tsc.isPostfixUnaryExpression(p)) && isIncDec(p.operator)) return 'reassign';
  // Walk up a member chain rooted at id: a.b[c].d
  let n: ts.Node = id;
  while (
    (tsc.isPropertyAccessExpression(n.parent) || tsc.isElementAccessExpression(n.parent)) &&
    n.parent.expression === n
  ) {
    const member = n.parent;
    const up = member.parent;
    if (tsc.isBinaryExpression(up) && up.left === member && isAssignment(up.operatorToken.kind)) return 'mutate';
    if ((tsc.isPrefixUnaryExpression(up) || tsc.isPostfixUnaryExpression(up)) && isIncDec(up.operator)) return 'mutate';
    if (tsc.isDeleteExpression(up)) return 'mutate';
    if (
      tsc.isCallExpression(up) &&
      up.expression === member &&
      tsc.isPropertyAccessExpression(member) &&
      MUTATORS.has(member.name.text)
    )
      return 'mutate';
    n = member;
  }
  return 'read';
}

function isAssignment(k: ts.SyntaxKind): boolean {
  return k >= tsc.SyntaxKind.FirstAssignment && k <= tsc.SyntaxKind.LastAssignment;
}
function isIncDec(op: ts.SyntaxKind): boolean {
  return op === tsc.SyntaxKind.PlusPlusToken || op === tsc.SyntaxKind.MinusMinusToken;
}
