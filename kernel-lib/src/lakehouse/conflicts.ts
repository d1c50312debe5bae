/**
 * Conflict detection for optimistic concurrency (Delta's `ConflictChecker`,
 * delta-rs's `conflict_checker.rs`), at the table's isolation level
 * (`delta.isolationLevel`): WriteSerializable, the default of both, or Serializable.
 *
 * A transaction read the table at `readVersion` and lost the race for version
 * `readVersion + 1`. Before retrying at a later version it checks every commit
 * that won in between:
 * - a winning protocol or metaData change always conflicts (the rules changed);
 * - files the winner added conflict when this transaction read the part of the
 *   table they land in — except, under WriteSerializable, files from a winning
 *   blind append (unless this transaction itself changes the metadata): the
 *   append is then ordered after this transaction. Serializable allows no such
 *   reordering, so there a blind append into data this transaction read conflicts too;
 * - files the winner removed conflict when this transaction read them
 *   (ConcurrentDeleteRead) or removes them too (ConcurrentDeleteDelete);
 * - a winning `txn` for one of this transaction's application ids conflicts
 *   (ConcurrentTransaction), so idempotent writers never commit twice.
 * Blind appends read nothing and remove nothing, so they never conflict with
 * data changes — they simply retry at the next version.
 */
import type { Action, AddFile } from './actions.js';

export type ConflictReason =
  | 'ProtocolChanged'
  | 'MetadataChanged'
  | 'ConcurrentAppend'
  | 'ConcurrentDeleteRead'
  | 'ConcurrentDeleteDelete'
  | 'ConcurrentTransaction';

/** What a transaction depended on: the inputs of the conflict check. */
export type IsolationLevel = 'WriteSerializable' | 'Serializable';

/** The table's `delta.isolationLevel` (WriteSerializable unless it says Serializable). */
export function isolationLevelOf(configuration: Record<string, string> | undefined): IsolationLevel {
  return configuration?.['delta.isolationLevel']?.toLowerCase() === 'serializable'
    ? 'Serializable'
    : 'WriteSerializable';
}

export interface ReadSet {
  readVersion: number;
  /** Default WriteSerializable. */
  isolationLevel?: IsolationLevel;
  /** The transaction read every file of the table (an overwrite, a full scan). */
  readWholeTable: boolean;
  /** Predicate over added files (usually their partition values) for a partial read; ignored when readWholeTable. */
  readPredicate?: (add: AddFile) => boolean;
  /** Paths (as in the log) of the files this transaction read. */
  readFiles: ReadonlySet<string>;
  /** Paths of the files this transaction removes. */
  removedFiles: ReadonlySet<string>;
  /** Application ids of the `txn` actions this transaction writes. */
  appIds: ReadonlySet<string>;
  /** This transaction writes a metaData action. */
  changesMetadata: boolean;
}

export interface WinningCommit {
  version: number;
  actions: Action[];
}

export interface Conflict {
  reason: ConflictReason;
  /** The winning version the conflict comes from. */
  version: number;
  /** Human-readable detail naming the file, partition or application id. */
  detail: string;
}

/** Returns the first conflict between this transaction and one winning commit, or undefined. */
export function findConflict(txn: ReadSet, winning: WinningCommit): Conflict | undefined {
  const v = winning.version;
  const conflict = (reason: ConflictReason, detail: string): Conflict => ({ reason, version: v, detail });
  let blindAppend = false;
  const adds: AddFile[] = [];
  const removes: string[] = [];
  for (const a of winning.actions) {
    if (a.protocol) return conflict('ProtocolChanged', 'the table protocol was changed');
    if (a.metaData) {
      return conflict(
        'MetadataChanged',
        v === 0
          ? 'the table was created concurrently'
          : 'the table metadata (schema, partitioning or properties) was changed',
      );
    }
    if (a.commitInfo) blindAppend = a.commitInfo.isBlindAppend === true;
    if (a.add) adds.push(a.add);
    if (a.remove) removes.push(a.remove.path);
    if (a.txn && txn.appIds.has(a.txn.appId)) {
      return conflict(
        'ConcurrentTransaction',
        `application ${a.txn.appId} committed transaction ${a.txn.version} concurrently`,
      );
    }
  }
  // Added files this transaction should have seen. WriteSerializable lets blind appends through.
  const reorderable = blindAppend && !txn.changesMetadata && txn.isolationLevel !== 'Serializable';
  const addsToCheck = reorderable ? [] : adds.filter((a) => a.dataChange !== false);
  if (addsToCheck.length > 0 && (txn.readWholeTable || txn.readPredicate)) {
    const hit = txn.readWholeTable ? addsToCheck[0] : addsToCheck.find((a) => txn.readPredicate!(a));
    if (hit) {
      return conflict(
        'ConcurrentAppend',
        `it added ${hit.path}${partitionSuffix(hit)} to data this transaction read (${txn.readWholeTable ? 'the whole table' : 'a matching partition'})`,
      );
    }
  }
  for (const path of removes) {
    if (txn.readWholeTable || txn.readFiles.has(path)) {
      return conflict('ConcurrentDeleteRead', `it removed ${path}, which this transaction read`);
    }
    if (txn.removedFiles.has(path)) {
      return conflict('ConcurrentDeleteDelete', `it removed ${path}, which this transaction removes too`);
    }
  }
  return undefined;
}

function partitionSuffix(add: AddFile): string {
  const entries = Object.entries(add.partitionValues ?? {});
  if (entries.length === 0) return '';
  return ` (partition ${entries.map(([k, x]) => `${k}=${x ?? 'null'}`).join(', ')})`;
}
