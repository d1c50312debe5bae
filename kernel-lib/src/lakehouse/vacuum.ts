/**
 * VACUUM (Spark's VacuumCommand): deletes the files in the table directory
 * that no version within the retention period needs:
 * - kept: every live file of the latest version, every file removed less
 *   than `retentionHours` ago (time travel to the versions in the retention
 *   window still reads it), and exactly the deletion-vector files their
 *   (path, DV) entries name;
 * - never touched: `_delta_log/` and other names starting with `_` or `.`,
 *   and any file modified within the retention period (a write in flight has
 *   not committed its files yet);
 * - everything else under the table root (old data files, orphans of failed
 *   writes) is deleted, or only listed with `dryRun`.
 * A retention below the table's `delta.deletedFileRetentionDuration` (default
 * 168 h) is refused unless forced, as Spark's retentionDurationCheck does:
 * it can break concurrent readers and time travel. A table with the
 * `vacuumProtocolCheck` feature is vacuumed only if this writer supports its
 * whole protocol (reader and writer features), which it checks first.
 */
import type { AddFile, RemoveFile } from './actions.js';
import { loadCheckpoint } from './checkpoint-read.js';
import { InvalidArgumentError } from './errors.js';
import { dvFilePath } from './deletion-vectors/descriptor.js';
import { assertReadSupported, assertWriteSupported } from './features.js';
import { listLog, readCommits } from './log-segment.js';
import { dataFilePath } from './scan.js';
import type { Snapshot } from './snapshot.js';
import type { Storage } from './storage/storage.js';

export interface VacuumOptions {
  /** Files removed longer ago than this are deleted (default: the table's retention, 168 h). */
  retentionHours?: number;
  /** Only report what would be deleted. */
  dryRun?: boolean;
  /** Allow a retention below the table's minimum (Spark: retentionDurationCheck.enabled=false). */
  force?: boolean;
  /** The clock (epoch ms) — tests pass a later time instead of waiting a week. */
  now?: number;
}

export interface VacuumResult {
  dryRun: boolean;
  retentionHours: number;
  /** Paths (relative to the table) deleted, or that would be with dryRun. */
  files: string[];
  numDeletedFiles: number;
  /** Bytes those files hold. */
  sizeInBytes: number;
}

const HOUR_MS = 3_600_000;

export async function vacuumTable(storage: Storage, snap: Snapshot, opts: VacuumOptions = {}): Promise<VacuumResult> {
  const minHours = tableRetentionHours(snap);
  const retentionHours = opts.retentionHours ?? minHours;
  if (!(retentionHours >= 0)) {
    throw new InvalidArgumentError(`VACUUM of ${snap.tablePath}: retentionHours must be a number ≥ 0`);
  }
  if (retentionHours < minHours && !opts.force) {
    throw new InvalidArgumentError(
      `VACUUM of ${snap.tablePath}: a retention of ${retentionHours} h is below the table's minimum of ${minHours} h ` +
        '(delta.deletedFileRetentionDuration). Readers and writers still using older versions could lose files; ' +
        'pass force (CLI: --force) if no operation is running on this table.',
    );
  }
  const features = [...(snap.protocol.readerFeatures ?? []), ...(snap.protocol.writerFeatures ?? [])];
  assertWriteSupported(snap.protocol, snap.metadata, snap.tablePath);
  if (features.includes('vacuumProtocolCheck')) assertReadSupported(snap.protocol, snap.tablePath, snap.metadata);

  const now = opts.now ?? Date.now();
  const cutoff = now - retentionHours * HOUR_MS;
  const keep = new Set<string>();
  const keepFile = (f: Pick<AddFile, 'path' | 'deletionVector'>) => {
    try {
      keep.add(dataFilePath(storage, f as AddFile));
      // The DV file a kept (path, DV) entry needs; a DV file no kept entry names is garbage like any old file.
      const dv = f.deletionVector ? dvFilePath(storage, f.deletionVector) : undefined;
      if (dv !== undefined) keep.add(dv);
    } catch {
      // A path outside the table (absolute elsewhere) is never ours to delete.
    }
  };
  for (const f of snap.files) keepFile(f);
  for (const r of await tombstones(storage, snap)) if ((r.deletionTimestamp ?? 0) >= cutoff) keepFile(r);

  const files: string[] = [];
  let sizeInBytes = 0;
  for (const meta of await storage.listRecursive('')) {
    if (meta.path.split('/').some((seg) => seg.startsWith('_') || seg.startsWith('.'))) continue;
    if (keep.has(meta.path) || meta.modificationTime >= cutoff) continue;
    files.push(meta.path);
    sizeInBytes += meta.size;
  }
  if (!opts.dryRun) await Promise.all(files.map((p) => storage.delete(p)));
  return { dryRun: opts.dryRun === true, retentionHours, files, numDeletedFiles: files.length, sizeInBytes };
}

/** Every remove action in the log (all commits, and the checkpoint's tombstones). */
async function tombstones(storage: Storage, snap: Snapshot): Promise<RemoveFile[]> {
  const out: RemoveFile[] = [];
  if (snap.segment.checkpoint) {
    const cp = await loadCheckpoint(storage, snap.segment.checkpoint);
    for (const a of cp.fileActions()) if (a.remove) out.push(a.remove);
  }
  const versions = (await listLog(storage)).filter((f) => f.kind === 'commit' && f.version <= snap.version);
  for (const actions of await readCommits(
    storage,
    versions.map((f) => f.version),
  )) {
    for (const a of actions) if (a.remove) out.push(a.remove);
  }
  return out;
}

/** `delta.deletedFileRetentionDuration` (`interval 7 days`, `168 hours`, …) in hours; default 168. */
export function tableRetentionHours(snap: Snapshot): number {
  const raw = snap.metadata.configuration?.['delta.deletedFileRetentionDuration'];
  if (!raw) return 168;
  const m = /^\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week)s?\s*$/i.exec(raw);
  if (!m) return 168;
  const perHour: Record<string, number> = { second: 1 / 3600, minute: 1 / 60, hour: 1, day: 24, week: 168 };
  return Number(m[1]) * perHour[m[2]!.toLowerCase()]!;
}
