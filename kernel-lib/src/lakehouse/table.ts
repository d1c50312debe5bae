/**
 * `DeltaTable`: the facade notebooks, pipeline steps and the CLI use. It is
 * cheap to construct (nothing is read until asked) and holds only a location,
 * so other modules can re-open a table from its `path`.
 *
 * Reads go through snapshot + scan; writes through schema enforcement →
 * data files → a `Transaction`. New tables get protocol reader 1 / writer 2
 * (reader 3 / writer 7 with `deletionVectors` when `delta.enableDeletionVectors=true`).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type * as arrow from 'apache-arrow';
import type { Metadata, Protocol } from './actions.js';
import { writeDataFiles } from './data-files.js';
import {
  ConcurrentModificationError,
  DeltaError,
  InvalidArgumentError,
  TableNotFoundError,
  TablePathIsFileError,
  UnsupportedFeatureError,
} from './errors.js';
import { assertWriteSupported, isAppendOnly, protocolForProperties } from './features.js';
import { type HistoryEntry, readHistory } from './history.js';
import { latestVersion } from './log-segment.js';
import { liveRowCount } from './row-counts.js';
import type { ParquetCompression } from './parquet-write.js';
import { type ScanOptions, scan } from './scan.js';
import { dataSchema, alignToSchema } from './schema-enforcement.js';
import { parseSchema, type StructType, schemaToString, typeToString } from './schema.js';
import { withColumnMapping, writeMappingMode } from './column-mapping.js';
import { loadSnapshot, type Snapshot, type SnapshotOptions } from './snapshot.js';
import { LocalStorage } from './storage/local.js';
import type { Storage } from './storage/storage.js';
import { type CommitResult, Transaction } from './transaction.js';
import type { DmlResult } from './dml/commit-dml.js';
import { type DeleteOptions, deleteRows } from './dml/delete.js';
import { type UpdateOptions, updateRows } from './dml/update.js';
import { mergeInto } from './dml/merge.js';
import type { MergeOptions } from './dml/merge-clauses.js';
import { type RestoreOptions, restoreTable } from './restore.js';
import { type OptimizeOptions, optimizeTable } from './optimize.js';
import { type VacuumOptions, type VacuumResult, vacuumTable } from './vacuum.js';
import type { TxnId } from './dml/commit-dml.js';

export type WriteMode = 'append' | 'overwrite' | 'error' | 'ignore';

/** `create` on a table that already exists, or `write` with mode `error` on an existing table. */
export class TableAlreadyExistsError extends DeltaError {}

export interface CreateOptions {
  schema: arrow.Schema | StructType;
  partitionBy?: string[];
  /** Table properties (`delta.checkpointInterval`, `delta.appendOnly`, …). */
  properties?: Record<string, string>;
  name?: string;
  description?: string;
}

export interface WriteOptions {
  /** Default `error`: like Spark and delta-rs, refuse to touch an existing table unless told how. */
  mode?: WriteMode;
  /** Partition columns of a new table; must equal the table's for an existing one. */
  partitionBy?: string[];
  /** Add columns the table lacks (as nullable) instead of rejecting them. */
  mergeSchema?: boolean;
  /** With mode `overwrite`: replace the schema by the data's (Spark's `overwriteSchema`); partitioning is kept. */
  overwriteSchema?: boolean;
  /** Table properties for a new table, merged into an existing table's. */
  properties?: Record<string, string>;
  name?: string;
  description?: string;
  /** Exactly-once writes: skipped (and reported so) when the table already has `txn.version` (or later) for `txn.appId`. */
  txn?: TxnId;
  /** The same as `txn`, as two options. */
  appId?: string;
  txnVersion?: number;
  targetFileSize?: number;
  compression?: ParquetCompression;
  maxRetries?: number;
}

export interface WriteResult {
  /** The committed version; undefined when nothing was committed. */
  version: number | undefined;
  /** Why nothing was committed: mode `ignore` on an existing table, or an already applied `txnVersion`. */
  skipped?: 'table exists' | 'transaction already applied';
  numFiles: number;
  numRows: number;
  numBytes: number;
  attempts: number;
  checkpointVersion?: number;
}

export interface ReadOptions extends SnapshotOptions, ScanOptions {}

export interface TableDescription {
  path: string;
  version: number;
  id: string;
  name: string | null;
  description: string | null;
  /** The Delta schema (as stored in `schemaString`). */
  schema: StructType;
  partitionColumns: string[];
  numFiles: number;
  /** Live rows: the files' `numRecords` (counted in the files where stats are missing) minus deletion vectors. */
  numRows: number;
  sizeInBytes: number;
  protocol: Protocol;
  properties: Record<string, string>;
  createdTime: number | null;
  /** Commit file time of this version (epoch ms). */
  lastModified: number;
}

