/** Phase 4: `pipeline-parameters` cells — literal const/let declarations only, one per name. */
import type * as ts from 'typescript';
import type { JsonValue, ParameterType, PipelineParameter } from '../spec.js';
import { tsc } from '../typescript.js';
import type { Declarations } from './declarations.js';
import type { NotebookProgram } from './notebook-program.js';
import { firstLine, type Report } from './types.js';

export interface Parameters {
  parameters: PipelineParameter[];
  /** The symbol of each parameter's declaration → its name (steps that read it take it as a parameter). */
  symbols: Map<ts.Symbol, string>;
}

export function readParameters(np: NotebookProgram, decls: Declarations, report: Report): Parameters {
  const parameters: PipelineParameter[] = [];
  const symbols = new Map<ts.Symbol, string>();
  for (const c of np.cells.filter((p) => p.block.role === 'parameters')) {
    for (const st of decls.statementsByCell.get(c.index) ?? []) {
      if (tsc.isEmptyStatement(st)) continue;
      const bad = (why: string, node: ts.Node = st) =>
        report('error', 'bad-parameters-cell', c.index, `pipeline-parameters cell: ${why}`, {
          line: np.lineIn(c.index, node),
        });
      if (!tsc.isVariableStatement(st) || !(st.declarationList.flags & (tsc.NodeFlags.Const | tsc.NodeFlags.Let))) {
        bad(`only literal const/let declarations are allowed, found "${firstLine(st.getText(np.sf))}"`);
        continue;
      }
      for (const d of st.declarationList.declarations) {
        if (!tsc.isIdentifier(d.name)) {
          bad('destructuring is not allowed; declare one parameter per name', d);
          continue;
        }
        const pname = d.name.text;
        const value = d.initializer ? literalValue(d.initializer) : undefined;
        if (!value) {
          bad(
            `parameter "${pname}" must be initialised with a literal (number, string, boolean, null, array or object of literals)`,
            d,
          );
          continue;
        }
        if (parameters.some((p) => p.name === pname)) {
          report('error', 'duplicate-parameter', c.index, `parameter "${pname}" is declared twice`, {
            line: np.lineIn(c.index, d),
            variable: pname,
          });
          continue;
        }
        parameters.push({ name: pname, type: value.type, default: value.value, cell: c.index });
        const sym = np.checker.getSymbolAtLocation(d.name);
        if (sym) symbols.set(sym, pname);
      }
    }
  }
  return { parameters, symbols };
}

/** The JSON value and parameter type of a literal initializer, or undefined. */
export function literalValue(e: ts.Expression): { type: ParameterType; value: JsonValue } | undefined {
  const v = jsonLiteral(e);
  if (v === undefined) return undefined;
  const type: ParameterType =
    typeof v.value === 'number'
      ? 'number'
      : typeof v.value === 'string'
        ? 'string'
        : typeof v.value === 'boolean'
          ? 'boolean'
          : 'json';
  return { type, value: v.value };
}

function jsonLiteral(e: ts.Expression): { value: JsonValue } | undefined {
  while (tsc.isParenthesizedExpression(e) || tsc.isAsExpression(e) || tsc.isSatisfiesExpression(e)) e = e.expression;
  if (tsc.isNumericLiteral(e)) return { value: Number(e.text) };
  if (tsc.isPrefixUnaryExpression(e) && tsc.isNumericLiteral(e.operand)) {
    if (e.operator === tsc.SyntaxKind.MinusToken) return { value: -Number(e.operand.text) };
    if (e.operator === tsc.SyntaxKind.PlusToken) return { value: Number(e.operand.text) };
    return undefined;
  }
  if (tsc.isStringLiteral(e) || tsc.isNoSubstitutionTemplateLiteral(e)) return { value: e.text };
  if (e.kind === tsc.SyntaxKind.TrueKeyword) return { value: true };
  if (e.kind === tsc.SyntaxKind.FalseKeyword) return { value: false };
  if (e.kind === tsc.SyntaxKind.NullKeyword) return { value: null };
  if (tsc.isArrayLiteralExpression(e)) {
    const out: JsonValue[] = [];
    for (const el of e.elements) {
      const v = jsonLiteral(el);
      if (!v) return undefined;
      out.push(v.value);
    }
    return { value: out };
  }
  if (tsc.isObjectLiteralExpression(e)) {
    const out: Record<string, JsonValue> = {};
    for (const p of e.properties) {
      if (!tsc.isPropertyAssignment(p)) return undefined;
      const key =
        tsc.isIdentifier(p.name) || tsc.isStringLiteral(p.name) || tsc.isNumericLiteral(p.name)
          ? p.name.text
          : undefined;
      const v = key === undefined ? undefined : jsonLiteral(p.initializer);
      if (!v || key === undefined) return undefined;
      out[key] = v.value;
    }
    return { value: out };
  }
  return undefined;
}
