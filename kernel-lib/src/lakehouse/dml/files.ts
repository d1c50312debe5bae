/**
 * What DELETE, UPDATE and MERGE share: choosing the files a predicate may
 * touch (partition values and stats, `expr.ts`), reading one file's rows in
 * the table schema (through `scan`, so partition columns are materialised and
 * types normalised exactly as a read sees them), evaluating a filter per row,
 * and writing the rewritten rows as new data files of the table.
 */
import * as arrow from 'apache-arrow';
import type { AddFile, FileStats } from '../actions.js';
import { writeDataFiles, type WrittenFiles } from '../data-files.js';
import { InvalidArgumentError } from '../errors.js';
import {
  type BoundExpr,
  bindExpr,
  boundColumns,
  type ColumnStats,
  type Expr,
  evalRow,
  mayMatchFile,
  parseExpr,
  type ScalarReader,
  scalarReader,
} from '../expr.js';
import { assertWriteSupported, isAppendOnly } from '../features.js';
import { parquetConcurrency } from '../parquet-write.js';
import { logicalStats, scan } from '../scan.js';
import { columnMappingMode, logColumnView, writeMappingMode } from '../column-mapping.js';
import { deltaToArrow, type StructType } from '../schema.js';
import type { Snapshot } from '../snapshot.js';
import type { Storage } from '../storage/storage.js';

/** Refuses DML on tables this writer cannot change safely (unknown features, append-only). */
export function assertDmlAllowed(snap: Snapshot, operation: string): void {
  assertWriteSupported(snap.protocol, snap.metadata, snap.tablePath);
  if (isAppendOnly(snap.metadata)) {
    throw new InvalidArgumentError(
      `cannot ${operation} table ${snap.tablePath}: it is append-only (delta.appendOnly=true) and allows only appends`,
    );
  }
}

/** Parses and binds a WHERE filter; undefined for none (every row). */
export function bindWhere(where: string | Expr | undefined, schema: StructType): BoundExpr | undefined {
  if (where === undefined || (typeof where === 'string' && where.trim() === '')) return undefined;
  return bindExpr(typeof where === 'string' ? parseExpr(where) : where, schema);
}

/**
 * A file's partition values and column stats under the schema's logical names,
 * as the scan sees them (column mapping: the log's names are physical; widened
 * columns: old files' bounds are in the old type, so they are not used).
 */
export function fileStats(snap: Snapshot): (add: AddFile) => Map<string, ColumnStats> {
  const view = logColumnView(snap.schema, snap.partitionColumns, columnMappingMode(snap.protocol, snap.metadata));
  return (add) => logicalStats(add, view);
}

/** A file-level test: may the file hold a row matching `bound`? */
export function fileMayMatch(snap: Snapshot, bound: BoundExpr | undefined): (add: AddFile) => boolean {
  if (!bound) return () => true;
  const stats = fileStats(snap);
  return (add) => mayMatchFile(bound, stats(add));
}

/** True when the filter only reads partition columns, so whole files match or not. */
export function onlyPartitionColumns(snap: Snapshot, bound: BoundExpr): boolean {
  return boundColumns(bound).every((c) => snap.partitionColumns.includes(c));
}

/** Evaluates a partition-only filter on a file's partition values (a one-row table). */
export function partitionMatch(snap: Snapshot, bound: BoundExpr, add: AddFile): boolean | null {
  const stats = fileStats(snap)(add);
  const readers = new Map<string, ScalarReader>();
  for (const c of boundColumns(bound)) {
    const s = stats.get(c);
    const v = s?.min ?? null;
    readers.set(c, () => v);
  }
  return evalRow(bound, readers, 0);
}

/** One file's rows in the table schema (partition columns included), or only `columns` of them. */
export function readFileRows(snap: Snapshot, storage: Storage, add: AddFile, columns?: string[]): Promise<arrow.Table> {
  return scan(withFiles(snap, [add]), storage, columns ? { columns } : {});
}

/** The same snapshot restricted to `files` (its getter-based `files` replaced by a plain list). */
export function withFiles(snap: Snapshot, files: AddFile[]): Snapshot {
  return { ...snap, files };
}

