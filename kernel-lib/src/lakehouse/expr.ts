/**
 * Filter predicates: a small SQL-like grammar (`expr-lex.ts`, `expr-parse.ts`),
 * binding against a table schema (`expr-bind.ts`: column check + literal coercion
 * to the column's type), and two evaluators:
 *  - `mayMatchFile` (`expr-stats.ts`): conservative file skipping from partition
 *    values and per-file stats (min/max/nullCount). A file is dropped only when the
 *    stats prove no row can match; missing stats keep the file.
 *  - `evalRow` (`expr-eval.ts`): exact SQL three-valued row evaluation on Arrow
 *    record batches.
 */
export * from './expr-bind.js';
export * from './expr-eval.js';
export * from './expr-parse.js';
export * from './expr-stats.js';
