/**
 * Where copy-on-write DML puts the rows it rewrites: rows are collected file
 * by file, and whenever enough are pending a write starts (Parquet encoding on
 * the worker pool) while the operation goes on reading and classifying the
 * next files, so a rewrite costs about max(read, write) instead of their sum.
 * Small rewrites still end up in few files: nothing is written before
 * `FLUSH_BYTES` are pending, or `finish`. If the operation fails before it
 * commits, `abort` deletes what was already written.
 */
import type * as arrow from 'apache-arrow';
import type { WrittenFiles } from '../data-files.js';
import { arrowByteSize } from '../parquet-write.js';
import type { Snapshot } from '../snapshot.js';
import type { Storage } from '../storage/storage.js';
import { concatRows, writeRows } from './files.js';

/** Pending Arrow bytes that start a write: about half a default-size data file. */
const FLUSH_BYTES = 64 * 1024 * 1024;

export class RowSink {
  private pending: arrow.Table[] = [];
  private pendingBytes = 0;
  private readonly writes: Promise<WrittenFiles>[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly snap: Snapshot,
  ) {}

  /** Rows (table schema) to write; may start a write. */
  add(...tables: (arrow.Table | undefined)[]): void {
    for (const t of tables) {
      if (!t || t.numRows === 0) continue;
      this.pending.push(t);
      this.pendingBytes += arrowByteSize(t);
    }
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Writes what is pending and waits for every write: the files written, together. */
  async finish(): Promise<WrittenFiles> {
    this.flush();
    const all = await Promise.all(this.writes);
    return {
      adds: all.flatMap((w) => w.adds),
      numOutputRows: all.reduce((a, w) => a + w.numOutputRows, 0),
      numOutputBytes: all.reduce((a, w) => a + w.numOutputBytes, 0),
    };
  }

  /** The operation failed: deletes the files already written (none of them was committed). */
  async abort(): Promise<void> {
    this.pending = [];
    const done = await Promise.allSettled(this.writes);
    for (const r of done) {
      if (r.status !== 'fulfilled') continue;
      await Promise.all(r.value.adds.map((a) => this.storage.delete(decodeURI(a.path)).catch(() => undefined)));
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const rows = concatRows(this.snap.schema, this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const w = writeRows(this.storage, this.snap, rows);
    w.catch(() => undefined); // reported by finish(), or moot after abort()
    this.writes.push(w);
  }
}
