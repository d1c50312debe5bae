/**
 * Writes classic Parquet checkpoints (PROTOCOL.md "Checkpoints") and the
 * `_last_checkpoint` hint, so opening a table costs one Parquet read plus at
 * most `delta.checkpointInterval - 1` commits, however old the table is.
 *
 * A checkpoint holds the reconciled state at a version: protocol, metaData,
 * the latest `txn` per application, every live `add` (dataChange=false, stats
 * kept as the JSON string) and the `remove` tombstones younger than
 * `delta.deletedFileRetentionDuration` (VACUUM must not delete files a reader of an
 * older version may still need). Columns follow Spark's checkpoint schema, so
 * Spark, delta-rs, pyarrow and our own reader can all read it.
 *
 * The file is written atomically (temp + rename); writing the same version
 * twice produces an equivalent file, so concurrent checkpointers are harmless.
 */
import * as arrow from 'apache-arrow';
import type { AddFile, DeletionVectorDescriptor, Metadata, Protocol, RemoveFile, Txn } from './actions.js';
import { openLogSegment } from './checkpoint-fallback.js';
import { DeltaError } from './errors.js';
import { readLastCheckpointHint, serializeLastCheckpointHint } from './last-checkpoint-hint.js';
import { checkpointPath, readCommit } from './log-segment.js';
import { writeParquetBytes } from './parquet-write.js';
import { fileKey, LogReplay } from './replay.js';
import { LAST_CHECKPOINT_PATH } from './last-checkpoint-hint.js';
import type { Storage } from './storage/storage.js';

/** The checkpoint could not be built (the log is inconsistent at that version). */
export class CheckpointWriteError extends DeltaError {}

export const DEFAULT_CHECKPOINT_INTERVAL = 10;
const DEFAULT_TOMBSTONE_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** `delta.checkpointInterval` (default 10; invalid values fall back to the default). */
export function checkpointInterval(metadata: Metadata): number {
  const raw = metadata.configuration?.['delta.checkpointInterval'];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_INTERVAL;
}

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** Parses Spark's `interval 7 days` form (`delta.deletedFileRetentionDuration`). */
export function parseIntervalMs(text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const m = /^\s*(?:interval\s+)?(\d+)\s*([a-z]+?)s?\s*$/i.exec(text);
  const unit = m && UNIT_MS[m[2]!.toLowerCase()];
  return m && unit ? Number(m[1]) * unit : fallback;
}

/** The reconciled state a checkpoint stores. */
export interface CheckpointState {
  version: number;
  protocol: Protocol;
  metadata: Metadata;
  txns: Txn[];
  adds: AddFile[];
  removes: RemoveFile[];
}

/** Replays the log up to `version`, keeping unexpired tombstones as well as live files. */
export async function checkpointState(storage: Storage, version: number, now = Date.now()): Promise<CheckpointState> {
  const { segment, checkpoint } = await openLogSegment(storage, version);
  const replay = new LogReplay();
  const tombstones = new Map<string, RemoveFile>();
  const applyAll = (actions: import('./actions.js').Action[]): void => {
    replay.apply(actions);
    for (const a of actions) {
      if (a.remove) tombstones.set(fileKey(a.remove.path, a.remove.deletionVector), a.remove);
      else if (a.add) tombstones.delete(fileKey(a.add.path, a.add.deletionVector));
    }
  };
  if (checkpoint) applyAll([...checkpoint.nonFileActions, ...checkpoint.fileActions()]);
  for (const c of segment.commits) applyAll(await readCommit(storage, c.version));
  if (!replay.protocol || !replay.metadata) {
    throw new CheckpointWriteError(
      `cannot checkpoint table ${storage.root} at version ${version}: the log has no ${replay.protocol ? 'metaData' : 'protocol'} action`,
    );
  }
  const retention = parseIntervalMs(
    replay.metadata.configuration?.['delta.deletedFileRetentionDuration'],
    DEFAULT_TOMBSTONE_RETENTION_MS,
  );
  const removes = [...tombstones.values()].filter((r) => (r.deletionTimestamp ?? now) >= now - retention);
  return {
    version: segment.version,
    protocol: replay.protocol,
    metadata: replay.metadata,
    txns: [...replay.txns.values()],
    adds: replay.files(),
    removes,
  };
}

/** Writes the checkpoint for `version` and advances `_last_checkpoint`. Returns the number of actions. */
export async function writeCheckpoint(
  storage: Storage,
  version: number,
): Promise<{ size: number; sizeInBytes: number }> {
  const state = await checkpointState(storage, version);
  const table = checkpointTable(state);
  const bytes = writeParquetBytes(table, { createdBy: 'stillwater checkpoint (parquet-wasm)' });
  await storage.write(checkpointPath(version), bytes);
  const hint = await readLastCheckpointHint(storage);
  if (!hint || hint.version <= version) {
    await storage.write(
      LAST_CHECKPOINT_PATH,
      serializeLastCheckpointHint({
        version,
        size: table.numRows,
        sizeInBytes: bytes.byteLength,
        numOfAddFiles: state.adds.length,
      }),
    );
  }
  return { size: table.numRows, sizeInBytes: bytes.byteLength };
}

const str = (): arrow.Utf8 => new arrow.Utf8();
const field = (name: string, type: arrow.DataType, nullable = true): arrow.Field =>
  new arrow.Field(name, type, nullable);
