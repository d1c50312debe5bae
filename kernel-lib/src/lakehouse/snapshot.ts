/**
 * A snapshot is the table state at one version: protocol, metadata, schema,
 * live files and app transaction ids. It is built from the log segment
 * (checkpoint + later commits) so its cost does not grow with the table's age.
 */
import type { Action, AddFile, Metadata, Protocol, Txn } from './actions.js';
import { readCheckpoint } from './checkpoint-read.js';
import { CorruptLogError, InvalidArgumentError } from './errors.js';
import { assertReadSupported } from './features.js';
import { buildLogSegment, type LogSegment, readCommits } from './log-segment.js';
import { replay } from './replay.js';
import { parseSchema, type StructType } from './schema.js';
import type { Storage } from './storage/storage.js';
import { versionAtTimestamp } from './time-travel.js';

export interface Snapshot {
  /** Where the table lives (for messages). */
  tablePath: string;
  version: number;
  protocol: Protocol;
  metadata: Metadata;
  schema: StructType;
  partitionColumns: string[];
  files: AddFile[];
  txns: Map<string, Txn>;
  tableProperties: Record<string, string>;
  /** Modification time (epoch ms) of the file that defines this version; not monotonised. */
  commitTimestamp: number;
  /** The log files the snapshot was built from. */
  segment: LogSegment;
}

export interface SnapshotOptions {
  version?: number;
  /** Time travel: epoch ms, Date, or ISO string. Mutually exclusive with `version`. */
  timestamp?: number | string | Date;
}

/** Loads the snapshot at the latest version, a given version, or a timestamp. */
export async function loadSnapshot(storage: Storage, opts: SnapshotOptions = {}): Promise<Snapshot> {
  if (opts.version !== undefined && opts.timestamp !== undefined) {
    throw new InvalidArgumentError('give either a version or a timestamp to time-travel, not both');
  }
  const version = opts.timestamp !== undefined ? await versionAtTimestamp(storage, opts.timestamp) : opts.version;
  const segment = await buildLogSegment(storage, version);
  const checkpointActions: Action[] = segment.checkpoint ? await readCheckpoint(storage, segment.checkpoint) : [];
  const commits = await readCommits(
    storage,
    segment.commits.map((c) => c.version),
  );
  const state = replay(checkpointActions, commits);
  const where = `table ${storage.root} at version ${segment.version}`;
  if (!state.protocol) throw new CorruptLogError(`${where} has no protocol action in its log`);
  if (!state.metadata) throw new CorruptLogError(`${where} has no metaData action in its log`);
  assertReadSupported(state.protocol, storage.root, state.metadata);
  const metadata = state.metadata;
  if (typeof metadata.schemaString !== 'string') {
    throw new CorruptLogError(`${where}: its metaData action has no schemaString`);
  }
  let schema: StructType;
  try {
    schema = parseSchema(metadata.schemaString);
  } catch (e) {
    throw new CorruptLogError(`${where}: ${(e as Error).message}`, { cause: e });
  }
  return {
    tablePath: storage.root,
    version: segment.version,
    protocol: state.protocol,
    metadata,
    schema,
    partitionColumns: metadata.partitionColumns ?? [],
    files: state.files(),
    txns: state.txns,
    tableProperties: metadata.configuration ?? {},
    commitTimestamp: segment.lastModified,
    segment,
  };
}
