/**
 * A write transaction with optimistic concurrency (PROTOCOL.md "Optimistic
 * Concurrency Control"). It starts from the snapshot it read (`readVersion`),
 * stages actions, and commits by creating version `readVersion + 1`. If another
 * writer got there first, it reads each winning commit, asks `conflicts.ts`
 * whether the winner invalidates what this transaction read, and either
 * retries at the next free version (after a jittered backoff) or fails with a
 * `ConcurrentModificationError` naming both versions and the reason.
 *
 * After a successful commit, a checkpoint is written when the new version is
 * a multiple of `delta.checkpointInterval` (default 10); a failed checkpoint
 * never fails the commit — the log alone is always complete.
 */
import { readFileSync } from 'node:fs';
import type { Action, AddFile, CommitInfo, Metadata, Protocol, RemoveFile, Txn } from './actions.js';
import { checkpointInterval, writeCheckpoint } from './checkpoint-write.js';
import { commitInfoFields, publishTableAccess } from './access-events.js';
import { readCommitIfExists, tryCommit } from './commit.js';
import { type Conflict, findConflict, type IsolationLevel, isolationLevelOf, type ReadSet } from './conflicts.js';
import { CommitRetryExhaustedError, ConcurrentModificationError } from './errors.js';
import type { Storage } from './storage/storage.js';

/** The parts of a snapshot a transaction needs (structural, so any snapshot type fits). */
export interface SnapshotLike {
  version: number;
  protocol: Protocol;
  metadata: Metadata;
  files: AddFile[];
}

export interface TransactionOptions {
  /** commitInfo.operation: `WRITE`, `CREATE TABLE`, `CREATE OR REPLACE TABLE`, … */
  operation: string;
  operationParameters?: Record<string, unknown>;
  /**
   * Commit attempts after the first lost race. Every lost race means another
   * writer's commit landed, so this bounds how many commits may land while
   * this one waits. It must not be small: a writer that backs off can lose
   * round after round to writers that keep appending (with 8 appenders × 25
   * commits, 50 was exhausted by one starved writer). Default 1000.
   */
  maxRetries?: number;
  /** Skip the automatic checkpoint after commit (benchmarks, tests). */
  skipCheckpoint?: boolean;
}

export interface CommitResult {
  version: number;
  /** 1 + the number of lost races. */
  attempts: number;
  actions: Action[];
  /** Version of the checkpoint written after this commit, if any. */
  checkpointVersion?: number;
  /** Why the post-commit checkpoint failed (the commit itself succeeded). */
  checkpointError?: Error;
}

const DEFAULT_MAX_RETRIES = 1000;
const MAX_BACKOFF_MS = 64;

let engineInfoCache: string | undefined;
/** `stillwater/<version>` from the kernel package's package.json. */
export function engineInfo(): string {
  if (engineInfoCache) return engineInfoCache;
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    version = pkg.version ?? version;
  } catch {
    // Bundled or relocated: the engine name alone is still informative.
  }
  engineInfoCache = `stillwater/${version}`;
  return engineInfoCache;
}

export class Transaction {
  /** Version this transaction read; -1 when it creates the table. */
  readonly readVersion: number;
  private protocol: Protocol | undefined;
  private metadata: Metadata | undefined;
  private readonly adds: AddFile[] = [];
  private readonly removes: RemoveFile[] = [];
  private readonly txns: Txn[] = [];
  private wholeTableRead = false;
  private readPredicate: ((add: AddFile) => boolean) | undefined;
  private readonly readPaths = new Set<string>();
  private operationMetrics: Record<string, unknown> = {};
  private committed = false;

  constructor(
    readonly storage: Storage,
    readonly snapshot: SnapshotLike | undefined,
    private readonly options: TransactionOptions,
  ) {
    this.readVersion = snapshot ? snapshot.version : -1;
  }

  /** The metadata the table will have after this commit. */
  get effectiveMetadata(): Metadata | undefined {
    return this.metadata ?? this.snapshot?.metadata;
  }

  setProtocol(protocol: Protocol): this {
    this.protocol = protocol;
    return this;
  }

  setMetadata(metadata: Metadata): this {
    this.metadata = metadata;
    return this;
  }

  addFiles(files: AddFile[]): this {
    this.adds.push(...files);
    return this;
  }

  /**
   * Removes files of the read snapshot (logically deletes them); they count as read.
   * `dataChange: false` marks a rearrangement of the same rows (OPTIMIZE).
   */
  removeFiles(files: AddFile[], deletionTimestamp = Date.now(), dataChange = true): this {
    for (const f of files) {
      this.readPaths.add(f.path);
      this.removes.push({
        path: f.path,
        deletionTimestamp,
        dataChange,
        extendedFileMetadata: true,
        partitionValues: f.partitionValues,
        size: f.size,
        ...(f.stats ? { stats: f.stats } : {}),
        ...(f.tags ? { tags: f.tags } : {}),
        // The (path, deletion vector) pair is the file's identity in log replay.
        ...(f.deletionVector ? { deletionVector: f.deletionVector } : {}),
      });
    }
    return this;
  }

  /** Declares that the result depends on every file of the table (overwrites, full scans). */
  readWholeTable(): this {
    this.wholeTableRead = true;
    for (const f of this.snapshot?.files ?? []) this.readPaths.add(f.path);
    return this;
  }

