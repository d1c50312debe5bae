/**
 * Arrow → Parquet bytes for Delta data files, via parquet-wasm (arrow-rs compiled
 * to WebAssembly). Tables cross into WebAssembly as Arrow IPC streams.
 *
 * Writer settings are chosen for speed and for Spark compatibility:
 * - dictionary encoding OFF for floating-point columns: it costs ~8× on random
 *   floats and gains nothing there (ENVIRONMENT.md); ON for everything else;
 * - snappy compression by default (Spark's and pyarrow's default), zstd on request;
 * - column-chunk statistics, no page index;
 * - timestamps stay µs with a UTC zone (Parquet TIMESTAMP(MICROS, adjustedToUTC));
 *   decimals become Parquet DECIMAL, dates DATE — arrow-rs maps Arrow types 1:1.
 */
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { DeltaError } from './errors.js';

export type ParquetCompression = 'snappy' | 'zstd' | 'uncompressed';

export interface ParquetWriteOptions {
  compression?: ParquetCompression;
  /** Maximum rows per row group (arrow-rs default 1 Mi rows). */
  rowGroupSize?: number;
  /** Written into the file footer's `created_by`. */
  createdBy?: string;
}

/** parquet-wasm refused the data (an Arrow type it cannot encode, out of memory, …). */
export class ParquetWriteError extends DeltaError {}

const COMPRESSION: Record<ParquetCompression, pw.Compression> = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  uncompressed: pw.Compression.UNCOMPRESSED,
};

/** Default target size of one data file (uncompressed Arrow bytes), like delta-rs's 100 MiB. */
export const DEFAULT_TARGET_FILE_BYTES = 128 * 1024 * 1024;

/** Encodes one Arrow table as a single Parquet file. */
export function writeParquetBytes(table: arrow.Table, options: ParquetWriteOptions = {}): Uint8Array {
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(COMPRESSION[options.compression ?? 'snappy'])
    .setDictionaryEnabled(true)
    // Row-group statistics only: Spark still prunes row groups with them, and skipping
    // the page index saves work (Delta's own file stats come from stats.ts).
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setCreatedBy(options.createdBy ?? 'stillwater (parquet-wasm)');
  if (options.rowGroupSize) builder = builder.setMaxRowGroupSize(options.rowGroupSize);
  for (const field of table.schema.fields) {
    if (arrow.DataType.isFloat(field.type)) builder = builder.setColumnDictionaryEnabled(field.name, false);
  }
  const props = builder.build();
  let wasmTable: pw.Table;
  try {
    wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  } catch (e) {
    throw new ParquetWriteError(`cannot hand the Arrow table to parquet-wasm: ${String(e)}`, { cause: e });
  }
  try {
    // writeParquet consumes (frees) the WebAssembly table and the properties.
    return pw.writeParquet(wasmTable, props);
  } catch (e) {
    throw new ParquetWriteError(`parquet-wasm could not write ${table.numRows} rows: ${String(e)}`, { cause: e });
  }
}

/** Bytes the Arrow buffers of `table` occupy (a cheap proxy for the written size). */
export function arrowByteSize(table: arrow.Table): number {
  let total = 0;
  const visit = (d: arrow.Data): void => {
    for (const b of [d.values, d.valueOffsets, d.nullBitmap]) if (b) total += (b as ArrayBufferView).byteLength;
    for (const c of d.children) visit(c);
  };
  for (const batch of table.batches) for (const child of batch.data.children) visit(child);
  return total;
}

/**
 * Splits a table into consecutive row ranges of about `targetBytes` uncompressed
 * bytes each, so one big write becomes several data files of bounded size
 * (bounded WebAssembly memory, parallel-friendly reads). Slices are zero-copy.
 */
export function splitBySize(table: arrow.Table, targetBytes = DEFAULT_TARGET_FILE_BYTES): arrow.Table[] {
  const rows = table.numRows;
  if (rows === 0) return [table];
  const bytes = arrowByteSize(table);
  if (bytes <= targetBytes) return [table];
  const parts = Math.ceil(bytes / targetBytes);
  const rowsPerPart = Math.ceil(rows / parts);
  const out: arrow.Table[] = [];
  for (let start = 0; start < rows; start += rowsPerPart)
    out.push(table.slice(start, Math.min(rows, start + rowsPerPart)));
  return out;
}
