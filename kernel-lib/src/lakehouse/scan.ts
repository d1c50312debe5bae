/**
 * Reading a snapshot's rows into an Arrow table:
 *   1. prune files with the predicate against partition values and stats
 *      (`expr.ts`, conservative),
 *   2. read each surviving Parquet file (parquet-wasm → Arrow IPC → apache-arrow;
 *      large files decode on worker threads, several at a time: `parquet-read.ts`),
 *   3. normalise every column to the Delta schema's Arrow type (timestamps of
 *      any unit → µs UTC, decimals rescaled exactly, ints widened/narrowed,
 *      nested types re-labelled, columns missing after schema evolution → nulls),
 *      and materialise partition columns from `add.partitionValues`,
 *   4. filter rows (three-valued SQL logic) by zero-copy slicing of matching runs,
 *   5. project and limit.
 */
import * as arrow from 'apache-arrow';
import type { AddFile } from './actions.js';
import { DataFileError, ExpressionError, InvalidArgumentError } from './errors.js';
import { castData, constantData, nullData } from './scan-cast.js';
import {
  type BoundExpr,
  bindExpr,
  type ColumnStats,
  boundColumns,
  type Expr,
  evalRow,
  fileColumnStats,
  mayMatchFile,
  parseExpr,
  type ScalarReader,
  scalarReader,
} from './expr.js';
import { columnMappingMode, type LogColumnView, logColumnView, toLogicalBatch } from './column-mapping.js';
import { withoutDeletedRows } from './deletion-vectors/apply.js';
import { loadDeletionVector } from './deletion-vectors/descriptor.js';
import { decodeParquet, decodeParquetColumns } from './parquet-read.js';
import { parquetConcurrency } from './parquet-write.js';
import { type PartitionScalar, parsePartitionValue } from './partition.js';
import { deltaToArrow, type StructType } from './schema.js';
import type { Snapshot } from './snapshot.js';
import { LocalStorage } from './storage/local.js';
import type { Storage } from './storage/storage.js';
import { tableRelativePath } from './table-path.js';

export interface ScanOptions {
  /** Columns to return, in this order (default: all, in schema order). */
  columns?: string[];
  /** Row filter: a predicate string (see expr.ts) or a parsed expression. */
  where?: string | Expr;
  /** Maximum number of rows to return. */
  limit?: number;
}

export interface ScanStats {
  /** Live files in the snapshot. */
  filesTotal: number;
  /** Files skipped by partition values or stats. */
  filesPruned: number;
  /** Files actually read. */
  filesRead: number;
}

export interface ScanResult {
  table: arrow.Table;
  stats: ScanStats;
}

/** Reads the snapshot's rows. */
export async function scan(snapshot: Snapshot, storage: Storage, opts: ScanOptions = {}): Promise<arrow.Table> {
  return (await scanWithStats(snapshot, storage, opts)).table;
}