/** Table properties that would turn on features this implementation cannot honour. */
const UNSUPPORTED_PROPERTIES: Record<string, string> = {
  'delta.enableChangeDataFeed': 'changeDataFeed',
  'delta.enableRowTracking': 'rowTracking',
};

export class DeltaTable {
  /** Absolute location of the table (the storage root). */
  readonly path: string;
  readonly storage: Storage;

  constructor(pathOrStorage: string | Storage) {
    this.storage = typeof pathOrStorage === 'string' ? new LocalStorage(pathOrStorage) : pathOrStorage;
    this.path = typeof pathOrStorage === 'string' ? path.resolve(pathOrStorage) : pathOrStorage.root;
  }

  /** True when the location holds at least one commit. */
  async exists(): Promise<boolean> {
    try {
      await latestVersion(this.storage);
      return true;
    } catch (e) {
      if (e instanceof TableNotFoundError && !(e instanceof TablePathIsFileError)) return false;
      throw e;
    }
  }

  async version(): Promise<number> {
    return latestVersion(this.storage);
  }

  snapshot(opts: SnapshotOptions = {}): Promise<Snapshot> {
    return loadSnapshot(this.storage, opts);
  }

  async read(opts: ReadOptions = {}): Promise<arrow.Table> {
    const { version, timestamp, ...scanOpts } = opts;
    const snap = await this.snapshot({
      ...(version !== undefined ? { version } : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
    });
    return scan(snap, this.storage, scanOpts);
  }

  history(limit?: number): Promise<HistoryEntry[]> {
    return readHistory(this.storage, limit !== undefined ? { limit } : {});
  }

  async describe(opts: SnapshotOptions = {}): Promise<TableDescription> {
    const s = await this.snapshot(opts);
    const numRows = await liveRowCount(this.storage, s.files);
    return {
      path: this.path,
      version: s.version,
      id: s.metadata.id,
      name: s.metadata.name ?? null,
      description: s.metadata.description ?? null,
      schema: s.schema,
      partitionColumns: s.partitionColumns,
      numFiles: s.files.length,
      numRows,
      sizeInBytes: s.files.reduce((a, f) => a + (f.size ?? 0), 0),
      protocol: s.protocol,
      properties: s.tableProperties,
      createdTime: s.metadata.createdTime ?? null,
      lastModified: s.commitTimestamp,
    };
  }

  /** DELETE FROM the table [WHERE `where`]; copy-on-write of the files holding matching rows. */
  async delete(where?: string, opts: DeleteOptions = {}): Promise<DmlResult> {
    return deleteRows(this.storage, await this.snapshot(), where, opts);
  }

  /** UPDATE the table SET … [WHERE …]. */
  async update(opts: UpdateOptions): Promise<DmlResult> {
    return updateRows(this.storage, await this.snapshot(), opts);
  }

  /** MERGE INTO this table USING `source` (Arrow rows or another table's latest version) ON … WHEN …. */
  async merge(source: arrow.Table | DeltaTable, opts: MergeOptions): Promise<DmlResult> {
    const rows = source instanceof DeltaTable ? await source.read() : source;
    return mergeInto(this.storage, await this.snapshot(), rows, opts);
  }

  /** RESTORE the table to an earlier version or timestamp (a new commit; history is kept). */
  async restore(opts: RestoreOptions): Promise<DmlResult> {
    return restoreTable(this.storage, await this.snapshot(), opts);
  }

  /** OPTIMIZE: compact small files (bin-packing) or cluster them (`zOrderBy`); rows do not change. */
  async optimize(opts: OptimizeOptions = {}): Promise<DmlResult> {
    return optimizeTable(this.storage, await this.snapshot(), opts);
  }

  /** VACUUM: delete files no version within the retention period needs (`dryRun` only lists them). */
  async vacuum(opts: VacuumOptions = {}): Promise<VacuumResult> {
    return vacuumTable(this.storage, await this.snapshot(), opts);
  }

  /** Creates an empty table (version 0). Throws `TableAlreadyExistsError` if one exists. */
  async create(opts: CreateOptions): Promise<WriteResult> {
    if (await this.exists()) throw new TableAlreadyExistsError(`cannot create table ${this.path}: it already exists`);
    const schema = isDeltaSchema(opts.schema) ? opts.schema : dataSchema(opts.schema, this.path);
    const metadata = this.newMetadata(
      schema,
      opts.partitionBy ?? [],
      opts.properties ?? {},
      opts.name,
      opts.description,
    );
    const txn = new Transaction(this.storage, undefined, {
      operation: 'CREATE TABLE',
      operationParameters: {
        isManaged: 'false',
        description: opts.description ?? null,
        partitionBy: metadata.partitionColumns,
        properties: metadata.configuration,
      },
    });
    txn.setProtocol(protocolForProperties(metadata.configuration)).setMetadata(metadata);
    return toWriteResult(await txn.commit(), 0, 0, 0);
  }

  append(data: arrow.Table, opts: Omit<WriteOptions, 'mode'> = {}): Promise<WriteResult> {
    return this.write(data, { ...opts, mode: 'append' });
  }

  overwrite(data: arrow.Table, opts: Omit<WriteOptions, 'mode'> = {}): Promise<WriteResult> {
    return this.write(data, { ...opts, mode: 'overwrite' });
  }

  /** Writes Arrow data; creates the table when it does not exist. */
  async write(data: arrow.Table, options: WriteOptions = {}): Promise<WriteResult> {
    const { txn, ...rest } = options;
    const opts: WriteOptions = txn ? { ...rest, appId: txn.appId, txnVersion: txn.version } : rest;
    const mode = opts.mode ?? 'error';
    if (!['append', 'overwrite', 'error', 'ignore'].includes(mode)) {
      throw new InvalidArgumentError(
        `invalid write mode ${JSON.stringify(mode)}: use append, overwrite, error or ignore`,
      );
    }
    let snap: Snapshot | undefined;
    try {
      snap = await this.snapshot();
    } catch (e) {
      if (!(e instanceof TableNotFoundError) || e instanceof TablePathIsFileError) throw e;
    }
    if (!snap) {
      try {
        return await this.writeNew(data, opts, mode);
      } catch (e) {
        // Another writer created the table first: an append can still go on top of it.
        if (!(e instanceof ConcurrentModificationError) || (mode !== 'append' && mode !== 'ignore')) throw e;
        snap = await this.snapshot();
      }
    }
    return this.writeExisting(snap, data, opts, mode);
  }

  private async writeNew(data: arrow.Table, opts: WriteOptions, mode: WriteMode): Promise<WriteResult> {
    const schema = dataSchema(data.schema, this.path);
    const metadata = this.newMetadata(
      schema,
      opts.partitionBy ?? [],
      opts.properties ?? {},
      opts.name,
      opts.description,
    );
    const aligned = alignToSchema(data, schema, { tablePath: this.path });
    const written = await writeDataFiles(this.storage, aligned.table, {
      schema: parseSchema(metadata.schemaString), // with column mapping's physical names when the table has them
      partitionColumns: metadata.partitionColumns,
      ...fileOptions(opts, metadata),
    });
    const txn = new Transaction(this.storage, undefined, {
      operation: 'CREATE TABLE AS SELECT',
      operationParameters: {
        mode: saveMode(mode),
        partitionBy: metadata.partitionColumns,
        properties: metadata.configuration,
      },
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    });
    txn.setProtocol(protocolForProperties(metadata.configuration)).setMetadata(metadata).addFiles(written.adds);
    if (opts.appId !== undefined) txn.setTransactionId(opts.appId, requireTxnVersion(opts));
    txn.setOperationMetrics({
      numFiles: written.adds.length,
      numOutputRows: written.numOutputRows,
      numOutputBytes: written.numOutputBytes,
    });
    const result = await txn.commit();
    return toWriteResult(result, written.adds.length, written.numOutputRows, written.numOutputBytes);
  }

  private async writeExisting(
    snap: Snapshot,
    data: arrow.Table,
    opts: WriteOptions,
    mode: WriteMode,
  ): Promise<WriteResult> {
    if (mode === 'error') {
      throw new TableAlreadyExistsError(
        `table ${this.path} already exists (version ${snap.version}); write with mode append or overwrite`,
      );
    }
    if (mode === 'ignore') {
      return { version: undefined, skipped: 'table exists', numFiles: 0, numRows: 0, numBytes: 0, attempts: 0 };
    }
    assertWriteSupported(snap.protocol, snap.metadata, this.path);
    if (opts.partitionBy && !sameList(opts.partitionBy, snap.partitionColumns)) {
      throw new InvalidArgumentError(
        `write to ${this.path}: partitionBy [${opts.partitionBy.join(', ')}] does not match the table's partition columns [${snap.partitionColumns.join(', ')}]`,
      );
    }
    if (mode === 'overwrite' && isAppendOnly(snap.metadata)) {
      throw new InvalidArgumentError(`cannot overwrite table ${this.path}: it is append-only (delta.appendOnly=true)`);
    }
    if (opts.appId !== undefined) {
      const seen = snap.txns.get(opts.appId);
      if (seen && seen.version >= requireTxnVersion(opts)) {
        return {
          version: undefined,
          skipped: 'transaction already applied',
          numFiles: 0,
          numRows: 0,
          numBytes: 0,
          attempts: 0,
        };
      }
    }
    if (opts.overwriteSchema && mode !== 'overwrite') {
      throw new InvalidArgumentError(`write to ${this.path}: overwriteSchema needs mode overwrite, not ${mode}`);
    }
    const replacing = opts.overwriteSchema === true;
    const target = replacing ? dataSchema(data.schema, this.path) : snap.schema;
    if (replacing) validatePartitionColumns(target, snap.partitionColumns, this.path);
    const widening = { ...snap.metadata.configuration, ...(opts.properties ?? {}) }['delta.enableTypeWidening'];
    const aligned = alignToSchema(data, target, {
      mergeSchema: opts.mergeSchema ?? false,
      tablePath: this.path,
      typeWidening: widening?.toLowerCase() === 'true',
    });
    let metadata: Metadata | undefined;
    if (replacing || aligned.evolved || (opts.properties && Object.keys(opts.properties).length > 0)) {
      const configuration = { ...snap.metadata.configuration, ...(opts.properties ?? {}) };
      checkProperties(configuration, this.path);
      const before = writeMappingMode(snap.metadata);
      metadata = { ...snap.metadata, schemaString: schemaToString(aligned.schema), configuration };
      if (before !== 'none' && writeMappingMode(metadata) !== before) {
        throw new InvalidArgumentError(
          `write to ${this.path}: delta.columnMapping.mode cannot change from ${before} (the data files use physical names)`,
        );
      }
      // New columns get ids and physical names; turning mapping on keeps the existing files' names.
      metadata = withColumnMapping(metadata, before === 'none' && !replacing);
    }
    const written = await writeDataFiles(this.storage, aligned.table, {
      schema: metadata ? parseSchema(metadata.schemaString) : aligned.schema,
      partitionColumns: snap.partitionColumns,
      ...fileOptions(opts, metadata ?? snap.metadata),
    });
    const txn = new Transaction(this.storage, snap, {
      operation: 'WRITE',
      operationParameters: { mode: saveMode(mode), partitionBy: snap.partitionColumns },
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
    });
    if (metadata) {
      txn.setMetadata(metadata);
      // Turning on a property that needs a table feature upgrades the protocol in the same commit.
      const protocol = protocolForProperties(metadata.configuration ?? {}, snap.protocol);
      if (protocol !== snap.protocol) txn.setProtocol(protocol);
    }
    if (mode === 'overwrite') txn.readWholeTable().removeFiles(snap.files);
    txn.addFiles(written.adds);
    if (opts.appId !== undefined) txn.setTransactionId(opts.appId, requireTxnVersion(opts));
    txn.setOperationMetrics({
      numFiles: written.adds.length,
      numOutputRows: written.numOutputRows,
      numOutputBytes: written.numOutputBytes,
      ...(mode === 'overwrite' ? { numRemovedFiles: snap.files.length } : {}),
    });
    const result = await txn.commit();
    return toWriteResult(result, written.adds.length, written.numOutputRows, written.numOutputBytes);
  }

  private newMetadata(
    schema: StructType,
    partitionBy: string[],
    properties: Record<string, string>,
    name?: string,
    description?: string,
  ): Metadata {
    assertWritableTypes(schema, this.path);
    validatePartitionColumns(schema, partitionBy, this.path);
    checkProperties(properties, this.path);
    return withColumnMapping(
      {
        id: randomUUID(),
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        format: { provider: 'parquet', options: {} },
        schemaString: schemaToString(schema),
        partitionColumns: [...partitionBy],
        configuration: { ...properties },
        createdTime: Date.now(),
      },
      false,
    );
  }
}

function isDeltaSchema(s: arrow.Schema | StructType): s is StructType {
  return (s as StructType).type === 'struct';
}

/** Types that need table features (reader 3 / writer 7) this implementation does not write. */
function assertWritableTypes(schema: StructType, tablePath: string): void {
  const visit = (t: StructType['fields'][number]['type'], where: string): void => {
    if (t === 'timestamp_ntz' || t === 'variant') {
      const feature = t === 'variant' ? 'variantType' : 'timestampNtz';
      throw new UnsupportedFeatureError(
        feature,
        'write',
        `table ${tablePath}: column ${where} has type ${t}, which needs the Delta feature '${feature}' (not supported); use timestamp (UTC) instead`,
      );
    }
    if (typeof t === 'string') return;
    if (t.type === 'struct') for (const f of t.fields) visit(f.type, `${where}.${f.name}`);
    else if (t.type === 'array') visit(t.elementType, `${where}.element`);
    else {
      visit(t.keyType, `${where}.key`);
      visit(t.valueType, `${where}.value`);
    }
  };
  for (const f of schema.fields) visit(f.type, f.name);
}

/** Partition columns must exist, be distinct, be primitive, and leave at least one data column. */
export function validatePartitionColumns(schema: StructType, columns: string[], tablePath: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    const f = schema.fields.find((x) => x.name === c);
    if (!f) {
      throw new InvalidArgumentError(
        `partition column ${JSON.stringify(c)} of table ${tablePath} is not in the schema [${schema.fields.map((x) => x.name).join(', ')}]`,
      );
    }
    if (typeof f.type !== 'string' || f.type === 'binary' || f.type === 'variant') {
      throw new InvalidArgumentError(
        `partition column ${c} of table ${tablePath} has type ${typeToString(f.type)}; partition columns must be of a primitive, non-binary type`,
      );
    }
    if (seen.has(c)) throw new InvalidArgumentError(`partition column ${c} of table ${tablePath} is listed twice`);
    seen.add(c);
  }
  if (columns.length > 0 && columns.length >= schema.fields.length) {
    throw new InvalidArgumentError(
      `table ${tablePath}: cannot partition by every column (${columns.join(', ')}); at least one column must hold data`,
    );
  }
}

