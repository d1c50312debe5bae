/**
 * Column assignments (`SET col = expr` of UPDATE and MERGE, the values of
 * MERGE's INSERT): bound once against the target schema, then evaluated for
 * a batch of rows and swapped into an output table. A nested column (struct,
 * array, map) is assigned whole, from a column of the same type or NULL.
 */
import * as arrow from 'apache-arrow';
import { ExpressionError } from '../errors.js';
import { type ScalarReader, scalarReader } from '../expr.js';
import { type DeltaType, deltaToArrow, type StructType, typeToString } from '../schema.js';
import { patchColumn, takeData } from '../take.js';
import { columnFromValues, replaceColumns } from './columns.js';
import {
  type Bound,
  bindNestedValue,
  bindRowExpr,
  boundRefs,
  evalBound,
  type RowContext,
  type Scope,
  type Value,
} from './row-eval.js';

export interface Assignment {
  /** Index of the target column. */
  index: number;
  name: string;
  type: DeltaType;
  expr: Bound;
  /** For a nested column: its Arrow type (the value is a column of that type, or NULL). */
  nested?: arrow.DataType;
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
    if (typeof f.type !== 'string') {
      const nested = deltaToArrow({ type: 'struct', fields: [f] }).fields[0]!.type;
      return {
        index,
        name: f.name,
        type: f.type,
        expr: bindNestedValue(src, f, scopes, `${what} ${f.name}`, allowed),
        nested,
      };
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

/**
 * Evaluates assignments for `n` output rows; output row k reads row
 * `inputs[s].rows[k]` of each scope. A bare column of the same type is
 * gathered (exact and fast); anything else is computed row by row.
 */
export function evaluateAssignments(
  n: number,
  assignments: Assignment[],
  inputs: ScopeRows[],
): Map<number, arrow.Data> {
  const out = new Map<number, arrow.Data>();
  let computed = assignments.filter((a) => {
    const e = a.expr;
    const input = e.k === 'col' ? inputs[e.scope] : undefined;
    if (e.k !== 'col' || !input || input.table.batches.length !== 1 || typeToString(e.type) !== typeToString(a.type)) {
      return true;
    }
    const rows = input.rows;
    for (let k = 0; k < n; k++) if (rows[k]! < 0) return true;
    out.set(a.index, takeData(input.table.batches[0]!.data.children[e.index]!, rows));
    return false;
  });
  if (computed.length === 0 || n === 0) return out;
  for (const a of computed) if (a.nested) out.set(a.index, nestedColumn(n, a, a.nested, inputs));
  computed = computed.filter((a) => !a.nested);
  if (computed.length === 0) return out;
  const ctx: RowContext = {
    readers: readersFor(
      computed.map((a) => a.expr),
      inputs.map((i) => i.table),
    ),
    rows: inputs.map(() => -1),
  };
  const values: Value[][] = computed.map(() => new Array<Value>(n));
  for (let k = 0; k < n; k++) {
    for (let s = 0; s < inputs.length; s++) ctx.rows[s] = inputs[s]!.rows[k]!;
    for (let a = 0; a < computed.length; a++) values[a]![k] = evalBound(computed[a]!.expr, ctx);
  }
  computed.forEach((a, i) => {
    out.set(a.index, columnFromValues(values[i]!, a.type, a.name));
  });
  return out;
}

/**
 * A nested column's value for `n` output rows: the source column's value at each row's
 * position in its scope (NULL where the scope has no row), or NULL throughout. Built
 * value by value — the gather above takes the common case of a whole, single-batch column.
 */
function nestedColumn(n: number, a: Assignment, type: arrow.DataType, inputs: ScopeRows[]): arrow.Data {
  const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  const e = a.expr;
  const from = e.k === 'col' ? inputs[e.scope] : undefined;
  const column = from && e.k === 'col' ? from.table.getChildAt(e.index) : null;
  for (let k = 0; k < n; k++) {
    const row = from ? from.rows[k]! : -1;
    builder.append(column && row >= 0 ? plainValue(column.get(row)) : null);
  }
  return builder.finish().flush();
}

/** A nested value read from a vector as the plain JavaScript a builder takes (arrays, objects, Maps). */
function plainValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof arrow.Vector) return Array.from(v, plainValue);
  if (v instanceof arrow.MapRow)
    return new Map(Array.from(v as Iterable<[unknown, unknown]>, ([k, x]) => [plainValue(k), plainValue(x)]));
  if (v instanceof arrow.StructRow) {
    return Object.fromEntries(Object.entries(v.toJSON()).map(([k, x]) => [k, plainValue(x)]));
  }
  return v;
}

/** `base` with each assigned column replaced by its value over the inputs' rows. */
export function applyAssignments(base: arrow.Table, assignments: Assignment[], inputs: ScopeRows[]): arrow.Table {
  if (assignments.length === 0 || base.numRows === 0) return base;
  const replace = evaluateAssignments(base.numRows, assignments, inputs);
  checkNotNull(base.schema, replace);
  return replaceColumns(base, replace);
}

/**
 * `base` with rows updated in place: each update's assignments are evaluated
 * for its rows (`inputs[0].rows` are positions in `base`) and written over
 * those positions, column by column; unassigned columns are kept as they are
 * (no copy). Undefined when an assigned column's type cannot be patched —
 * callers then take the updated and the other rows separately.
 */
export function patchAssignments(
  base: arrow.Table,
  updates: { assignments: Assignment[]; inputs: ScopeRows[] }[],
): arrow.Table | undefined {
  const patches = new Map<number, { positions: ArrayLike<number>; data: arrow.Data }[]>();
  for (const u of updates) {
    const n = u.inputs[0]!.rows.length;
    if (n === 0) continue;
    const values = evaluateAssignments(n, u.assignments, u.inputs);
    checkNotNull(base.schema, values);
    for (const [i, data] of values) patches.set(i, [...(patches.get(i) ?? []), { positions: u.inputs[0]!.rows, data }]);
  }
  const replace = new Map<number, arrow.Data>();
  for (const [i, list] of patches) {
    const patched = patchColumn(
      base.batches.map((b) => b.data.children[i]!),
      list,
    );
    if (!patched) return undefined;
    replace.set(i, patched);
  }
  return replaceColumns(base, replace);
}

/** New rows of `schema`: assigned columns evaluated, the others NULL (refused for NOT NULL columns). */
export function buildRows(
  schema: arrow.Schema,
  n: number,
  assignments: Assignment[],
  inputs: ScopeRows[],
): arrow.Table {
  const values = evaluateAssignments(n, assignments, inputs);
  checkNotNull(schema, values);
  const children = schema.fields.map((f, i) => {
    const d = values.get(i);
    if (d) return d;
    if (!f.nullable && n > 0) {
      throw new ExpressionError(`column ${f.name} is NOT NULL but the insert gives it no value`);
    }
    return arrow.vectorFromArray(new Array(n).fill(null), f.type).data[0]!;
  });
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children });
  return new arrow.Table(new arrow.RecordBatch(schema, struct));
}

function checkNotNull(schema: arrow.Schema, columns: Map<number, arrow.Data>): void {
  for (const [i, d] of columns) {
    const f = schema.fields[i]!;
    if (!f.nullable && d.nullCount > 0) {
      throw new ExpressionError(
        `column ${f.name} is NOT NULL but the assignment produces NULL for ${d.nullCount} row(s)`,
      );
    }
  }
}
