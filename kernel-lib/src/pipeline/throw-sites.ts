/**
 * Finds the `throw` statements of a cell whose value may not be an Error, for
 * throw-wrap.ts (kept apart: codegen must not load TypeScript on a cached analysis).
 */
import type * as ts from 'typescript';
import type { Span } from './throw-wrap.js';
import { tsc } from './typescript.js';

/** Operands of the cell's `throw` statements, except `throw new …` (an Error has its own stack). */
export function throwOperands(sf: ts.SourceFile): Span[] {
  if (!sf.text.includes('throw')) return [];
  const out: Span[] = [];
  const visit = (node: ts.Node): void => {
    if (tsc.isThrowStatement(node) && !tsc.isNewExpression(node.expression)) {
      out.push({ start: node.expression.getStart(sf), end: node.expression.end });
    }
    tsc.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
