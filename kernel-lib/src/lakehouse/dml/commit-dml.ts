/**
 * The commit step every table-changing operation (DELETE, UPDATE, MERGE,
 * OPTIMIZE, RESTORE) ends with: one transaction from the snapshot the
 * operation read, declaring what it read (for conflict detection), its
 * removes and adds, an optional idempotent-writer `txn`, and Spark-named
 * `operationParameters` / `operationMetrics`.
 */
import type { AddFile } from '../actions.js';
import { InvalidArgumentError } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import type { Storage } from '../storage/storage.js';
import { Transaction } from '../transaction.js';

/** Exactly-once marker of a write: Delta's `txn` action (application id + its monotonically growing version). */
export interface TxnId {
  appId: string;
  version: number;
}

export interface DmlResult {
  /** The committed version; undefined when nothing changed or the `txn` was already applied. */
  version: number | undefined;
  operation: string;
  /** The commit's `operationMetrics` (Spark's names), as numbers. */
  metrics: Record<string, number>;
  /** 1 + lost commit races (0 when nothing was committed). */
  attempts: number;
  skipped?: 'transaction already applied' | 'no changes' | 'dry run';
}

export interface DmlCommit {
  operation: string;
  parameters: Record<string, unknown>;
  metrics: Record<string, number>;
  /** What the operation's result depends on: every file, or these files plus concurrently added files matching `predicate`. */
  read: 'all' | { files: AddFile[]; predicate: (add: AddFile) => boolean };
  removes: AddFile[];
  adds: AddFile[];
  /** false for rearrangements of the same rows (OPTIMIZE). */
  dataChange?: boolean;
  txn?: TxnId;
  maxRetries?: number;
}

/** Validates a `txn` option. */
export function checkTxn(txn: TxnId | undefined, tablePath: string): void {
  if (txn === undefined) return;
  if (typeof txn.appId !== 'string' || txn.appId === '') {
    throw new InvalidArgumentError(`write to ${tablePath}: txn.appId must be a non-empty string`);
  }
  if (!Number.isSafeInteger(txn.version) || txn.version < 0) {
    throw new InvalidArgumentError(`write to ${tablePath}: txn.version must be an integer ≥ 0, got ${txn.version}`);
  }
}

/** True when the snapshot already holds `txn` (same app, same or later version). */
export function txnApplied(snap: Snapshot, txn: TxnId | undefined): boolean {
  if (!txn) return false;
  const seen = snap.txns.get(txn.appId);
  return seen !== undefined && seen.version >= txn.version;
}

export function skippedResult(operation: string, why: NonNullable<DmlResult['skipped']>): DmlResult {
  return { version: undefined, operation, metrics: {}, attempts: 0, skipped: why };
}

/** What an operation would do, without writing files or committing (`dryRun`). */
export function dryRunResult(operation: string, metrics: Record<string, number>): DmlResult {
  return { version: undefined, operation, metrics, attempts: 0, skipped: 'dry run' };
}

/** Commits the operation; returns the result to hand back to the caller. */
export async function commitDml(storage: Storage, snap: Snapshot, c: DmlCommit): Promise<DmlResult> {
  const txn = new Transaction(storage, snap, {
    operation: c.operation,
    operationParameters: c.parameters,
    ...(c.maxRetries !== undefined ? { maxRetries: c.maxRetries } : {}),
  });
  if (c.read === 'all') txn.readWholeTable();
  else txn.readFiles(c.read.files, c.read.predicate);
  const now = Date.now();
  txn.removeFiles(c.removes, now, c.dataChange ?? true);
  txn.addFiles(c.dataChange === false ? c.adds.map((a) => ({ ...a, dataChange: false })) : c.adds);
  if (c.txn) txn.setTransactionId(c.txn.appId, c.txn.version);
  txn.setOperationMetrics(c.metrics);
  const r = await txn.commit();
  return {
    version: r.version,
    operation: c.operation,
    metrics: c.metrics,
    attempts: r.attempts,
  };
}