function checkProperties(props: Record<string, string>, tablePath: string): void {
  for (const [key, feature] of Object.entries(UNSUPPORTED_PROPERTIES)) {
    if (props[key]?.toLowerCase() === 'true') {
      throw new UnsupportedFeatureError(
        feature,
        'write',
        `table ${tablePath}: ${key}=true needs the Delta feature '${feature}', which this implementation does not support`,
      );
    }
  }
  const mode = props['delta.columnMapping.mode'];
  if (mode && !['none', 'name', 'id'].includes(mode)) {
    throw new UnsupportedFeatureError(
      'columnMapping',
      'write',
      `table ${tablePath}: delta.columnMapping.mode=${mode} is not a column mapping mode (none, name or id)`,
    );
  }
  const isolation = props['delta.isolationLevel'];
  if (isolation !== undefined && !['serializable', 'writeserializable'].includes(isolation.toLowerCase())) {
    throw new InvalidArgumentError(
      `table ${tablePath}: delta.isolationLevel must be Serializable or WriteSerializable, got ${JSON.stringify(isolation)}`,
    );
  }
  const interval = props['delta.checkpointInterval'];
  if (interval !== undefined && !(Number.isSafeInteger(Number(interval)) && Number(interval) > 0)) {
    throw new InvalidArgumentError(
      `table ${tablePath}: delta.checkpointInterval must be a positive integer, got ${JSON.stringify(interval)}`,
    );
  }
}

