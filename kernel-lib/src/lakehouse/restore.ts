/**
 * RESTORE TABLE … TO VERSION AS OF n | TIMESTAMP AS OF t (Spark's
 * RestoreTableCommand): one new commit that makes the live file set equal to
 * the old version's — files added since are removed, files removed since are
 * added back (with `dataChange: true`, they are data again) — and brings back
 * the old schema and properties. History is kept, so the restore itself can be
 * undone by another restore. Files VACUUM already deleted cannot come back:
 * the restore then fails naming them and commits nothing.
 */
import type { AddFile } from './actions.js';
import { commitDml, type DmlResult, dryRunResult } from './dml/commit-dml.js';
import { assertDmlAllowed, sumSizes } from './dml/files.js';
import { DataFileError, InvalidArgumentError } from './errors.js';
import { dvFilePath } from './deletion-vectors/descriptor.js';
import { fileKey } from './replay.js';
import { dataFilePath } from './scan.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import type { Storage } from './storage/storage.js';
import { Transaction } from './transaction.js';

export interface RestoreOptions {
  version?: number;
  /** Epoch ms, Date or ISO string: the version current at that time. */
  timestamp?: number | string | Date;
  maxRetries?: number;
  /** Report what the restore would change; commit nothing. */
  dryRun?: boolean;
}

export async function restoreTable(storage: Storage, current: Snapshot, opts: RestoreOptions): Promise<DmlResult> {
  if ((opts.version === undefined) === (opts.timestamp === undefined)) {
    throw new InvalidArgumentError(`RESTORE of ${current.tablePath}: give exactly one of version or timestamp`);
  }
  assertDmlAllowed(current, 'RESTORE');
  const target = await loadSnapshot(storage, {
    ...(opts.version !== undefined ? { version: opts.version } : {}),
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
  });
  if (target.version > current.version) {
    throw new InvalidArgumentError(
      `RESTORE of ${current.tablePath}: version ${target.version} is newer than the current version ${current.version}`,
    );
  }
  const currentKeys = new Set(current.files.map((f) => fileKey(f.path, f.deletionVector)));
  const targetKeys = new Set(target.files.map((f) => fileKey(f.path, f.deletionVector)));
  const toAdd = target.files.filter((f) => !currentKeys.has(fileKey(f.path, f.deletionVector)));
  const toRemove = current.files.filter((f) => !targetKeys.has(fileKey(f.path, f.deletionVector)));
  await assertFilesExist(storage, toAdd, target);
  const metadataChanged =
    target.metadata.schemaString !== current.metadata.schemaString ||
    JSON.stringify(target.metadata.configuration) !== JSON.stringify(current.metadata.configuration);
  const metrics = {
    numRestoredFiles: toAdd.length,
    removedFilesSize: sumSizes(toRemove),
    numRemovedFiles: toRemove.length,
    restoredFilesSize: sumSizes(toAdd),
    numOfFilesAfterRestore: target.files.length,
    tableSizeAfterRestore: sumSizes(target.files),
  };
  const parameters = {
    version: opts.version ?? null,
    timestamp: opts.timestamp === undefined ? null : new Date(opts.timestamp).toISOString(),
  };
  if (opts.dryRun) return dryRunResult('RESTORE', metrics);
  const adds: AddFile[] = toAdd.map((f) => ({ ...f, dataChange: true, modificationTime: Date.now() }));
  if (!metadataChanged) {
    return commitDml(storage, current, {
      operation: 'RESTORE',
      parameters,
      metrics,
      read: 'all',
      removes: toRemove,
      adds,
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    });
  }
  // The old schema and properties come back too (the table id stays).
  const txn = new Transaction(storage, current, { operation: 'RESTORE', operationParameters: parameters });
  txn
    .setMetadata({ ...target.metadata, id: current.metadata.id })
    .readWholeTable()
    .removeFiles(toRemove)
    .addFiles(adds);
  txn.setOperationMetrics(metrics);
  const r = await txn.commit();
  return { version: r.version, operation: 'RESTORE', metrics, attempts: r.attempts };
}

async function assertFilesExist(storage: Storage, files: AddFile[], target: Snapshot): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    files.map(async (f) => {
      if (!(await storage.head(dataFilePath(storage, f)))) missing.push(f.path);
      // The entry's deletion vector file too: without it the restored table could not be read.
      const dv = f.deletionVector ? dvFilePath(storage, f.deletionVector) : undefined;
      if (dv !== undefined && !(await storage.head(dv))) missing.push(`${dv} (deletion vector of ${f.path})`);
    }),
  );
  if (missing.length > 0) {
    throw new DataFileError(
      `cannot RESTORE ${target.tablePath} to version ${target.version}: ${missing.length} of its data file(s) no longer exist ` +
        `(removed by VACUUM?), e.g. ${missing.slice(0, 3).join(', ')}. Nothing was committed.`,
    );
  }
}
