/**
 * Merge-on-read DML (PROTOCOL.md "Deletion Vectors"): on a table with
 * `delta.enableDeletionVectors=true`, DELETE, UPDATE and MERGE do not rewrite
 * a touched file; they mark its removed (or moved) rows in a deletion vector.
 * The file is re-added with the new DV (the union of its old DV and the new
 * rows) and its old (path, DV) pair is removed; a file whose every row is now
 * deleted is removed outright. All DVs of one commit go into one DV file in
 * the portable RoaringBitmap format Spark and delta-rs read.
 *
 * The DML code sees a file's *live* rows (the scan drops rows an existing DV
 * already deletes); DVs name *physical* row positions, so live positions are
 * mapped back through the old DV here.
 */
import type { AddFile, FileStats } from '../actions.js';
import { loadDeletionVector, writeDeletionVectorFile } from '../deletion-vectors/descriptor.js';
import { hasFeature } from '../features.js';
import type { Snapshot } from '../snapshot.js';
import type { Storage } from '../storage/storage.js';

/** Does this table take deletion vectors for DML (the property is on and the protocol has the feature)? */
export function usesDeletionVectors(snap: Snapshot): boolean {
  return (
    snap.metadata.configuration?.['delta.enableDeletionVectors']?.toLowerCase() === 'true' &&
    hasFeature(snap.protocol, 'deletionVectors')
  );
}

/** Spark's DV metrics of one commit (DELETE/UPDATE names; MERGE prefixes them with `numTarget`). */
export interface DvMetrics {
  numDeletionVectorsAdded: number;
  numDeletionVectorsRemoved: number;
  numDeletionVectorsUpdated: number;
}

export interface DvChanges {
  /** Old (path, DV) entries to remove: every marked file. */
  removes: AddFile[];
  /** The same files re-added with their new DV (files with no live row left are not re-added). */
  adds: AddFile[];
  metrics: DvMetrics;
}

interface Marked {
  add: AddFile;
  /** Physical row positions deleted after this commit, ascending. */
  deleted: number[];
  physicalRows: number;
}

/** Collects the rows each touched file loses, then writes their DVs in one file. */
export class DeletionVectorWriter {
  private readonly marked: Marked[] = [];
  private readonly dvFileCache = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly storage: Storage) {}

  get size(): number {
    return this.marked.length;
  }

  /**
   * Marks rows of `add` deleted. `liveRows` are positions among the file's live
   * rows (ascending), `numLive` how many live rows the file had when read.
   */
  async mark(add: AddFile, liveRows: ArrayLike<number>, numLive: number): Promise<void> {
    if (liveRows.length === 0) return;
    const old = add.deletionVector
      ? await loadDeletionVector(this.storage, add.deletionVector, add.path, this.dvFileCache)
      : [];
    const physicalRows = numLive + old.length;
    const fresh = liveToPhysical(liveRows, old);
    this.marked.push({ add, deleted: mergeSorted(old, fresh), physicalRows });
  }

  /** Writes the DV file (when any file keeps live rows) and returns the log changes. */
  async finish(): Promise<DvChanges> {
    const metrics: DvMetrics = {
      numDeletionVectorsAdded: 0,
      numDeletionVectorsRemoved: 0,
      numDeletionVectorsUpdated: 0,
    };
    const partial = this.marked.filter((m) => m.deleted.length < m.physicalRows);
    const descriptors =
      partial.length > 0
        ? await writeDeletionVectorFile(
            this.storage,
            partial.map((m) => m.deleted),
          )
        : [];
    const adds = partial.map((m, i) => ({
      ...m.add,
      dataChange: true,
      deletionVector: descriptors[i]!,
      stats: looseStats(m.add.stats),
    }));
    for (const m of this.marked) {
      const keeps = m.deleted.length < m.physicalRows;
      if (keeps) metrics.numDeletionVectorsAdded++;
      if (m.add.deletionVector) {
        metrics.numDeletionVectorsRemoved++;
        if (keeps) metrics.numDeletionVectorsUpdated++;
      }
    }
    return { removes: this.marked.map((m) => m.add), adds, metrics };
  }
}

/** Physical positions of live rows `live` (ascending) in a file whose DV deletes `old` (ascending). */
export function liveToPhysical(live: ArrayLike<number>, old: readonly number[]): number[] {
  const out = new Array<number>(live.length);
  let skipped = 0; // deleted rows at or before the current physical position
  for (let i = 0; i < live.length; i++) {
    let p = live[i]! + skipped;
    while (skipped < old.length && old[skipped]! <= p) {
      skipped++;
      p++;
    }
    out[i] = p;
  }
  return out;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** Stats of a file with a DV: the bounds still hold but may no longer be tight (numRecords stays physical). */
function looseStats(stats: string | null | undefined): string | null | undefined {
  if (!stats) return stats;
  try {
    return JSON.stringify({ ...(JSON.parse(stats) as FileStats), tightBounds: false });
  } catch {
    return stats;
  }
}