/**
 * Runs `work` on each file's rows (all columns, or only `columns`) with up to
 * `parquetConcurrency()` files read ahead, in file order; results come back in
 * the same order.
 */
export async function mapFiles<T>(
  snap: Snapshot,
  storage: Storage,
  files: AddFile[],
  work: (add: AddFile, rows: arrow.Table) => T | Promise<T>,
  columns?: string[],
): Promise<T[]> {
  const ahead = Math.max(1, parquetConcurrency());
  const reads: Promise<arrow.Table>[] = [];
  const out: T[] = [];
  for (let i = 0; i < files.length; i++) {
    while (reads.length < Math.min(files.length, i + ahead)) {
      const p = readFileRows(snap, storage, files[reads.length]!, columns);
      p.catch(() => undefined);
      reads.push(p);
    }
    out.push(await work(files[i]!, await reads[i]!));
  }
  return out;
}

/** Per-row result of a filter: 1 where it is TRUE (NULL and FALSE do not match). `rows` may hold only some columns. */
export function matchRows(rows: arrow.Table, bound: BoundExpr | undefined, schema: StructType): Uint8Array {
  const out = new Uint8Array(rows.numRows);
  if (!bound) return out.fill(1);
  const readers = new Map<string, ScalarReader>();
  for (const name of boundColumns(bound)) {
    const type = schema.fields.find((f) => f.name === name)!.type;
    readers.set(name, scalarReader(rows.getChild(name)!, type));
  }
  for (let i = 0; i < rows.numRows; i++) if (evalRow(bound, readers, i) === true) out[i] = 1;
  return out;
}

/** Row numbers where `flags[i] === want`. */
export function rowsWhere(flags: Uint8Array, want: number): Int32Array {
  let n = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] === want) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] === want) out[k++] = i;
  return out;
}

/** Tables with the same columns as one table with the snapshot's Arrow schema. */
export function concatRows(schema: StructType, tables: arrow.Table[]): arrow.Table {
  const arrowSchema = deltaToArrow(schema);
  const type = new arrow.Struct(arrowSchema.fields);
  const batches: arrow.RecordBatch[] = [];
  for (const t of tables) {
    for (const b of t.batches) {
      if (b.numRows === 0) continue;
      const data = arrow.makeData({ type, length: b.numRows, nullCount: 0, children: b.data.children });
      batches.push(new arrow.RecordBatch(arrowSchema, data));
    }
  }
  return new arrow.Table(arrowSchema, batches);
}

/** Writes rows (table schema, partition columns included) as new data files of the table. */
export async function writeRows(
  storage: Storage,
  snap: Snapshot,
  rows: arrow.Table,
  targetFileSize?: number,
): Promise<WrittenFiles> {
  if (rows.numRows === 0) return { adds: [], numOutputRows: 0, numOutputBytes: 0 };
  const numIndexed = Number(snap.metadata.configuration?.['delta.dataSkippingNumIndexedCols']);
  const target = targetFileSize ?? Number(snap.metadata.configuration?.['delta.targetFileSize']);
  return writeDataFiles(storage, rows, {
    schema: snap.schema,
    columnMapping: writeMappingMode(snap.metadata),
    partitionColumns: snap.partitionColumns,
    ...(Number.isSafeInteger(numIndexed) ? { stats: { numIndexedCols: numIndexed } } : {}),
    ...(Number.isSafeInteger(target) && target > 0 ? { targetFileSize: target } : {}),
  });
}

/** `numRecords` from a file's stats, or undefined. */
export function fileRecordCount(add: AddFile): number | undefined {
  if (!add.stats) return undefined;
  try {
    const n = (JSON.parse(add.stats) as Partial<FileStats>).numRecords;
    return typeof n === 'number' ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Live rows of a file: its record count minus rows its deletion vector removes. */
export function liveRecordCount(add: AddFile): number | undefined {
  const n = fileRecordCount(add);
  return n === undefined ? undefined : n - (add.deletionVector?.cardinality ?? 0);
}

export function sumSizes(files: { size?: number | null }[]): number {
  return files.reduce((a, f) => a + (f.size ?? 0), 0);
}

/** Milliseconds since `t0` (for Spark's `…TimeMs` metrics). */
export function since(t0: number): number {
  return Math.round(performance.now() - t0);
}