/** Like `scan`, also reporting how many files were pruned and read. */
export async function scanWithStats(snapshot: Snapshot, storage: Storage, opts: ScanOptions = {}): Promise<ScanResult> {
  const schema = snapshot.schema;
  const projected = resolveColumns(schema, opts.columns);
  const bound = bindWhere(opts.where, schema);
  const filterCols = bound ? boundColumns(bound) : [];
  const needed = schema.fields.filter((f) => projected.some((p) => p.name === f.name) || filterCols.includes(f.name));
  const workSchema: StructType = { type: 'struct', fields: needed };
  const workArrow = deltaToArrow(workSchema);
  const outArrow = deltaToArrow({ type: 'struct', fields: projected });
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) throw new InvalidArgumentError(`scan limit must be a number ≥ 0, got ${opts.limit}`);

  const stats: ScanStats = { filesTotal: snapshot.files.length, filesPruned: 0, filesRead: 0 };
  const batches: arrow.RecordBatch[] = [];
  let rows = 0;
  const mode = columnMappingMode(snapshot.protocol, snapshot.metadata);
  const logView = logColumnView(schema, snapshot.partitionColumns, mode);
  const dvFiles = new Map<string, Promise<Uint8Array>>();
  const fileColumns = projectedFileColumns(schema, needed, snapshot.partitionColumns, mode);
  const files = prefetchFiles(
    storage,
    snapshot,
    (add) => (bound ? mayMatchFile(bound, logicalStats(add, logView)) : true),
    dvFiles,
    fileColumns,
  );
  for (const next of files) {
    if (rows >= limit) break;
    const { add, table } = next;
    if (!table) {
      stats.filesPruned++;
      continue;
    }
    stats.filesRead++;
    const file = await table;
    // Deletion vectors name rows by their position in the file: count rows across batches.
    let firstRow = 0;
    const cursor = { i: 0 };
    for (const fileBatch of file.table.batches) {
      if (rows >= limit) break;
      const first = firstRow;
      firstRow += fileBatch.numRows;
      if (fileBatch.numRows === 0) continue;
      const raw = mode === 'none' ? fileBatch : toLogicalBatch(fileBatch, schema, mode);
      const batch = normaliseBatch(raw, workSchema, workArrow, add, snapshot, logView);
      const live = file.deleted ? withoutDeletedRows(batch, first, file.deleted, cursor) : [batch];
      const kept = bound ? live.flatMap((b) => filterBatch(b, bound, workSchema)) : live;
      for (const b of kept) {
        if (rows >= limit) break;
        const take = Math.min(b.numRows, limit - rows);
        const sliced = take < b.numRows ? b.slice(0, take) : b;
        batches.push(project(sliced, outArrow));
        rows += take;
      }
    }
  }
  return { table: new arrow.Table(outArrow, batches), stats };
}

/**
 * The snapshot's files in log order, each either pruned (no `table`) or with
 * its read + decode already started. Up to `parquetConcurrency()` surviving
 * files are in flight ahead of the consumer, so their decodes run on the worker
 * pool side by side (one at a time when there is no pool). Results are still
 * consumed in order, so a scan's rows — and which error it reports first — do
 * not depend on timing. Started reads the consumer never reaches (a limit was
 * met, an earlier file failed) are abandoned; their errors are swallowed rather
 * than surfacing as unhandled rejections.
 */
function* prefetchFiles(
  storage: Storage,
  snapshot: Snapshot,
  survives: (add: AddFile) => boolean,
  dvFiles: Map<string, Promise<Uint8Array>>,
  columns: string[] | undefined,
): Generator<{ add: AddFile; table?: Promise<DataFile> }> {
  const ahead = Math.max(1, parquetConcurrency());
  const queue: { add: AddFile; table?: Promise<DataFile> }[] = [];
  let inFlight = 0;
  let i = 0;
  const files = snapshot.files;
  for (;;) {
    while (i < files.length && inFlight < ahead) {
      const add = files[i++]!;
      if (!survives(add)) {
        queue.push({ add });
        continue;
      }
      const table = readDataFile(storage, add, snapshot, dvFiles, columns);
      table.catch(() => {});
      queue.push({ add, table });
      inFlight++;
    }
    const next = queue.shift();
    if (!next) return;
    if (next.table) inFlight--;
    yield next;
  }
}

/**
 * The file columns to decode when a scan needs only some of a table's columns
 * (a projection, a DML predicate): the needed non-partition columns, or
 * undefined to decode whole files — when every column is needed, only
 * partition columns are, a needed column is nested, or column mapping renames
 * them (physical names differ).
 */
function projectedFileColumns(
  schema: StructType,
  needed: StructType['fields'],
  partitionColumns: string[],
  mode: string,
): string[] | undefined {
  if (mode !== 'none' || needed.length >= schema.fields.length) return undefined;
  const data = needed.filter((f) => !partitionColumns.includes(f.name));
  if (data.length === 0 || data.some((f) => typeof f.type !== 'string')) return undefined;
  return data.map((f) => f.name);
}

