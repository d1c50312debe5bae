/**
 * OPTIMIZE [WHERE partition-predicate] [ZORDER BY (cols)] (Spark's
 * OptimizeTableCommand): compaction that changes no data, so every add and
 * remove has `dataChange: false` and concurrent appends never conflict with it.
 * - Bin-packing: per partition, files smaller than the target size are
 *   packed greedily into bins of at most the target size; each bin of two or
 *   more files (or one file with deletion vectors, whose deleted rows it
 *   purges) becomes one new file.
 * - Z-order: every file of each selected partition is rewritten with its
 *   rows sorted along a Z-order curve over the given columns (bits of each
 *   column's rank interleaved), so files get tight min/max ranges on all of
 *   them at once and data skipping works for filters on any of them.
 */
import type * as arrow from 'apache-arrow';
import type { AddFile } from './actions.js';
import { commitDml, type DmlResult, dryRunResult } from './dml/commit-dml.js';
import {
  assertDmlAllowed,
  bindWhere,
  concatRows,
  fileStats,
  mapFiles,
  onlyPartitionColumns,
  partitionMatch,
  sumSizes,
  writeRows,
} from './dml/files.js';
import { ExpressionError, InvalidArgumentError } from './errors.js';
import { compareScalars, scalarReader } from './expr.js';
import type { Snapshot } from './snapshot.js';
import type { Storage } from './storage/storage.js';
import { takeRows } from './take.js';

export interface OptimizeOptions {
  /** Partition predicate: only these partitions are compacted (Spark allows partition columns only). */
  where?: string;
  /** Target file size in bytes (default: `delta.targetFileSize`, else 128 MiB). */
  targetSize?: number;
  /** Cluster rows by these columns (Z-order). */
  zOrderBy?: string[];
  maxRetries?: number;
  /** Report the files that would be compacted; write and commit nothing. */
  dryRun?: boolean;
}

const DEFAULT_TARGET = 128 * 1024 * 1024;

export async function optimizeTable(storage: Storage, snap: Snapshot, opts: OptimizeOptions = {}): Promise<DmlResult> {
  assertDmlAllowed(snap, 'OPTIMIZE');
  const bound = bindWhere(opts.where, snap.schema);
  if (bound && !onlyPartitionColumns(snap, bound)) {
    throw new InvalidArgumentError(
      `OPTIMIZE of ${snap.tablePath}: the WHERE may only use partition columns (${snap.partitionColumns.join(', ') || 'the table has none'})`,
    );
  }
  const zOrder = (opts.zOrderBy ?? []).map((c) => zColumn(snap, c));
  const configured = Number(snap.metadata.configuration?.['delta.targetFileSize']);
  const target = opts.targetSize ?? (configured > 0 ? configured : DEFAULT_TARGET);
  if (!(target > 0)) throw new InvalidArgumentError(`OPTIMIZE: targetSize must be a positive number of bytes`);

  const selected = snap.files.filter((f) => !bound || partitionMatch(snap, bound, f) === true);
  const byPartition = new Map<string, AddFile[]>();
  const stats = fileStats(snap);
  for (const f of selected) {
    const values = stats(f);
    const key = JSON.stringify(
      snap.partitionColumns.map((c) => values.get(c)?.min ?? null),
      (_k, v) => (typeof v === 'bigint' ? String(v) : v),
    );
    byPartition.set(key, [...(byPartition.get(key) ?? []), f]);
  }
  const bins: AddFile[][] = [];
  for (const files of byPartition.values()) {
    if (zOrder.length > 0) bins.push(files);
    else bins.push(...binPack(files, target));
  }
  const parameters = {
    predicate: opts.where ? [opts.where] : [],
    zOrderBy: zOrder.map((z) => z.name),
    clusterBy: [],
    auto: false,
  };
  const removes = bins.flat();
  if (removes.length === 0) {
    return {
      version: undefined,
      operation: 'OPTIMIZE',
      metrics: { numRemovedFiles: 0, numAddedFiles: 0 },
      attempts: 0,
      skipped: 'no changes',
    };
  }
  if (opts.dryRun) {
    return dryRunResult('OPTIMIZE', { numRemovedFiles: removes.length, numRemovedBytes: sumSizes(removes) });
  }
  const tables = await mapFiles(snap, storage, removes, (_add, rows) => rows);
  let rows = concatRows(snap.schema, tables);
  if (zOrder.length > 0) rows = zOrderSort(rows, zOrder);
  const written = await writeRows(storage, snap, rows, target);
  const sizes = written.adds.map((a) => a.size).sort((a, b) => a - b);
  const pct = (p: number) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))] ?? 0;
  return commitDml(storage, snap, {
    operation: 'OPTIMIZE',
    parameters,
    metrics: {
      numRemovedFiles: removes.length,
      numRemovedBytes: sumSizes(removes),
      p25FileSize: pct(0.25),
      numDeletionVectorsRemoved: removes.filter((f) => f.deletionVector).length,
      minFileSize: sizes[0] ?? 0,
      numAddedFiles: written.adds.length,
      maxFileSize: sizes[sizes.length - 1] ?? 0,
      p75FileSize: pct(0.75),
      p50FileSize: pct(0.5),
      numAddedBytes: written.numOutputBytes,
    },
    read: { files: removes, predicate: () => false },
    removes,
    adds: written.adds,
    dataChange: false,
    ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}),
  });
}

