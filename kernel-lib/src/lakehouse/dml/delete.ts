/**
 * DELETE FROM table [WHERE predicate] (Spark's DeleteCommand), copy-on-write:
 * - no predicate: every file is removed without being read;
 * - a predicate on partition columns only: whole files are removed from their
 *   partition values alone (a metadata-only delete);
 * - otherwise the files the stats cannot rule out are read, and each file
 *   with matching rows is removed and its other rows rewritten to a new file.
 * With `delta.enableDeletionVectors=true` the matching rows are marked in
 * deletion vectors instead (`dv-writes.ts`): no data file is rewritten.
 * Files without a match are left alone. Nothing is committed when no row
 * matches (Spark does the same). Metrics use Spark's names.
 */
import type * as arrow from 'apache-arrow';
import type { AddFile } from '../actions.js';
import { boundColumns, type Expr } from '../expr.js';
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
import { DeletionVectorWriter, usesDeletionVectors } from './dv-writes.js';
import {
  assertDmlAllowed,
  bindWhere,
  concatRows,
  fileMayMatch,
  liveRecordCount,
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
  // Merge-on-read: rows are marked in deletion vectors instead of copying the rest of the file.
  const dvs = usesDeletionVectors(snap) ? new DeletionVectorWriter(storage) : undefined;
  const candidates = snap.files.filter(mayMatch);

  if (!bound || onlyPartitionColumns(snap, bound)) {
    for (const add of candidates) {
      if (bound && partitionMatch(snap, bound, add) !== true) continue;
      removes.push(add);
      numDeletedRows += liveRecordCount(add) ?? 0;
    }
  } else {
    const tScan = performance.now();
    // With deletion vectors only the predicate's columns are read: no row is copied.
    const columns = dvs ? [...new Set(boundColumns(bound))] : undefined;
    await mapFiles(
      snap,
      storage,
      candidates,
      async (add, rows) => {
        const flags = matchRows(rows, bound, snap.schema);
        const keep = rowsWhere(flags, 0);
        const deleted = rows.numRows - keep.length;
        if (deleted === 0) return;
        numDeletedRows += deleted;
        if (dvs) return dvs.mark(add, rowsWhere(flags, 1), rows.numRows);
        removes.push(add);
        numCopiedRows += keep.length;
        if (keep.length > 0) kept.push(takeRows(rows, keep));
      },
      columns,
    );
    scanTimeMs = since(tScan);
  }
  if (removes.length === 0 && !dvs?.size) {
    return { ...skippedResult('DELETE', 'no changes'), metrics: { numDeletedRows: 0 } };
  }

  if (opts.dryRun) {
    return dryRunResult('DELETE', {
      numRemovedFiles: removes.length,
      numDeletedRows,
      numCopiedRows,
      ...(dvs ? { numDeletionVectorFiles: dvs.size } : {}),
    });
  }
  const tWrite = performance.now();
  const written = await writeRows(storage, snap, concatRows(snap.schema, kept));
  const dv = await dvs?.finish();
  const rewriteTimeMs = since(tWrite);
  // Files dropped whole by their DV count as removed files, as in Spark.
  const dropped = dv ? dv.removes.length - dv.adds.length : 0;
  return commitDml(storage, snap, {
    operation: 'DELETE',
    parameters: { predicate },
    metrics: {
      numRemovedFiles: removes.length + dropped,
      numRemovedBytes: sumSizes(removes),
      numCopiedRows,
      numDeletionVectorsAdded: dv?.metrics.numDeletionVectorsAdded ?? 0,
      numDeletionVectorsRemoved: dv?.metrics.numDeletionVectorsRemoved ?? 0,
      numAddedChangeFiles: 0,
      executionTimeMs: since(t0),
      numDeletionVectorsUpdated: dv?.metrics.numDeletionVectorsUpdated ?? 0,
      numDeletedRows,
      scanTimeMs,
      numAddedFiles: written.adds.length,
      numAddedBytes: written.numOutputBytes,
      rewriteTimeMs,
    },
    read: bound ? { files: candidates, predicate: mayMatch } : 'all',
    removes: [...removes, ...(dv?.removes ?? [])],
    adds: [...written.adds, ...(dv?.adds ?? [])],
    ...(opts.txn ? { txn: opts.txn } : {}),
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
  });
}
