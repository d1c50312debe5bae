/**
 * Version ↔ timestamp with Spark's semantics (DeltaHistoryManager): a commit's
 * timestamp is its commit file's modification time, made strictly increasing
 * across versions (if a commit's mtime is ≤ its predecessor's, it becomes the
 * predecessor's + 1 ms). A timestamp resolves to the latest version committed
 * at or before it; timestamps before the first or after the last commit are
 * errors that state the valid range.
 */
import { VersionNotFoundError } from './errors.js';
import { listLog } from './log-segment.js';
import { parseTimestampMicros } from './partition.js';
import type { Storage } from './storage/storage.js';

export interface CommitTimestamp {
  version: number;
  /** Monotonised commit time, epoch milliseconds. */
  timestamp: number;
}

/** Applies Spark's monotonisation to commits sorted by version. */
export function monotonize(commits: { version: number; modificationTime: number }[]): CommitTimestamp[] {
  const out: CommitTimestamp[] = [];
  let prev = Number.NEGATIVE_INFINITY;
  for (const c of commits) {
    const ts = c.modificationTime <= prev ? prev + 1 : c.modificationTime;
    out.push({ version: c.version, timestamp: ts });
    prev = ts;
  }
  return out;
}

/** All commits of the table with their monotonised timestamps, ascending. */
export async function commitTimestamps(storage: Storage): Promise<CommitTimestamp[]> {
  const commits = (await listLog(storage)).filter((f) => f.kind === 'commit');
  return monotonize(commits);
}

/** Accepts epoch ms, a Date, or an ISO-8601 string (no zone = UTC). */
export function toEpochMillis(ts: number | string | Date): number {
  if (ts instanceof Date) {
    if (Number.isNaN(ts.getTime())) throw new VersionNotFoundError('invalid timestamp: Invalid Date');
    return ts.getTime();
  }
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts)) throw new VersionNotFoundError(`invalid timestamp ${ts}`);
    return ts;
  }
  const us = parseTimestampMicros(ts);
  if (us === undefined) {
    throw new VersionNotFoundError(
      `invalid timestamp ${JSON.stringify(ts)}: expected ISO-8601 like 2020-01-31T12:00:00Z`,
    );
  }
  return Number(us / 1000n);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The latest version committed at or before `ts`. */
export function resolveTimestamp(commits: CommitTimestamp[], ts: number, tablePath: string): number {
  if (commits.length === 0) throw new VersionNotFoundError(`table ${tablePath} has no commits`);
  const first = commits[0]!;
  const last = commits[commits.length - 1]!;
  if (ts < first.timestamp) {
    throw new VersionNotFoundError(
      `timestamp ${iso(ts)} is before the earliest available version ${first.version} of table ${tablePath} (committed at ${iso(first.timestamp)}); valid timestamps are ${iso(first.timestamp)} … ${iso(last.timestamp)}`,
    );
  }
  if (ts > last.timestamp) {
    throw new VersionNotFoundError(
      `timestamp ${iso(ts)} is after the latest version ${last.version} of table ${tablePath} (committed at ${iso(last.timestamp)}); valid timestamps are ${iso(first.timestamp)} … ${iso(last.timestamp)}`,
    );
  }
  // Binary search for the last commit with timestamp ≤ ts.
  let lo = 0;
  let hi = commits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (commits[mid]!.timestamp <= ts) lo = mid;
    else hi = mid - 1;
  }
  return commits[lo]!.version;
}

/** Resolves a timestamp to a version of the table in `storage`. */
export async function versionAtTimestamp(storage: Storage, ts: number | string | Date): Promise<number> {
  return resolveTimestamp(await commitTimestamps(storage), toEpochMillis(ts), storage.root);
}

/** The monotonised commit timestamp of one version. */
export async function timestampOfVersion(storage: Storage, version: number): Promise<number> {
  const commits = await commitTimestamps(storage);
  const hit = commits.find((c) => c.version === version);
  if (!hit) {
    const range = commits.length ? `${commits[0]!.version}..${commits[commits.length - 1]!.version}` : 'none';
    throw new VersionNotFoundError(
      `version ${version} of table ${storage.root} has no commit file (available: ${range})`,
    );
  }
  return hit.timestamp;
}
