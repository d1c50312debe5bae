/**
 * A snapshot is the table state at one version: protocol, metadata, schema,
 * live files and app transaction ids. It is built from the log segment
 * (checkpoint + later commits) so its cost does not grow with the table's age.
 */
import type { AddFile, Metadata, Protocol, Txn } from './actions.js';
import { openLogSegment } from './checkpoint-fallback.js';
import { CorruptLogError, InvalidArgumentError } from './errors.js';
import { assertReadSupported } from './features.js';
import { type LogSegment, readCommits } from './log-segment.js';
import { LogReplay } from './replay.js';
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
  /** Live files; reconstructed on first access (opening a table for a blind append never needs them). */
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
  const { segment, checkpoint } = await openLogSegment(storage, version);
  const commits = await readCommits(
    storage,
    segment.commits.map((c) => c.version),
  );
  // Protocol, metadata and txns open the table; the file list is reconstructed on first use.
  const state = new LogReplay();
  state.apply(checkpoint?.nonFileActions ?? []);
  for (const c of commits) state.apply(c.filter((a) => !a.add && !a.remove));
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
  let files: AddFile[] | undefined;
  return {
    tablePath: storage.root,
    version: segment.version,
    protocol: state.protocol,
    metadata,
    schema,
    partitionColumns: metadata.partitionColumns ?? [],
    get files(): AddFile[] {
      if (!files) {
        const r = new LogReplay();
        if (checkpoint) r.apply(checkpoint.fileActions());
        for (const c of commits) r.apply(c);
        files = r.files();
      }
      return files;
    },
    txns: state.txns,
    tableProperties: metadata.configuration ?? {},
    commitTimestamp: segment.lastModified,
    segment,
  };
}