function resolveColumns(schema: StructType, columns?: string[]): StructType['fields'] {
  if (!columns) return schema.fields;
  return columns.map((c) => {
    const f =
      schema.fields.find((x) => x.name === c) ?? schema.fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
    if (!f) {
      throw new ExpressionError(
        `unknown column '${c}' in projection; the table has: ${schema.fields.map((x) => x.name).join(', ')}`,
      );
    }
    return f;
  });
}

function bindWhere(where: string | Expr | undefined, schema: StructType): BoundExpr | undefined {
  if (where === undefined) return undefined;
  if (typeof where === 'string' && where.trim() === '') return undefined;
  return bindExpr(typeof where === 'string' ? parseExpr(where) : where, schema);
}

/** Resolves `add.path` to a path readable through `storage`, or explains why it cannot be. */
export function dataFilePath(storage: Storage, add: AddFile): string {
  return tableRelativePath(storage, add.path, `data file ${add.path}`);
}

/** A decoded data file and, when it has a deletion vector, the sorted positions of its deleted rows. */
interface DataFile {
  table: arrow.Table;
  deleted?: number[];
}

async function readDataFile(
  storage: Storage,
  add: AddFile,
  snapshot: Snapshot,
  dvFiles: Map<string, Promise<Uint8Array>>,
  columns?: string[],
): Promise<DataFile> {
  const dv = add.deletionVector;
  const deleted = dv ? loadDeletionVector(storage, dv, add.path, dvFiles) : undefined;
  deleted?.catch(() => {}); // reported below, after the data file's own errors
  const table =
    (columns && (await readParquetColumns(storage, add, snapshot, columns))) ??
    (await readParquetFile(storage, add, snapshot));
  return deleted ? { table, deleted: await deleted } : { table };
}

async function readParquetFile(storage: Storage, add: AddFile, snapshot: Snapshot): Promise<arrow.Table> {
  const rel = dataFilePath(storage, add);
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(rel);
  } catch (e) {
    throw unreadable(storage, rel, snapshot, e);
  }
  try {
    // LocalStorage returns a fresh copy of the file, which may be handed to a worker without
    // another copy; other storages might return bytes they keep (a cache, an in-memory fake).
    return await decodeParquet(bytes, storage instanceof LocalStorage);
  } catch (e) {
    throw corrupt(storage, rel, e);
  }
}

/** Some columns of a data file, reading only their byte ranges where the storage allows; undefined if the file lacks one. */
async function readParquetColumns(
  storage: Storage,
  add: AddFile,
  snapshot: Snapshot,
  columns: string[],
): Promise<arrow.Table | undefined> {
  const rel = dataFilePath(storage, add);
  let file: Blob;
  try {
    file = storage.openBlob ? await storage.openBlob(rel) : new Blob([await storage.read(rel)]);
  } catch (e) {
    throw unreadable(storage, rel, snapshot, e);
  }
  try {
    return await decodeParquetColumns(file, columns);
  } catch (e) {
    throw corrupt(storage, rel, e);
  }
}

function unreadable(storage: Storage, rel: string, snapshot: Snapshot, e: unknown): DataFileError {
  if ((e as Error).name === 'StorageNotFoundError') {
    return new DataFileError(
      `data file ${rel} of table ${storage.root} (version ${snapshot.version}) is missing: the log references it but it does not exist`,
      { cause: e },
    );
  }
  return new DataFileError(`data file ${rel} of table ${storage.root} cannot be read: ${(e as Error).message}`, {
    cause: e,
  });
}

function corrupt(storage: Storage, rel: string, e: unknown): DataFileError {
  return new DataFileError(
    `data file ${rel} of table ${storage.root} is not a readable Parquet file (truncated or corrupt): ${String(e)}`,
    { cause: e },
  );
}

