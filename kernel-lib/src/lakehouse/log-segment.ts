/**
 * Which log files make up a table version (PROTOCOL.md "Delta Log Entries",
 * "Checkpoints"): the newest complete checkpoint at or below the version plus
 * the contiguous commits after it. Unknown files, `.crc` files, temp files
 * (leading `.`), `_commits/`, and v2/UUID checkpoints are ignored.
 *
 * Cost model: with a valid `_last_checkpoint` hint the segment is found by
 * probing (`head`) the checkpoint and the commit files after it, so opening a
 * table costs O(commits since the last checkpoint), never O(all commits).
 * Without a usable hint we list `_delta_log`.
 */
import { publishTableAccess } from './access-events.js';
import { type Action, LOG_DIR } from './actions.js';
import { CorruptLogError, TableNotFoundError, VersionNotFoundError } from './errors.js';
import { readLastCheckpointHint } from './last-checkpoint-hint.js';
import type { FileMeta, Storage } from './storage/storage.js';

export type LogFileKind = 'commit' | 'checkpoint';

export interface LogFileName {
  version: number;
  kind: LogFileKind;
  /** 1-based part number of a multi-part checkpoint. */
  part?: number;
  numParts?: number;
}

export interface LogFile extends LogFileName, FileMeta {}

export interface CheckpointFiles {
  version: number;
  /** One file (classic) or all parts in order (multi-part). */
  files: FileMeta[];
}

export interface LogSegment {
  /** The version this segment reconstructs. */
  version: number;
  checkpoint?: CheckpointFiles;
  /** Commits after the checkpoint (or from 0), ascending, up to `version`. */
  commits: LogFile[];
  /** Modification time of the file that defines `version` (its commit, else its checkpoint). */
  lastModified: number;
}

const COMMIT_RE = /^(\d{20})\.json$/;
const CHECKPOINT_RE = /^(\d{20})\.checkpoint\.parquet$/;
const MULTIPART_RE = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;

/** How many commit files past a stale hint we probe before listing instead. */
const MAX_PROBE = 64;

export function pad20(v: number): string {
  return String(v).padStart(20, '0');
}

export function commitPath(version: number): string {
  return `${LOG_DIR}/${pad20(version)}.json`;
}

export function checkpointPath(version: number): string {
  return `${LOG_DIR}/${pad20(version)}.checkpoint.parquet`;
}

export function multipartCheckpointPath(version: number, part: number, numParts: number): string {
  return `${LOG_DIR}/${pad20(version)}.checkpoint.${String(part).padStart(10, '0')}.${String(numParts).padStart(10, '0')}.parquet`;
}

/** Parses a `_delta_log` file name (no directory); undefined for anything that is not a commit or classic checkpoint. */
export function parseLogFileName(name: string): LogFileName | undefined {
  let m = COMMIT_RE.exec(name);
  if (m) return { version: Number(m[1]), kind: 'commit' };
  m = CHECKPOINT_RE.exec(name);
  if (m) return { version: Number(m[1]), kind: 'checkpoint' };
  m = MULTIPART_RE.exec(name);
  if (m) {
    const part = Number(m[2]);
    const numParts = Number(m[3]);
    if (part >= 1 && part <= numParts) return { version: Number(m[1]), kind: 'checkpoint', part, numParts };
  }
  return undefined;
}

/** Lists and parses the log directory (commits and checkpoints only), sorted by version. */
export async function listLog(storage: Storage): Promise<LogFile[]> {
  const out: LogFile[] = [];
  for (const meta of await storage.list(LOG_DIR)) {
    const name = meta.path.slice(meta.path.lastIndexOf('/') + 1);
    if (name.startsWith('.')) continue;
    const parsed = parseLogFileName(name);
    if (parsed) out.push({ ...meta, ...parsed });
  }
  return out.sort((a, b) => a.version - b.version || (a.part ?? 0) - (b.part ?? 0));
}

