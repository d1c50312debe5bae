/**
 * Phase 7: `pipeline-metrics` cells — bare identifiers or `console.log(identifier, …)`,
 * each a numeric top-level variable of a step above the cell; that step reports it.
 */
import type * as ts from 'typescript';
import type { PipelineMetric } from '../spec.js';
import { tsc } from '../typescript.js';
import type { Declarations } from './declarations.js';
import type { NotebookProgram } from './notebook-program.js';
import { firstLine, type Report, type StepFlow } from './types.js';

export function readMetrics(
  np: NotebookProgram,
  decls: Declarations,
  flows: Map<string, StepFlow>,
  report: Report,
): PipelineMetric[] {
  const { checker } = np;
  const metrics: PipelineMetric[] = [];
  for (const c of np.cells.filter((p) => p.block.role === 'metrics')) {
    for (const st of decls.statementsByCell.get(c.index) ?? []) {
      if (tsc.isEmptyStatement(st)) continue;
      const ids = metricIdentifiers(st);
      if (!ids) {
        report(
          'error',
          'bad-metrics-cell',
          c.index,
          `pipeline-metrics cell: only metric names (a variable, or console.log(variable)) are allowed, found "${firstLine(st.getText(np.sf))}"`,
          { line: np.lineIn(c.index, st) },
        );
        continue;
      }
      for (const id of ids) {
        const sym = checker.getSymbolAtLocation(id);
        const producer = (sym ? (decls.bySymbol.get(sym) ?? []) : [])
          .filter((d) => d.cell < c.index && np.blockOf(d.cell).role === 'step')
          .sort((a, b) => b.cell - a.cell)[0];
        const where = { line: np.lineIn(c.index, id), variable: id.text };
        if (!producer) {
          const message = `metric "${id.text}" is not a top-level variable of any step above this cell`;
          report('error', 'unknown-metric', c.index, message, where);
          continue;
        }
        const step = (np.blockOf(producer.cell) as { step: string }).step;
        const t = checker.getTypeAtLocation(producer.nameNode);
        if (!isMetricType(t)) {
          const message = `metric "${id.text}" of step "${step}" has type ${checker.typeToString(t)}; metrics must be numbers`;
          report('error', 'bad-metrics-cell', c.index, message, where);
          continue;
        }
        if (metrics.some((m) => m.name === id.text)) continue;
        metrics.push({ name: id.text, step });
        flows.get(step)!.metrics.push(id.text);
      }
    }
  }
  return metrics;
}

/** Identifiers named by a metrics statement (`rmse`, `console.log(rmse, mae)`), or undefined if it is not one. */
export function metricIdentifiers(st: ts.Statement): ts.Identifier[] | undefined {
  if (!tsc.isExpressionStatement(st)) return undefined;
  const e = st.expression;
  if (tsc.isIdentifier(e)) return [e];
  if (
    tsc.isCallExpression(e) &&
    tsc.isPropertyAccessExpression(e.expression) &&
    tsc.isIdentifier(e.expression.expression) &&
    e.expression.expression.text === 'console' &&
    e.expression.name.text === 'log' &&
    e.arguments.length > 0 &&
    e.arguments.every(tsc.isIdentifier)
  )
    return [...e.arguments] as ts.Identifier[];
  return undefined;
}

/** Numbers and booleans (1/0), also as unions of literals such as `1 | 0`; any/unknown are checked at run time. */
function isMetricType(t: ts.Type): boolean {
  if (t.isUnion()) return t.types.every(isMetricType);
  return (
    (t.flags & (tsc.TypeFlags.NumberLike | tsc.TypeFlags.BooleanLike | tsc.TypeFlags.Any | tsc.TypeFlags.Unknown)) !== 0
  );
}