/** Builds a batch with exactly the work schema's columns and types. */
function normaliseBatch(
  raw: arrow.RecordBatch,
  workSchema: StructType,
  workArrow: arrow.Schema,
  add: AddFile,
  snapshot: Snapshot,
  logView: LogColumnView,
): arrow.RecordBatch {
  const n = raw.numRows;
  const partSet = new Set(snapshot.partitionColumns);
  const children = workSchema.fields.map((f, idx) => {
    const target = workArrow.fields[idx]!.type;
    if (partSet.has(f.name)) {
      const rawValue = lookup(add.partitionValues, logView.logNames.get(f.name) ?? f.name);
      let v: PartitionScalar;
      try {
        v = parsePartitionValue(rawValue ?? null, f.type, f.name);
      } catch (e) {
        throw new DataFileError(`data file ${add.path}: ${(e as Error).message}`, { cause: e });
      }
      return constantData(v, f.type, target, n);
    }
    const col = findColumn(raw, f.name);
    if (!col) return nullData(target, n);
    try {
      return castData(col.data[0]!, target);
    } catch (e) {
      throw new DataFileError(
        `data file ${add.path}: column ${f.name} of type ${String(col.type)} cannot be read as ${String(target)}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  });
  const struct = arrow.makeData({ type: new arrow.Struct(workArrow.fields), length: n, nullCount: 0, children });
  return new arrow.RecordBatch(workArrow, struct);
}

function lookup(pv: Record<string, string | null>, name: string): string | null | undefined {
  if (name in pv) return pv[name];
  const key = Object.keys(pv).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : pv[key];
}

function findColumn(batch: arrow.RecordBatch, name: string): arrow.Vector | undefined {
  const fields = batch.schema.fields;
  let idx = fields.findIndex((f) => f.name === name);
  if (idx < 0) idx = fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
  return idx < 0 ? undefined : (batch.getChildAt(idx) ?? undefined);
}

/** A file's column stats (keyed in the log by physical names) under the schema's logical names. */
export function logicalStats(add: AddFile, view: LogColumnView): Map<string, ColumnStats> {
  const byLogName = fileColumnStats(add, view.schema, view.partitionColumns);
  const out = new Map<string, ColumnStats>();
  for (const [k, v] of byLogName) out.set(view.logicalName.get(k) ?? k, v);
  return out;
}

/** Keeps rows where the predicate is true, as zero-copy slices of contiguous runs. */
function filterBatch(batch: arrow.RecordBatch, bound: BoundExpr, workSchema: StructType): arrow.RecordBatch[] {
  const readers = new Map<string, ScalarReader>();
  for (const name of boundColumns(bound)) {
    const idx = workSchema.fields.findIndex((f) => f.name === name);
    readers.set(name, scalarReader(batch.getChildAt(idx)!, workSchema.fields[idx]!.type));
  }
  const out: arrow.RecordBatch[] = [];
  let runStart = -1;
  for (let i = 0; i <= batch.numRows; i++) {
    const keep = i < batch.numRows && evalRow(bound, readers, i) === true;
    if (keep && runStart < 0) runStart = i;
    else if (!keep && runStart >= 0) {
      out.push(runStart === 0 && i === batch.numRows ? batch : batch.slice(runStart, i));
      runStart = -1;
    }
  }
  return out;
}

function project(batch: arrow.RecordBatch, outArrow: arrow.Schema): arrow.RecordBatch {
  if (
    batch.schema.fields.length === outArrow.fields.length &&
    batch.schema.fields.every((f, i) => f.name === outArrow.fields[i]!.name)
  ) {
    return batch;
  }
  const children = outArrow.fields.map((f) => {
    const idx = batch.schema.fields.findIndex((x) => x.name === f.name);
    return batch.getChildAt(idx)!.data[0]!;
  });
  const struct = arrow.makeData({
    type: new arrow.Struct(outArrow.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(outArrow, struct);
}
