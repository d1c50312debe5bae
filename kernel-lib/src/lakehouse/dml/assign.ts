/**
 * Column assignments (`SET col = expr` of UPDATE and MERGE, the values of
 * MERGE's INSERT): bound once against the target schema, then evaluated for
 * a batch of rows and swapped into an output table.
 */
import type * as arrow from 'apache-arrow';
import { ExpressionError } from '../errors.js';
import { type ScalarReader, scalarReader } from '../expr.js';
import type { DeltaType, StructType } from '../schema.js';
import { columnFromValues, replaceColumns } from './columns.js';
import { type Bound, bindRowExpr, boundRefs, evalBound, type RowContext, type Scope, type Value } from './row-eval.js';

export interface Assignment {
  /** Index of the target column. */
  index: number;
  name: string;
  type: DeltaType;
  expr: Bound;
}

/** One scope's input: a table and, for each output row, its row in that table (-1: none). */
export interface ScopeRows {
  table: arrow.Table;
  rows: ArrayLike<number>;
}

export function bindAssignments(
  set: Record<string, string>,
  target: StructType,
  scopes: Scope[],
  what: string,
  allowed: number[],
): Assignment[] {
  const seen = new Set<number>();
  return Object.entries(set).map(([col, src]) => {
    const name = col.replace(/^(t|target)\./i, '').replace(/^`(.*)`$/, '$1');
    let index = target.fields.findIndex((f) => f.name === name);
    if (index < 0) index = target.fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (index < 0) {
      throw new ExpressionError(
        `${what}: no column ${JSON.stringify(col)} in the table (columns: ${target.fields.map((f) => f.name).join(', ')})`,
      );
    }
    if (seen.has(index)) throw new ExpressionError(`${what}: column ${target.fields[index]!.name} is assigned twice`);
    seen.add(index);
    const f = target.fields[index]!;
    if (typeof src !== 'string') {
      throw new ExpressionError(`${what}: the value for ${f.name} must be an SQL expression string, got ${typeof src}`);
    }
    return { index, name: f.name, type: f.type, expr: bindRowExpr(src, scopes, `${what} ${f.name}`, allowed) };
  });
}

/** Per-scope readers for the columns the bound expressions read. */
export function readersFor(exprs: Bound[], inputs: (arrow.Table | undefined)[]): RowContext['readers'] {
  const readers: (ScalarReader | undefined)[][] = inputs.map(() => []);
  for (const e of exprs) {
    for (const ref of boundRefs(e)) {
      const t = inputs[ref.scope];
      if (t && !readers[ref.scope]![ref.index]) {
        readers[ref.scope]![ref.index] = scalarReader(t.getChildAt(ref.index)!, ref.type);
      }
    }
  }
  return readers;
}

/** `base` with each assigned column replaced by its expression evaluated over the inputs' rows. */
export function applyAssignments(base: arrow.Table, assignments: Assignment[], inputs: ScopeRows[]): arrow.Table {
  if (assignments.length === 0 || base.numRows === 0) return base;
  const ctx: RowContext = {
    readers: readersFor(
      assignments.map((a) => a.expr),
      inputs.map((i) => i.table),
    ),
    rows: inputs.map(() => -1),
  };
  const values: Value[][] = assignments.map(() => new Array<Value>(base.numRows));
  for (let k = 0; k < base.numRows; k++) {
    for (let s = 0; s < inputs.length; s++) ctx.rows[s] = inputs[s]!.rows[k]!;
    for (let a = 0; a < assignments.length; a++) values[a]![k] = evalBound(assignments[a]!.expr, ctx);
  }
  const replace = new Map<number, arrow.Data>();
  assignments.forEach((a, i) => {
    const f = base.schema.fields[a.index]!;
    if (!f.nullable && values[i]!.includes(null)) {
      throw new ExpressionError(`column ${a.name} is NOT NULL but the assignment produces NULL for some rows`);
    }
    replace.set(a.index, columnFromValues(values[i]!, a.type, a.name));
  });
  return replaceColumns(base, replace);
}
