/**
 * Turns aligned Arrow data into Delta data files: rows are grouped by their
 * partition values (Hive-style `col=value/` directories, escaped like Spark),
 * partition columns are dropped from the files (the log carries them), each
 * group is split into files of a bounded size, and every file gets an `add`
 * action with its size and column statistics.
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import type { AddFile } from './actions.js';
import { readDecimalWords } from './decimal-words.js';
import { physicalName, toPhysicalTable, type ColumnMappingMode } from './column-mapping.js';
import { encodeParquet, type ParquetCompression, parquetConcurrency, splitBySize } from './parquet-write.js';
import { partitionPath, serializePartitionValue } from './partition.js';
import { findField, type StructType } from './schema.js';
import { computeStats, type StatsOptions } from './stats.js';
import type { Storage } from './storage/storage.js';
import { isValidAt, takeRows } from './take.js';

export interface DataFileOptions {
  /** Table schema (partition column types come from here). */
  schema: StructType;
  partitionColumns: string[];
  targetFileSize?: number;
  compression?: ParquetCompression;
  stats?: StatsOptions;
  /** Column mapping: files, partition values and stats use the schema's physical names (and field ids). */
  columnMapping?: ColumnMappingMode;
}

export interface WrittenFiles {
  adds: AddFile[];
  numOutputRows: number;
  numOutputBytes: number;
}

/** Writes `data` (already aligned to the table schema) as data files; returns their add actions. */
export async function writeDataFiles(
  storage: Storage,
  data: arrow.Table,
  opts: DataFileOptions,
): Promise<WrittenFiles> {
  const dataColumns = data.schema.fields.map((f) => f.name).filter((n) => !opts.partitionColumns.includes(n));
  const groups = groupByPartition(data, opts.partitionColumns, opts.schema);
  const mapping = opts.columnMapping ?? 'none';
  const physical = (c: string) => {
    const f = findField(opts.schema, c);
    return f ? physicalName(f, mapping) : c;
  };
  const partitionColumns = opts.partitionColumns.map(physical);
  const compression = opts.compression ?? 'snappy';
  const adds: AddFile[] = [];
  let bytesTotal = 0;
  let fileNo = 0;
  // Up to `window` files are encoding at once (worker threads for big files) while this
  // thread computes the next file's stats; each file is written to disk as soon as it is encoded.
  const window = Math.max(2, parquetConcurrency());
  let inFlight: Promise<void>[] = [];
  const drain = async (): Promise<void> => {
    const batch = inFlight;
    inFlight = [];
    await Promise.all(batch);
  };
  for (const g of groups) {
    const rows = g.rows === 'all' ? data : selectRows(data, g.rows);
    const fileTable = toPhysicalTable(
      opts.partitionColumns.length ? rows.select(dataColumns) : rows,
      opts.schema,
      mapping,
    );
    const values = Object.fromEntries(Object.entries(g.values).map(([c, v]) => [physical(c), v]));
    const dir = partitionColumns.length ? `${partitionPath(partitionColumns, values)}/` : '';
    for (const part of splitBySize(fileTable, opts.targetFileSize)) {
      // An empty write commits no data file (Spark does the same); the version still records it.
      if (part.numRows === 0) continue;
      const slot = adds.length;
      const name = `part-${String(fileNo++).padStart(5, '0')}-${randomUUID()}-c000.${compression}.parquet`;
      const rel = `${dir}${name}`;
      const encoded = encodeParquet(part, { compression });
      const stats = computeStats(part, opts.stats).json;
      adds.push({
        // A URI path like Spark writes: `p=a b` → `p=a%20b`, escaped `%` → `%25`.
        path: encodeURI(rel),
        partitionValues: values,
        size: 0,
        modificationTime: 0,
        dataChange: true,
        stats,
      });
      const job = encoded.then(async (bytes) => {
        await storage.write(rel, bytes);
        adds[slot]!.size = bytes.byteLength;
        adds[slot]!.modificationTime = Date.now();
        bytesTotal += bytes.byteLength;
      });
      // Awaited by drain(); the no-op handler only keeps an early failure from being "unhandled".
      job.catch(() => undefined);
      inFlight.push(job);
      if (inFlight.length >= window) await drain();
    }
  }
  await drain();
  return { adds, numOutputRows: data.numRows, numOutputBytes: bytesTotal };
}

interface PartitionGroup {
  values: Record<string, string | null>;
  rows: number[] | 'all';
}

/** Groups row numbers by serialised partition values, in order of first appearance. */
export function groupByPartition(data: arrow.Table, columns: string[], schema: StructType): PartitionGroup[] {
  if (columns.length === 0 || data.numRows === 0) {
    return data.numRows === 0 && columns.length ? [] : [{ values: {}, rows: 'all' }];
  }
  const colIdx = columns.map((c) => data.schema.fields.findIndex((f) => f.name === c));
  const types = columns.map((c) => findField(schema, c)!.type);
  const groups = new Map<string, PartitionGroup>();
  let row = 0;
  for (const batch of data.batches) {
    const chunks = colIdx.map((i) => batch.data.children[i]!);
    const vectors = chunks.map((d) => arrow.makeVector(d));
    for (let r = 0; r < batch.numRows; r++, row++) {
      const serialised = columns.map((c, k) => {
        const v = scalarAt(chunks[k]!, vectors[k]!, r);
        // Spark stores an empty string partition value as null.
        return v === '' ? null : serializePartitionValue(v, types[k]!, c);
      });
      const key = JSON.stringify(serialised);
      let g = groups.get(key);
      if (!g) {
        g = { values: Object.fromEntries(columns.map((c, k) => [c, serialised[k]!])), rows: [] };
        groups.set(key, g);
      }
      (g.rows as number[]).push(row);
    }
  }
  const out = [...groups.values()];
  if (out.length === 1) out[0]!.rows = 'all';
  return out;
}

/** Zero-copy slice when the rows are contiguous (data arriving grouped), else a gather. */
function selectRows(data: arrow.Table, rows: number[]): arrow.Table {
  const first = rows[0]!;
  if (rows[rows.length - 1]! - first === rows.length - 1) return data.slice(first, first + rows.length);
  return takeRows(data, rows);
}

/** The typed value `serializePartitionValue` expects, read from the buffers (no ms rounding). */
function scalarAt(d: arrow.Data, vec: arrow.Vector, i: number): unknown {
  if (!isValidAt(d, i)) return null;
  const t = d.type;
  if (arrow.DataType.isDate(t) && t.unit === arrow.DateUnit.DAY) return (d.values as Int32Array)[i];
  if (arrow.DataType.isTimestamp(t) || (arrow.DataType.isInt(t) && t.bitWidth === 64)) {
    return (d.values as BigInt64Array)[i];
  }
  if (arrow.DataType.isInt(t) || arrow.DataType.isFloat(t)) return Number((d.values as Float64Array)[i]);
  if (arrow.DataType.isDecimal(t)) {
    return readDecimalWords(d.values as Uint32Array, i, t.bitWidth);
  }
  return vec.get(i);
}
