export type { DmlResult, TxnId } from './commit-dml.js';
export type { DeleteOptions } from './delete.js';
export type { UpdateOptions } from './update.js';
export { parseRowExpr, type RowExpr } from './row-expr.js';
export { MergeMultipleMatchesError } from './merge.js';
export type {
  Assignments,
  MatchedClause,
  MergeOptions,
  NotMatchedBySourceClause,
  NotMatchedClause,
} from './merge-clauses.js';