/** Groups checkpoint files by version and keeps the complete ones (all parts of one numParts present). */
export function completeCheckpoints(files: LogFile[]): CheckpointFiles[] {
  const byVersion = new Map<number, LogFile[]>();
  for (const f of files) {
    if (f.kind !== 'checkpoint') continue;
    const list = byVersion.get(f.version) ?? [];
    list.push(f);
    byVersion.set(f.version, list);
  }
  const out: CheckpointFiles[] = [];
  for (const [version, list] of byVersion) {
    const classic = list.find((f) => f.numParts === undefined);
    if (classic) {
      out.push({ version, files: [strip(classic)] });
      continue;
    }
    // Several writers may have produced multi-part checkpoints with different part counts.
    const byN = new Map<number, LogFile[]>();
    for (const f of list) byN.set(f.numParts!, [...(byN.get(f.numParts!) ?? []), f]);
    for (const [n, parts] of byN) {
      const distinct = new Map(parts.map((p) => [p.part!, p]));
      if (distinct.size === n) {
        out.push({ version, files: [...distinct.values()].sort((a, b) => a.part! - b.part!).map(strip) });
        break;
      }
    }
  }
  return out.sort((a, b) => a.version - b.version);
}

function strip(f: FileMeta): FileMeta {
  return { path: f.path, size: f.size, modificationTime: f.modificationTime };
}

/** The latest committed version (throws `TableNotFoundError` if the table has none). */
export async function latestVersion(storage: Storage): Promise<number> {
  return (await buildLogSegment(storage)).version;
}

/**
 * Finds the files that reconstruct `version` (default: latest).
 * Throws `TableNotFoundError`, `VersionNotFoundError` or `CorruptLogError`.
 */
export async function buildLogSegment(storage: Storage, version?: number): Promise<LogSegment> {
  const segment = await findLogSegment(storage, version);
  publishTableAccess({
    table: storage.root,
    version: segment.version,
    kind: 'read',
    timeTravel: version !== undefined,
  });
  return segment;
}

async function findLogSegment(storage: Storage, version?: number): Promise<LogSegment> {
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
    throw new VersionNotFoundError(`invalid version ${version} for table ${storage.root}: versions are integers ≥ 0`);
  }
  const fast = await segmentFromHint(storage, version);
  if (fast) return fast;
  try {
    return segmentFromListing(storage, await listLog(storage), version);
  } catch (e) {
    // A directory listing taken while writers commit may show version N+1 but not N
    // (entries created during readdir may or may not appear). A real hole survives a
    // second listing; a race does not.
    if (!(e instanceof CorruptLogError)) throw e;
    return segmentFromListing(storage, await listLog(storage), version);
  }
}

/** Fast path: trust-but-verify `_last_checkpoint`, then probe commits after it. */
async function segmentFromHint(storage: Storage, target?: number): Promise<LogSegment | undefined> {
  const hint = await readLastCheckpointHint(storage);
  if (!hint) return undefined;
  if (target !== undefined && target < hint.version) return undefined;
  const files: FileMeta[] = [];
  if (hint.parts && hint.parts > 1) {
    for (let p = 1; p <= hint.parts; p++) {
      const meta = await storage.head(multipartCheckpointPath(hint.version, p, hint.parts));
      if (!meta) return undefined;
      files.push(meta);
    }
  } else {
    const meta = await storage.head(checkpointPath(hint.version));
    if (!meta) return undefined;
    files.push(meta);
  }
  const commits: LogFile[] = [];
  let v = hint.version + 1;
  while (target === undefined || v <= target) {
    if (commits.length >= MAX_PROBE) return undefined; // stale hint: a listing finds the newer checkpoint
    let meta = await storage.head(commitPath(v));
    if (!meta) {
      // One extra probe catches a hole right after the end (listing would report it too).
      if (target === undefined && (await storage.head(commitPath(v + 1)))) {
        // A concurrent writer may have committed v and v+1 between our two probes:
        // only a v that is still absent now that v+1 exists is a real hole.
        meta = await storage.head(commitPath(v));
        if (meta) {
          commits.push({ ...meta, version: v, kind: 'commit' });
          v++;
          continue;
        }
        throw new CorruptLogError(
          `log of table ${storage.root} is not contiguous: ${commitPath(v)} is missing (found ${commitPath(v + 1)})`,
        );
      }
      break;
    }
    commits.push({ ...meta, version: v, kind: 'commit' });
    v++;
  }
  const reached = commits.length ? commits[commits.length - 1]!.version : hint.version;
  if (target !== undefined && reached < target) {
    throw new VersionNotFoundError(
      `version ${target} of table ${storage.root} does not exist: the latest version is ${reached}`,
    );
  }
  const own = commits.length ? undefined : await storage.head(commitPath(hint.version));
  return {
    version: reached,
    checkpoint: { version: hint.version, files },
    commits,
    lastModified: commits.length
      ? commits[commits.length - 1]!.modificationTime
      : (own?.modificationTime ?? files[0]!.modificationTime),
  };
}

