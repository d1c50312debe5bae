/**
 * Opening a log segment with its checkpoint loaded. A checkpoint is a summary of the
 * commits before it: when it cannot be read but the log still holds what it summarises
 * (an older checkpoint, or every JSON commit since version 0), the table opens from
 * those instead, with a warning — as Spark does. Otherwise the checkpoint's own error
 * stands.
 */
import { type CheckpointData, loadCheckpoint } from './checkpoint-read.js';
import { CorruptLogError } from './errors.js';
import { buildLogSegment, type LogSegment, listLog, segmentFromListing } from './log-segment.js';
import type { Storage } from './storage/storage.js';

/** Checkpoints already warned about: a process that opens a table ten times warns once. */
const warned = new Set<string>();

export interface OpenedSegment {
  segment: LogSegment;
  checkpoint?: CheckpointData;
}

/** The segment that reconstructs `version` (default: latest), its readable checkpoint loaded. */
export async function openLogSegment(storage: Storage, version?: number): Promise<OpenedSegment> {
  let segment = await buildLogSegment(storage, version);
  const unreadable = new Set<number>();
  while (segment.checkpoint) {
    const cp = segment.checkpoint;
    try {
      return { segment, checkpoint: await loadCheckpoint(storage, cp) };
    } catch (e) {
      if (!(e instanceof CorruptLogError)) throw e;
      unreadable.add(cp.version);
      const files = (await listLog(storage)).filter((f) => !(f.kind === 'checkpoint' && unreadable.has(f.version)));
      let fallback: LogSegment;
      try {
        fallback = segmentFromListing(storage, files, segment.version);
      } catch {
        throw e;
      }
      const from = fallback.checkpoint ? `checkpoint ${fallback.checkpoint.version} and the` : 'the';
      const first = fallback.commits[0]?.version ?? segment.version;
      const key = `${storage.root}@${cp.version}`;
      if (!warned.has(key)) {
        warned.add(key);
        process.emitWarning(
          `${e.message}; reading version ${segment.version} of table ${storage.root} from ${from} JSON commits ${first}..${segment.version} instead`,
          { type: 'DeltaWarning', code: 'DELTA_UNREADABLE_CHECKPOINT' },
        );
      }
      segment = fallback;
    }
  }
  return { segment };
}
