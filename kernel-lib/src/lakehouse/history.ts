/**
 * Table history from `commitInfo` actions (like Spark's DESCRIBE HISTORY),
 * newest first. The timestamp is the monotonised commit file time (what time
 * travel uses), not `commitInfo.timestamp`, so history and time travel agree.
 */
import type { CommitInfo } from './actions.js';
import { buildLogSegment, listLog, readCommits } from './log-segment.js';
import type { Storage } from './storage/storage.js';
import { monotonize } from './time-travel.js';

/** A commit's `commitInfo` fields (every field, as written) with its version and commit time. */
export interface HistoryEntry extends CommitInfo {
  version: number;
  /** Monotonised commit time (epoch ms). */
  timestamp: number;
}

/** Reads commitInfo of the newest `limit` commits (all commits still in the log by default). */
export async function readHistory(storage: Storage, opts: { limit?: number } = {}): Promise<HistoryEntry[]> {
  // History agrees with read/describe: no table is TableNotFoundError, a hole in the log CorruptLogError.
  const latest = await buildLogSegment(storage);
  const commits = monotonize((await listLog(storage)).filter((f) => f.kind === 'commit'))
    .filter((c) => c.version <= latest.version)
    .reverse();
  const picked = opts.limit !== undefined ? commits.slice(0, Math.max(0, opts.limit)) : commits;
  const actions = await readCommits(
    storage,
    picked.map((c) => c.version),
  );
  return picked.map(({ version, timestamp }, i) => {
    const info = actions[i]!.find((a) => a.commitInfo)?.commitInfo ?? {};
    return { ...info, version, timestamp, commitInfoTimestamp: info.timestamp } as HistoryEntry;
  });
}