/** Builds a segment from a full listing of `_delta_log`. */
export function segmentFromListing(storage: Storage, files: LogFile[], target?: number): LogSegment {
  const commits = files.filter((f) => f.kind === 'commit');
  const checkpoints = completeCheckpoints(files);
  if (commits.length === 0 && checkpoints.length === 0) {
    throw new TableNotFoundError(`${storage.root} is not a Delta table: no commits in ${LOG_DIR}/`);
  }
  const maxVersion = Math.max(commits.at(-1)?.version ?? -1, checkpoints.at(-1)?.version ?? -1);
  const version = target ?? maxVersion;
  if (version > maxVersion) {
    throw new VersionNotFoundError(
      `version ${version} of table ${storage.root} does not exist: the latest version is ${maxVersion}`,
    );
  }
  const cp = checkpoints.filter((c) => c.version <= version).at(-1);
  const start = cp ? cp.version + 1 : 0;
  const segment = commits.filter((c) => c.version >= start && c.version <= version);
  if (!cp) {
    const earliest = commits[0]?.version ?? 0;
    if (earliest > 0) {
      if (target !== undefined) {
        throw new VersionNotFoundError(
          `version ${version} of table ${storage.root} cannot be reconstructed: the log starts at version ${earliest} and has no checkpoint at or before ${version}`,
        );
      }
      throw new CorruptLogError(
        `log of table ${storage.root} starts at version ${earliest} without a checkpoint: versions 0..${earliest - 1} are missing`,
      );
    }
  }
  let expected = start;
  for (const c of segment) {
    if (c.version !== expected) {
      throw new CorruptLogError(
        `log of table ${storage.root} is not contiguous: ${commitPath(expected)} is missing (found ${commitPath(c.version)})`,
      );
    }
    expected++;
  }
  if (expected <= version) {
    throw new CorruptLogError(`log of table ${storage.root} is missing ${commitPath(expected)}`);
  }
  const last = segment.at(-1);
  const own = commits.find((c) => c.version === version);
  return {
    version,
    ...(cp ? { checkpoint: cp } : {}),
    commits: segment,
    lastModified: last?.modificationTime ?? own?.modificationTime ?? cp!.files[0]!.modificationTime,
  };
}

/** Reads one commit file into its actions. */
export async function readCommit(storage: Storage, version: number): Promise<Action[]> {
  const path = commitPath(version);
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(path);
  } catch (e) {
    if ((e as Error).name === 'StorageNotFoundError') {
      throw new VersionNotFoundError(`commit ${path} of table ${storage.root} does not exist`);
    }
    throw e;
  }
  return parseCommit(new TextDecoder().decode(bytes), `${storage.root}/${path}`);
}

/**
 * Reads several commits with bounded concurrency (a log without checkpoints can
 * have thousands of commits; opening them all at once exhausts file handles).
 * Results are in the order of `versions`.
 */
export async function readCommits(storage: Storage, versions: number[], concurrency = 32): Promise<Action[][]> {
  const out: Action[][] = new Array(versions.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < versions.length) {
      const i = next++;
      out[i] = await readCommit(storage, versions[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, versions.length) }, worker));
  return out;
}

/**
 * Parses newline-delimited JSON actions. Blank lines are skipped; any line
 * that is not a JSON object (e.g. a truncated final line) is corruption.
 */
export function parseCommit(text: string, file: string): Action[] {
  const actions: Action[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new CorruptLogError(`${file} line ${i + 1} is not valid JSON (${(e as Error).message})`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new CorruptLogError(`${file} line ${i + 1} is not a JSON object`);
    }
    actions.push(obj as Action);
  }
  return actions;
}