const stringMap = (): arrow.Map_ =>
  new arrow.Map_(
    field('key_value', new arrow.Struct([field('key', str(), false), field('value', str(), true)]), false),
    false,
  );
const stringList = (): arrow.List => new arrow.List(field('element', str(), true));

/** Spark's deletion vector descriptor struct: without it a checkpoint would silently undelete rows. */
const deletionVectorStruct = (): arrow.Struct =>
  new arrow.Struct([
    field('storageType', str()),
    field('pathOrInlineDv', str()),
    field('offset', new arrow.Int32()),
    field('sizeInBytes', new arrow.Int32()),
    field('cardinality', new arrow.Int64()),
  ]);

/** Spark's checkpoint schema for the action columns we write. */
export const CHECKPOINT_SCHEMA = new arrow.Schema([
  field(
    'txn',
    new arrow.Struct([
      field('appId', str()),
      field('version', new arrow.Int64()),
      field('lastUpdated', new arrow.Int64()),
    ]),
  ),
  field(
    'add',
    new arrow.Struct([
      field('path', str()),
      field('partitionValues', stringMap()),
      field('size', new arrow.Int64()),
      field('modificationTime', new arrow.Int64()),
      field('dataChange', new arrow.Bool()),
      field('stats', str()),
      field('tags', stringMap()),
      field('deletionVector', deletionVectorStruct()),
    ]),
  ),
  field(
    'remove',
    new arrow.Struct([
      field('path', str()),
      field('deletionTimestamp', new arrow.Int64()),
      field('dataChange', new arrow.Bool()),
      field('extendedFileMetadata', new arrow.Bool()),
      field('partitionValues', stringMap()),
      field('size', new arrow.Int64()),
      field('deletionVector', deletionVectorStruct()),
    ]),
  ),
  field(
    'metaData',
    new arrow.Struct([
      field('id', str()),
      field('name', str()),
      field('description', str()),
      field('format', new arrow.Struct([field('provider', str()), field('options', stringMap())])),
      field('schemaString', str()),
      field('partitionColumns', stringList()),
      field('configuration', stringMap()),
      field('createdTime', new arrow.Int64()),
    ]),
  ),
  field(
    'protocol',
    new arrow.Struct([
      field('minReaderVersion', new arrow.Int32()),
      field('minWriterVersion', new arrow.Int32()),
      field('readerFeatures', stringList()),
      field('writerFeatures', stringList()),
    ]),
  ),
]);

type Row = Record<string, unknown> | null;

const big = (n: number | null | undefined): bigint | null =>
  n === null || n === undefined ? null : BigInt(Math.trunc(n));
const asMap = (o: Record<string, string | null> | null | undefined): Map<string, string | null> | null =>
  o ? new Map(Object.entries(o)) : null;

const dvRow = (dv: DeletionVectorDescriptor | null | undefined): Row =>
  dv
    ? {
        storageType: dv.storageType,
        pathOrInlineDv: dv.pathOrInlineDv,
        offset: dv.offset ?? null,
        sizeInBytes: dv.sizeInBytes,
        cardinality: big(dv.cardinality),
      }
    : null;

/** Builds the checkpoint's Arrow table: one row per action, exactly one column set per row. */
export function checkpointTable(state: CheckpointState): arrow.Table {
  const rows: { kind: 'txn' | 'add' | 'remove' | 'metaData' | 'protocol'; value: Row }[] = [];
  const p = state.protocol;
  rows.push({
    kind: 'protocol',
    value: {
      minReaderVersion: p.minReaderVersion,
      minWriterVersion: p.minWriterVersion,
      readerFeatures: p.readerFeatures ?? null,
      writerFeatures: p.writerFeatures ?? null,
    },
  });
  const m = state.metadata;
  rows.push({
    kind: 'metaData',
    value: {
      id: m.id,
      name: m.name ?? null,
      description: m.description ?? null,
      format: { provider: m.format?.provider ?? 'parquet', options: asMap(m.format?.options ?? {}) },
      schemaString: m.schemaString,
      partitionColumns: m.partitionColumns ?? [],
      configuration: asMap(m.configuration ?? {}),
      createdTime: big(m.createdTime),
    },
  });
  for (const t of state.txns) {
    rows.push({ kind: 'txn', value: { appId: t.appId, version: big(t.version), lastUpdated: big(t.lastUpdated) } });
  }
  for (const a of state.adds) {
    rows.push({
      kind: 'add',
      value: {
        path: a.path,
        partitionValues: asMap(a.partitionValues ?? {}),
        size: big(a.size),
        modificationTime: big(a.modificationTime),
        // Checkpoints describe state, not change.
        dataChange: false,
        stats: a.stats ?? null,
        tags: asMap(a.tags ?? null),
        deletionVector: dvRow(a.deletionVector),
      },
    });
  }
  for (const r of state.removes) {
    rows.push({
      kind: 'remove',
      value: {
        path: r.path,
        deletionTimestamp: big(r.deletionTimestamp),
        dataChange: false,
        extendedFileMetadata: r.extendedFileMetadata ?? false,
        partitionValues: asMap(r.partitionValues ?? null),
        size: big(r.size),
        deletionVector: dvRow(r.deletionVector),
      },
    });
  }
  const columns: Record<string, arrow.Vector> = {};
  for (const f of CHECKPOINT_SCHEMA.fields) {
    columns[f.name] = arrow.vectorFromArray(
      rows.map((r) => (r.kind === f.name ? r.value : null)),
      f.type,
    );
  }
  return new arrow.Table(columns);
}
