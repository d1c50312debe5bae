/**
 * UPDATE table SET col = expr, … [WHERE predicate] (Spark's UpdateCommand),
 * copy-on-write: the files the stats cannot rule out are read; each file with
 * matching rows is removed and rewritten with its unchanged rows copied and
 * its matching rows carrying the new values. SET expressions see the row's
 * old values (`SET a = b, b = a` swaps). Updating a partition column moves
 * the row to its new partition. Nothing is committed when no row matches.
 * With deletion vectors enabled, the old rows are marked in DVs and only the
 * updated rows are written (no copied rows).
 */
import type * as arrow from 'apache-arrow';
import type { AddFile } from '../actions.js';
import { ExpressionError } from '../errors.js';
import type { Expr } from '../expr.js';
import type { Snapshot } from '../snapshot.js';
import type { Storage } from '../storage/storage.js';
import { takeRows } from '../take.js';
import {
  checkTxn,
  commitDml,
  type DmlResult,
  dryRunResult,
  skippedResult,
  type TxnId,
  txnApplied,
} from './commit-dml.js';
import {
  assertDmlAllowed,
  bindWhere,
  concatRows,
  fileMayMatch,
  mapFiles,
  matchRows,
  rowsWhere,
  since,
  sumSizes,
  writeRows,
} from './files.js';
import { type Assignment, applyAssignments, bindAssignments, patchAssignments } from './assign.js';
import { DeletionVectorWriter, usesDeletionVectors } from './dv-writes.js';

export interface UpdateOptions {
  where?: string | Expr;
  /** Column → SQL expression over the row's current values, e.g. `{ value: 'value * 2', note: "'fixed'" }`. */
  set: Record<string, string>;
  txn?: TxnId;
  /** Compute what would change; write and commit nothing. */
  dryRun?: boolean;
  maxRetries?: number;
}

export async function updateRows(storage: Storage, snap: Snapshot, opts: UpdateOptions): Promise<DmlResult> {
  const t0 = performance.now();
  assertDmlAllowed(snap, 'UPDATE');
  checkTxn(opts.txn, snap.tablePath);
  if (!opts.set || Object.keys(opts.set).length === 0) {
    throw new ExpressionError(`UPDATE of ${snap.tablePath}: give at least one column to set`);
  }
  if (txnApplied(snap, opts.txn)) return skippedResult('UPDATE', 'transaction already applied');
  const bound = bindWhere(opts.where, snap.schema);
  const scopes = [{ aliases: ['t', 'target'], schema: snap.schema }];
  const assignments: Assignment[] = bindAssignments(opts.set, snap.schema, scopes, 'UPDATE SET', [0]);
  const removes: AddFile[] = [];
  const out: arrow.Table[] = [];
  let numUpdatedRows = 0;
  let numCopiedRows = 0;
  const mayMatch = fileMayMatch(snap, bound);
  const candidates = snap.files.filter(mayMatch);
  // Merge-on-read: the old versions of updated rows are marked deleted; only the new versions are written.
  const dvs = usesDeletionVectors(snap) ? new DeletionVectorWriter(storage) : undefined;
  const tScan = performance.now();
  await mapFiles(snap, storage, candidates, async (add, rows) => {
    const flags = matchRows(rows, bound, snap.schema);
    const hit = rowsWhere(flags, 1);
    if (hit.length === 0) return;
    numUpdatedRows += hit.length;
    const inputs = [{ table: rows, rows: hit }];
    // Copy-on-write: the file's rows with the updated ones changed in place.
    const patched = dvs ? undefined : patchAssignments(rows, [{ assignments, inputs }]);
    if (patched) {
      removes.push(add);
      numCopiedRows += rows.numRows - hit.length;
      out.push(patched);
      return;
    }
    out.push(applyAssignments(takeRows(rows, hit), assignments, inputs));
    if (dvs) return dvs.mark(add, hit, rows.numRows);
    const keep = rowsWhere(flags, 0);
    removes.push(add);
    numCopiedRows += keep.length;
    if (keep.length > 0) out.push(takeRows(rows, keep));
  });
  const scanTimeMs = since(tScan);
  const numTouched = removes.length + (dvs?.size ?? 0);
  if (numTouched === 0) return { ...skippedResult('UPDATE', 'no changes'), metrics: { numUpdatedRows: 0 } };

  if (opts.dryRun) return dryRunResult('UPDATE', { numRemovedFiles: removes.length, numUpdatedRows, numCopiedRows });
  const tWrite = performance.now();
  const written = await writeRows(storage, snap, concatRows(snap.schema, out));
  const dv = await dvs?.finish();
  return commitDml(storage, snap, {
    operation: 'UPDATE',
    parameters: {
      predicate:
        opts.where === undefined ? [] : [typeof opts.where === 'string' ? opts.where : JSON.stringify(opts.where)],
    },
    metrics: {
      numRemovedFiles: removes.length + (dv ? dv.removes.length - dv.adds.length : 0),
      numRemovedBytes: sumSizes(removes),
      numCopiedRows,
      numDeletionVectorsAdded: dv?.metrics.numDeletionVectorsAdded ?? 0,
      numDeletionVectorsRemoved: dv?.metrics.numDeletionVectorsRemoved ?? 0,
      numAddedChangeFiles: 0,
      executionTimeMs: since(t0),
      numDeletionVectorsUpdated: dv?.metrics.numDeletionVectorsUpdated ?? 0,
      scanTimeMs,
      numAddedFiles: written.adds.length,
      numUpdatedRows,
      numAddedBytes: written.numOutputBytes,
      rewriteTimeMs: since(tWrite),
    },
    read: bound ? { files: candidates, predicate: mayMatch } : 'all',
    removes: [...removes, ...(dv?.removes ?? [])],
    adds: [...written.adds, ...(dv?.adds ?? [])],
    ...(opts.txn ? { txn: opts.txn } : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
  });
}