function fileOptions(opts: WriteOptions, metadata: Metadata) {
  const conf = metadata.configuration ?? {};
  const numIndexed = conf['delta.dataSkippingNumIndexedCols'];
  return {
    columnMapping: writeMappingMode(metadata),
    ...(opts.targetFileSize !== undefined ? { targetFileSize: opts.targetFileSize } : {}),
    ...(opts.compression !== undefined ? { compression: opts.compression } : {}),
    ...(numIndexed !== undefined && Number.isSafeInteger(Number(numIndexed))
      ? { stats: { numIndexedCols: Number(numIndexed) } }
      : {}),
  };
}

function requireTxnVersion(opts: WriteOptions): number {
  if (opts.txnVersion === undefined || !Number.isSafeInteger(opts.txnVersion) || opts.txnVersion < 0) {
    throw new InvalidArgumentError(`appId ${opts.appId} needs a txnVersion (an integer ≥ 0) for idempotent writes`);
  }
  return opts.txnVersion;
}

function saveMode(mode: WriteMode): string {
  return { append: 'Append', overwrite: 'Overwrite', error: 'ErrorIfExists', ignore: 'Ignore' }[mode];
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function toWriteResult(r: CommitResult, numFiles: number, numRows: number, numBytes: number): WriteResult {
  return {
    version: r.version,
    numFiles,
    numRows,
    numBytes,
    attempts: r.attempts,
    ...(r.checkpointVersion !== undefined ? { checkpointVersion: r.checkpointVersion } : {}),
  };
}
