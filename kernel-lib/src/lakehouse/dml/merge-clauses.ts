/**
 * MERGE's WHEN clauses: the options callers write, normalised into ordered,
 * bound clauses (Spark evaluates the clauses of each kind in the order
 * written and applies the first whose condition holds), and Spark's
 * `operationParameters` describing them.
 */
import { ExpressionError } from '../errors.js';
import type { StructType } from '../schema.js';
import { type Assignment, bindAssignments } from './assign.js';
import type { TxnId } from './commit-dml.js';
import { type Bound, bindRowExpr, type Scope } from './row-eval.js';

/** Column → SQL expression, or `'*'` for every target column from the source column of the same name. */
export type Assignments = Record<string, string> | '*';

export type MatchedClause = { condition?: string; update: Assignments } | { condition?: string; delete: true };
export type NotMatchedClause = { condition?: string; insert: Assignments };
export type NotMatchedBySourceClause =
  | { condition?: string; update: Record<string, string> }
  | { condition?: string; delete: true };

export interface MergeOptions {
  /** Join condition, e.g. `t.unit = s.unit and t.cycle = s.cycle`. */
  on: string;
  /** Alias of the target in expressions (default `t`; `target` always works). */
  targetAlias?: string;
  /** Alias of the source (default `s`; `source` always works). */
  sourceAlias?: string;
  whenMatchedUpdate?: { condition?: string; set: Assignments };
  whenMatchedDelete?: { condition?: string } | true;
  whenNotMatchedInsert?: { condition?: string; values: Assignments };
  whenNotMatchedBySourceUpdate?: { condition?: string; set: Record<string, string> };
  whenNotMatchedBySourceDelete?: { condition?: string } | true;
  /** General forms: any number of clauses of each kind, in evaluation order. */
  whenMatched?: MatchedClause[];
  whenNotMatched?: NotMatchedClause[];
  whenNotMatchedBySource?: NotMatchedBySourceClause[];
  txn?: TxnId;
  /** Compute what would change; write and commit nothing. */
  dryRun?: boolean;
  maxRetries?: number;
}

export interface BoundClause {
  kind: 'update' | 'delete' | 'insert';
  source: string;
  condition?: Bound;
  conditionText?: string;
  assignments: Assignment[];
}

export interface BoundClauses {
  matched: BoundClause[];
  notMatched: BoundClause[];
  notMatchedBySource: BoundClause[];
}

const TARGET = 0;
const SOURCE = 1;

/** Normalises and binds the clauses; scopes are [target, source]. Throws `ExpressionError` on misuse. */
export function bindClauses(opts: MergeOptions, scopes: Scope[]): BoundClauses {
  const target = scopes[TARGET]!.schema;
  const source = scopes[SOURCE]!.schema;
  const out: BoundClauses = { matched: [], notMatched: [], notMatchedBySource: [] };
  const cond = (c: string | undefined, what: string, allowed: number[]) =>
    c === undefined || c.trim() === '' ? {} : { condition: bindRowExpr(c, scopes, what, allowed), conditionText: c };
  const assign = (a: Assignments, what: string, allowed: number[]) =>
    bindAssignments(a === '*' ? star(target, source, what) : a, target, scopes, what, allowed);
  const matched = (c: MatchedClause, n: number) => {
    const what = `MERGE WHEN MATCHED clause ${n}`;
    out.matched.push(
      'delete' in c
        ? { kind: 'delete', source: what, ...cond(c.condition, `${what} condition`, [TARGET, SOURCE]), assignments: [] }
        : {
            kind: 'update',
            source: what,
            ...cond(c.condition, `${what} condition`, [TARGET, SOURCE]),
            assignments: assign(c.update, `${what} SET`, [TARGET, SOURCE]),
          },
    );
  };
  const notMatched = (c: NotMatchedClause, n: number) => {
    const what = `MERGE WHEN NOT MATCHED clause ${n}`;
    out.notMatched.push({
      kind: 'insert',
      source: what,
      ...cond(c.condition, `${what} condition`, [SOURCE]),
      assignments: assign(c.insert, `${what} INSERT`, [SOURCE]),
    });
  };
  const bySource = (c: NotMatchedBySourceClause, n: number) => {
    const what = `MERGE WHEN NOT MATCHED BY SOURCE clause ${n}`;
    out.notMatchedBySource.push(
      'delete' in c
        ? { kind: 'delete', source: what, ...cond(c.condition, `${what} condition`, [TARGET]), assignments: [] }
        : {
            kind: 'update',
            source: what,
            ...cond(c.condition, `${what} condition`, [TARGET]),
            assignments: assign(c.update, `${what} SET`, [TARGET]),
          },
    );
  };
  // Object key order is the order the caller wrote the clauses in.
  for (const [key, v] of Object.entries(opts)) {
    if (v === undefined) continue;
    const c = v === true ? {} : (v as { condition?: string });
    if (key === 'whenMatchedUpdate') {
      matched({ ...c, update: (v as { set: Assignments }).set }, out.matched.length + 1);
    } else if (key === 'whenMatchedDelete') matched({ ...c, delete: true }, out.matched.length + 1);
    else if (key === 'whenNotMatchedInsert') {
      notMatched({ ...c, insert: (v as { values: Assignments }).values }, out.notMatched.length + 1);
    } else if (key === 'whenNotMatchedBySourceUpdate') {
      bySource({ ...c, update: (v as { set: Record<string, string> }).set }, out.notMatchedBySource.length + 1);
    } else if (key === 'whenNotMatchedBySourceDelete') {
      bySource({ ...c, delete: true }, out.notMatchedBySource.length + 1);
    } else if (key === 'whenMatched') for (const m of v as MatchedClause[]) matched(m, out.matched.length + 1);
    else if (key === 'whenNotMatched')
      for (const m of v as NotMatchedClause[]) notMatched(m, out.notMatched.length + 1);
    else if (key === 'whenNotMatchedBySource') {
      for (const m of v as NotMatchedBySourceClause[]) bySource(m, out.notMatchedBySource.length + 1);
    }
  }
  if (out.matched.length + out.notMatched.length + out.notMatchedBySource.length === 0) {
    throw new ExpressionError('MERGE needs at least one WHEN clause (whenMatchedUpdate, whenNotMatchedInsert, …)');
  }
  for (const [kind, list] of Object.entries(out)) {
    list.slice(0, -1).forEach((c: BoundClause) => {
      if (!c.condition) {
        throw new ExpressionError(
          `MERGE: ${c.source} has no condition but is not the last ${kind} clause; the clauses after it could never apply`,
        );
      }
    });
  }
  return out;
}

/** `SET *` / `INSERT *`: each target column from the source column of the same name. */
function star(target: StructType, source: StructType, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of target.fields) {
    const s = source.fields.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
    if (!s) {
      if (what.includes('INSERT') && f.nullable) continue;
      throw new ExpressionError(
        `${what} *: the source has no column ${f.name} (source columns: ${source.fields.map((x) => x.name).join(', ')})`,
      );
    }
    out[f.name] = `source.\`${s.name}\``;
  }
  return out;
}

/** Spark's `matchedPredicates` / `notMatchedPredicates` / … entries. */
export function clauseParameters(clauses: BoundClause[]): { predicate?: string; actionType: string }[] {
  return clauses.map((c) => ({ ...(c.conditionText ? { predicate: c.conditionText } : {}), actionType: c.kind }));
}