/** Greedy bins of small files up to `target` bytes; only bins worth rewriting are returned. */
function binPack(files: AddFile[], target: number): AddFile[][] {
  const small = files.filter((f) => f.size < target).sort((a, b) => a.size - b.size);
  const bins: AddFile[][] = [];
  let bin: AddFile[] = [];
  let size = 0;
  for (const f of small) {
    if (bin.length > 0 && size + f.size > target) {
      bins.push(bin);
      bin = [];
      size = 0;
    }
    bin.push(f);
    size += f.size;
  }
  if (bin.length) bins.push(bin);
  const withDv = files.filter((f) => f.size >= target && f.deletionVector).map((f) => [f]);
  return [...bins.filter((b) => b.length > 1 || b[0]!.deletionVector), ...withDv];
}

interface ZColumn {
  name: string;
  index: number;
  type: import('./schema.js').DeltaType;
}

function zColumn(snap: Snapshot, name: string): ZColumn {
  const index = snap.schema.fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
  const f = snap.schema.fields[index];
  if (!f) {
    throw new ExpressionError(
      `OPTIMIZE ZORDER BY: no column ${JSON.stringify(name)} in ${snap.tablePath} (columns: ${snap.schema.fields.map((x) => x.name).join(', ')})`,
    );
  }
  if (snap.partitionColumns.includes(f.name)) {
    throw new InvalidArgumentError(`OPTIMIZE ZORDER BY: ${f.name} is a partition column; Z-order by data columns`);
  }
  if (typeof f.type !== 'string') throw new InvalidArgumentError(`OPTIMIZE ZORDER BY: ${f.name} has a nested type`);
  return { name: f.name, index, type: f.type };
}

/** Rows sorted by the interleaved bits of each column's rank (NULLs first), like Spark's range-id Z-order. */
export function zOrderSort(rows: arrow.Table, cols: ZColumn[]): arrow.Table {
  const n = rows.numRows;
  if (n < 2) return rows;
  const bits = Math.max(1, Math.min(Math.floor(52 / cols.length), Math.ceil(Math.log2(n + 1))));
  const scale = 2 ** bits;
  const ranks = cols.map((c) => {
    const read = scalarReader(rows.getChildAt(c.index)!, c.type);
    const values = Array.from({ length: n }, (_, i) => read(i));
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const x = values[a]!;
      const y = values[b]!;
      if (x === null || y === null) return x === null ? (y === null ? 0 : -1) : 1;
      return compareScalars(x, y);
    });
    const rank = new Float64Array(n);
    order.forEach((row, r) => {
      rank[row] = Math.floor((r * scale) / n);
    });
    return rank;
  });
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let b = bits - 1; b >= 0; b--) {
      for (const rank of ranks) v = v * 2 + (Math.floor(rank[i]! / 2 ** b) % 2);
    }
    z[i] = v;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => z[a]! - z[b]!);
  return takeRows(rows, order);
}