  /** Declares a partial read: these files, and any concurrently added file matching `predicate`. */
  readFiles(files: AddFile[], predicate: (add: AddFile) => boolean): this {
    for (const f of files) this.readPaths.add(f.path);
    const prev = this.readPredicate;
    this.readPredicate = prev ? (a) => prev(a) || predicate(a) : predicate;
    return this;
  }

  /** Records an idempotent-writer transaction id (`txn` action). */
  setTransactionId(appId: string, version: number): this {
    this.txns.push({ appId, version, lastUpdated: Date.now() });
    return this;
  }

  setOperationMetrics(metrics: Record<string, unknown>): this {
    this.operationMetrics = { ...this.operationMetrics, ...metrics };
    return this;
  }

  /** A blind append reads nothing and only adds data: it can never conflict with data changes. */
  get isBlindAppend(): boolean {
    return (
      !this.wholeTableRead &&
      !this.readPredicate &&
      this.readPaths.size === 0 &&
      this.removes.length === 0 &&
      !this.metadata &&
      !this.protocol &&
      this.adds.every((a) => a.dataChange)
    );
  }

  /** The isolation level the table asks for (`delta.isolationLevel`), recorded in commitInfo. */
  get isolationLevel(): IsolationLevel {
    return isolationLevelOf(this.snapshot?.metadata.configuration);
  }

  private readSet(): ReadSet {
    return {
      readVersion: this.readVersion,
      isolationLevel: this.isolationLevel,
      readWholeTable: this.wholeTableRead,
      ...(this.readPredicate ? { readPredicate: this.readPredicate } : {}),
      readFiles: this.readPaths,
      removedFiles: new Set(this.removes.map((r) => r.path)),
      appIds: new Set(this.txns.map((t) => t.appId)),
      changesMetadata: this.metadata !== undefined,
    };
  }

  private buildActions(): Action[] {
    const commitInfo: CommitInfo = {
      ...commitInfoFields(this.storage.root, this.options.operation),
      timestamp: Date.now(),
      operation: this.options.operation,
      operationParameters: stringValues(this.options.operationParameters ?? {}),
      ...(this.readVersion >= 0 ? { readVersion: this.readVersion } : {}),
      isolationLevel: this.isolationLevel,
      isBlindAppend: this.isBlindAppend,
      operationMetrics: stringValues(this.operationMetrics),
      engineInfo: engineInfo(),
    };
    const actions: Action[] = [{ commitInfo }];
    if (this.protocol) actions.push({ protocol: this.protocol });
    if (this.metadata) actions.push({ metaData: this.metadata });
    for (const txn of this.txns) actions.push({ txn });
    for (const remove of this.removes) actions.push({ remove });
    for (const add of this.adds) actions.push({ add });
    return actions;
  }

  /**
   * Commits, retrying past compatible concurrent commits.
   * Throws `ConcurrentModificationError` on a conflict, `CommitRetryExhaustedError`
   * after `maxRetries` lost races.
   */
  async commit(): Promise<CommitResult> {
    if (this.committed) throw new ConcurrentModificationError('this transaction has already been committed');
    const maxRetries = this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const readSet = this.readSet();
    let checkedUpTo = this.readVersion;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const version = checkedUpTo + 1;
      const actions = this.buildActions();
      if (await tryCommit(this.storage, version, actions)) {
        this.committed = true;
        publishTableAccess({ table: this.storage.root, version, kind: 'commit', timeTravel: false });
        const result: CommitResult = { version, attempts: attempt + 1, actions };
        await this.postCommit(result);
        return result;
      }
      // Lost the race: check every commit that won since our last check.
      for (;;) {
        const winner = await readCommitIfExists(this.storage, checkedUpTo + 1);
        if (!winner) break;
        const conflict = findConflict(readSet, { version: checkedUpTo + 1, actions: winner });
        if (conflict) throw this.conflictError(conflict);
        checkedUpTo++;
      }
      if (attempt < maxRetries) await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
    }
    throw new CommitRetryExhaustedError(
      `commit to table ${this.storage.root} failed: lost the race for a new version ${maxRetries + 1} times ` +
        `(read version ${this.readVersion}, last tried ${checkedUpTo + 1}); too many concurrent writers`,
    );
  }

  private conflictError(c: Conflict): ConcurrentModificationError {
    const read = this.readVersion < 0 ? 'creating the table' : `read version ${this.readVersion}`;
    return new ConcurrentModificationError(
      `commit to table ${this.storage.root} (${this.options.operation}, ${read}) conflicts with version ${c.version} ` +
        `committed concurrently: ${c.reason} — ${c.detail}. Re-read the table and retry the operation.`,
    );
  }

  private async postCommit(result: CommitResult): Promise<void> {
    if (this.options.skipCheckpoint) return;
    const metadata = this.effectiveMetadata;
    const interval = metadata ? checkpointInterval(metadata) : 10;
    if (result.version === 0 || result.version % interval !== 0) return;
    try {
      await writeCheckpoint(this.storage, result.version);
      result.checkpointVersion = result.version;
    } catch (e) {
      result.checkpointError = e as Error;
    }
  }
}

/** Spark stores commitInfo parameters and metrics as string maps. */
function stringValues(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
