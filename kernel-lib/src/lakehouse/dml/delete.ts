/**
 * DELETE FROM table [WHERE predicate] (Spark's DeleteCommand), copy-on-write:
 * - no predicate: every file is removed without being read;
 * - a predicate on partition columns only: whole files are removed from their
 *   partition values alone (a metadata-only delete);
 * - otherwise the files the stats cannot rule out are read, and each file
 *   with matching rows is removed and its other rows rewritten to a new file.
 * Files without a match are left alone. Nothing is committed when no row
 * matches (Spark does the same). Metrics use Spark's names.
 */
import type * as arrow from 'apache-arrow';
import type { AddFile } from '../actions.js';
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
  fileRecordCount,
  mapFiles,
  matchRows,
  onlyPartitionColumns,
  partitionMatch,
  rowsWhere,
  since,
  sumSizes,
  writeRows,
} from './files.js';

export interface DeleteOptions {
  /** Compute what would be deleted; write and commit nothing. */
  dryRun?: boolean;
  txn?: TxnId;
  maxRetries?: number;
}

export async function deleteRows(
  storage: Storage,
  snap: Snapshot,
  where: string | Expr | undefined,
  opts: DeleteOptions = {},
): Promise<DmlResult> {
  const t0 = performance.now();
  assertDmlAllowed(snap, 'DELETE from');
  checkTxn(opts.txn, snap.tablePath);
  if (txnApplied(snap, opts.txn)) return skippedResult('DELETE', 'transaction already applied');
  const bound = bindWhere(where, snap.schema);
  const predicate = typeof where === 'string' && where.trim() !== '' ? [where] : where ? [JSON.stringify(where)] : [];
  const removes: AddFile[] = [];
  const kept: arrow.Table[] = [];
  let numDeletedRows = 0;
  let numCopiedRows = 0;
  let scanTimeMs = 0;
  const mayMatch = fileMayMatch(snap, bound);
  const candidates = snap.files.filter(mayMatch);

  if (!bound || onlyPartitionColumns(snap, bound)) {
    for (const add of candidates) {
      if (bound && partitionMatch(snap, bound, add) !== true) continue;
      removes.push(add);
      numDeletedRows += fileRecordCount(add) ?? 0;
    }
  } else {
    const tScan = performance.now();
    await mapFiles(snap, storage, candidates, (add, rows) => {
      const flags = matchRows(rows, bound, snap.schema);
      const keep = rowsWhere(flags, 0);
      const deleted = rows.numRows - keep.length;
      if (deleted === 0) return;
      removes.push(add);
      numDeletedRows += deleted;
      numCopiedRows += keep.length;
      if (keep.length > 0) kept.push(takeRows(rows, keep));
    });
    scanTimeMs = since(tScan);
  }
  if (removes.length === 0) return { ...skippedResult('DELETE', 'no changes'), metrics: { numDeletedRows: 0 } };

  if (opts.dryRun) {
    return dryRunResult('DELETE', { numRemovedFiles: removes.length, numDeletedRows, numCopiedRows });
  }
  const tWrite = performance.now();
  const written = await writeRows(storage, snap, concatRows(snap.schema, kept));
  const rewriteTimeMs = since(tWrite);
  return commitDml(storage, snap, {
    operation: 'DELETE',
    parameters: { predicate },
    metrics: {
      numRemovedFiles: removes.length,
      numRemovedBytes: sumSizes(removes),
      numCopiedRows,
      numDeletionVectorsAdded: 0,
      numDeletionVectorsRemoved: 0,
      numAddedChangeFiles: 0,
      executionTimeMs: since(t0),
      numDeletionVectorsUpdated: 0,
      numDeletedRows,
      scanTimeMs,
      numAddedFiles: written.adds.length,
      numAddedBytes: written.numOutputBytes,
      rewriteTimeMs,
    },
    read: bound ? { files: candidates, predicate: mayMatch } : 'all',
    removes,
    adds: written.adds,
    ...(opts.txn ? { txn: opts.txn } : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
  });
}
