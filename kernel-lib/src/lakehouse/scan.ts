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
import { readDecimalWords, writeDecimalWords } from './decimal-words.js';
import { DataFileError, ExpressionError, InvalidArgumentError } from './errors.js';
import {
  type BoundExpr,
  bindExpr,
  boundColumns,
  type Expr,
  evalRow,
  fileColumnStats,
  mayMatchFile,
  parseExpr,
  type ScalarReader,
  scalarReader,
} from './expr.js';
import { decodeParquet } from './parquet-read.js';
import { parquetConcurrency } from './parquet-write.js';
import { type PartitionScalar, parsePartitionValue } from './partition.js';
import { type DeltaType, decimalParams, deltaToArrow, type StructType } from './schema.js';
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
  const files = prefetchFiles(storage, snapshot, (add) =>
    bound ? mayMatchFile(bound, fileColumnStats(add, schema, snapshot.partitionColumns)) : true,
  );
  for (const next of files) {
    if (rows >= limit) break;
    const { add, table } = next;
    if (!table) {
      stats.filesPruned++;
      continue;
    }
    stats.filesRead++;
    const fileTable = await table;
    for (const raw of fileTable.batches) {
      if (rows >= limit) break;
      if (raw.numRows === 0) continue;
      const batch = normaliseBatch(raw, workSchema, workArrow, add, snapshot);
      const kept = bound ? filterBatch(batch, bound, workSchema) : [batch];
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
): Generator<{ add: AddFile; table?: Promise<arrow.Table> }> {
  const ahead = Math.max(1, parquetConcurrency());
  const queue: { add: AddFile; table?: Promise<arrow.Table> }[] = [];
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
      const table = readDataFile(storage, add, snapshot);
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

async function readDataFile(storage: Storage, add: AddFile, snapshot: Snapshot): Promise<arrow.Table> {
  const rel = dataFilePath(storage, add);
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(rel);
  } catch (e) {
    if ((e as Error).name === 'StorageNotFoundError') {
      throw new DataFileError(
        `data file ${rel} of table ${storage.root} (version ${snapshot.version}) is missing: the log references it but it does not exist`,
        { cause: e },
      );
    }
    throw new DataFileError(`data file ${rel} of table ${storage.root} cannot be read: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    // LocalStorage returns a fresh copy of the file, which may be handed to a worker without
    // another copy; other storages might return bytes they keep (a cache, an in-memory fake).
    return await decodeParquet(bytes, storage instanceof LocalStorage);
  } catch (e) {
    throw new DataFileError(
      `data file ${rel} of table ${storage.root} is not a readable Parquet file (truncated or corrupt): ${String(e)}`,
      { cause: e },
    );
  }
}

/** Builds a batch with exactly the work schema's columns and types. */
function normaliseBatch(
  raw: arrow.RecordBatch,
  workSchema: StructType,
  workArrow: arrow.Schema,
  add: AddFile,
  snapshot: Snapshot,
): arrow.RecordBatch {
  const n = raw.numRows;
  const partSet = new Set(snapshot.partitionColumns);
  const children = workSchema.fields.map((f, idx) => {
    const target = workArrow.fields[idx]!.type;
    if (partSet.has(f.name)) {
      const rawValue = lookup(add.partitionValues, f.name);
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

/** Casts one column chunk to the target Arrow type (see module doc for the supported conversions). */
function castData(data: arrow.Data, target: arrow.DataType): arrow.Data {
  const src = data.type;
  if (arrow.DataType.isDictionary(src)) {
    const vec = arrow.makeVector(data);
    return castData(arrow.vectorFromArray([...vec], src.dictionary).data[0]!, target);
  }
  const base = { offset: data.offset, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap };
  if (arrow.DataType.isTimestamp(target)) {
    if (!arrow.DataType.isTimestamp(src)) throw new Error('not a timestamp');
    const values = data.values as BigInt64Array;
    const factor = { 0: -1_000_000n, 1: -1000n, 2: 1n, 3: 1000n }[src.unit]!;
    if (factor === 1n) {
      return arrow.makeData({ type: target, ...base, data: values });
    }
    const out = new BigInt64Array(data.length);
    const valid = validity(data);
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) continue;
      const v = values[i]!;
      out[i] = factor > 0n ? floorDiv(v, factor) : v * -factor;
    }
    return arrow.makeData({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), data: out });
  }
  if (arrow.DataType.isDecimal(target)) {
    if (!arrow.DataType.isDecimal(src)) throw new Error('not a decimal');
    if (src.scale === target.scale && src.bitWidth === 128) {
      return arrow.makeData({ type: target, ...base, data: data.values as Uint32Array });
    }
    const inWords = data.values as Uint32Array;
    const out = new Uint32Array(data.length * 4);
    const valid = validity(data);
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) continue;
      let v = readDecimalWords(inWords, i, src.bitWidth);
      const diff = target.scale - src.scale;
      v = diff >= 0 ? v * 10n ** BigInt(diff) : v / 10n ** BigInt(-diff);
      writeDecimalWords(out, i, v);
    }
    return arrow.makeData({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), data: out });
  }
  if (arrow.DataType.isDate(target)) {
    if (arrow.DataType.isDate(src) && src.unit === arrow.DateUnit.DAY) {
      return arrow.makeData({ type: target, ...base, data: data.values as Int32Array });
    }
    if (arrow.DataType.isTimestamp(src) || arrow.DataType.isDate(src)) {
      const vec = arrow.makeVector(data);
      const out = new Int32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const ms = vec.get(i) as number | null;
        if (ms !== null) out[i] = Math.floor(ms / 86_400_000);
      }
      return arrow.makeData({ type: target, ...base, offset: 0, data: out });
    }
    throw new Error('not a date');
  }
  if (arrow.DataType.isInt(target) || arrow.DataType.isFloat(target)) {
    if (!arrow.DataType.isInt(src) && !arrow.DataType.isFloat(src)) throw new Error('not numeric');
    const sameInt =
      arrow.DataType.isInt(src) &&
      arrow.DataType.isInt(target) &&
      src.bitWidth === target.bitWidth &&
      src.isSigned === target.isSigned;
    const sameFloat =
      arrow.DataType.isFloat(src) && arrow.DataType.isFloat(target) && src.precision === target.precision;
    if (sameInt || sameFloat) return mk({ type: target, ...base, data: data.values });
    const Out = target.ArrayType as unknown as {
      new (n: number): ArrayLike<number | bigint> & Record<number, unknown>;
    };
    const out = new Out(data.length);
    const values = data.values as ArrayLike<number | bigint>;
    const bigOut = arrow.DataType.isInt(target) && target.bitWidth === 64;
    const valid = validity(data);
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) continue;
      const v = values[i]!;
      out[i] = bigOut ? BigInt(v) : Number(v);
    }
    return mk({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), data: out });
  }
  if (arrow.DataType.isUtf8(target) || arrow.DataType.isBinary(target) || arrow.DataType.isBool(target)) {
    if (src.typeId === target.typeId)
      return arrow.makeData({ type: target, ...base, valueOffsets: data.valueOffsets, data: data.values } as never);
    const vec = arrow.makeVector(data);
    return arrow.vectorFromArray([...vec], target).data[0]!;
  }
  if (arrow.DataType.isStruct(target)) {
    if (!arrow.DataType.isStruct(src)) throw new Error('not a struct');
    const sliced = data.offset === 0 ? data : data.slice(0, data.length);
    const children = target.children.map((tf) => {
      let idx = src.children.findIndex((c) => c.name === tf.name);
      if (idx < 0) idx = src.children.findIndex((c) => c.name.toLowerCase() === tf.name.toLowerCase());
      const child = idx < 0 ? undefined : sliced.children[idx];
      return child ? castData(child, tf.type) : nullData(tf.type, data.length);
    });
    return arrow.makeData({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), children });
  }
  if (arrow.DataType.isList(target)) {
    if (!arrow.DataType.isList(src) && !arrow.DataType.isMap(src)) throw new Error('not a list');
    return arrow.makeData({
      type: target,
      ...base,
      valueOffsets: data.valueOffsets as Int32Array,
      child: castChild(data, target.children[0]!.type),
    });
  }
  if (arrow.DataType.isMap(target)) {
    if (!arrow.DataType.isMap(src)) throw new Error('not a map');
    return arrow.makeData({
      type: target,
      ...base,
      valueOffsets: data.valueOffsets as Int32Array,
      child: castChild(data, target.children[0]!.type) as arrow.Data<arrow.Struct>,
    });
  }
  throw new Error(`unsupported target type ${String(target)}`);
}

function castChild(data: arrow.Data, type: arrow.DataType): arrow.Data {
  const child = data.children[0];
  return child ? castData(child, type) : nullData(type, 0);
}

/** `makeData` with props checked at run time (its overloads cannot express a type chosen at run time). */
function mk(props: Record<string, unknown>): arrow.Data {
  return arrow.makeData(props as never) as arrow.Data;
}

function ownBitmap(data: arrow.Data): Uint8Array | undefined {
  if (data.offset === 0 || !data.nullBitmap || data.nullCount === 0)
    return data.nullCount === 0 ? undefined : data.nullBitmap;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function validity(data: arrow.Data): (i: number) => boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return () => true;
  return (i) => data.getValid(i);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** A column of `n` nulls of any type (built by Arrow's builders so nested layouts are valid). */
function nullData(type: arrow.DataType, n: number): arrow.Data {
  return arrow.vectorFromArray(new Array(n).fill(null), type).data[0]!;
}

/** A column repeating one partition value. */
function constantData(v: PartitionScalar, deltaType: DeltaType, type: arrow.DataType, n: number): arrow.Data {
  if (v === null) return nullData(type, n);
  if (decimalParams(deltaType)) {
    const out = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) writeDecimalWords(out, i, v as bigint);
    return arrow.makeData({ type: type as arrow.Decimal, length: n, nullCount: 0, data: out });
  }
  switch (deltaType) {
    case 'timestamp':
    case 'timestamp_ntz':
      return arrow.makeData({
        type: type as arrow.Timestamp,
        length: n,
        nullCount: 0,
        data: new BigInt64Array(n).fill(v as bigint),
      });
    case 'date':
      return arrow.makeData({
        type: type as arrow.DateDay,
        length: n,
        nullCount: 0,
        data: new Int32Array(n).fill(v as number),
      });
    case 'long':
      return arrow.makeData({
        type: type as arrow.Int64,
        length: n,
        nullCount: 0,
        data: new BigInt64Array(n).fill(v as bigint),
      });
    default:
      return arrow.vectorFromArray(new Array(n).fill(v), type).data[0]!;
  }
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
