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
import { ParquetPool } from './parquet-pool.js';
import { type ParquetCompression, type PropsInput, writerProperties } from './parquet-props.js';

export type { ParquetCompression } from './parquet-props.js';
// The read side shares the worker pool; exported from here so the package's Parquet entry points sit together.
export { decodeParquet, ParquetDecodeError, parquetDecodeJobs } from './parquet-read.js';

export interface ParquetWriteOptions {
  compression?: ParquetCompression;
  /** Maximum rows per row group (arrow-rs default 1 Mi rows). */
  rowGroupSize?: number;
  /** Written into the file footer's `created_by`. */
  createdBy?: string;
}

/** parquet-wasm refused the data (an Arrow type it cannot encode, out of memory, …). */
export class ParquetWriteError extends DeltaError {}

/** Default target size of one data file (uncompressed Arrow bytes), like delta-rs's 100 MiB. */
export const DEFAULT_TARGET_FILE_BYTES = 128 * 1024 * 1024;

/** Tables smaller than this are encoded inline: a worker round trip would cost more than it saves. */
const WORKER_MIN_BYTES = 2 * 1024 * 1024;

function propsInput(table: arrow.Table, options: ParquetWriteOptions): PropsInput {
  return {
    compression: options.compression ?? 'snappy',
    ...(options.rowGroupSize ? { rowGroupSize: options.rowGroupSize } : {}),
    createdBy: options.createdBy ?? 'stillwater (parquet-wasm)',
    noDictionary: table.schema.fields.filter((f) => arrow.DataType.isFloat(f.type)).map((f) => f.name),
  };
}

function toIpc(table: arrow.Table): Uint8Array {
  try {
    return arrow.tableToIPC(table, 'stream');
  } catch (e) {
    throw new ParquetWriteError(`cannot serialise ${table.numRows} rows as Arrow IPC: ${String(e)}`, { cause: e });
  }
}

/** Encodes one Arrow table as a single Parquet file, on the calling thread. */
export function writeParquetBytes(table: arrow.Table, options: ParquetWriteOptions = {}): Uint8Array {
  const props = writerProperties(propsInput(table, options));
  let wasmTable: pw.Table;
  try {
    wasmTable = pw.Table.fromIPCStream(toIpc(table));
  } catch (e) {
    if (e instanceof ParquetWriteError) throw e;
    throw new ParquetWriteError(`cannot hand the Arrow table to parquet-wasm: ${String(e)}`, { cause: e });
  }
  try {
    // writeParquet consumes (frees) the WebAssembly table and the properties.
    return pw.writeParquet(wasmTable, props);
  } catch (e) {
    throw new ParquetWriteError(`parquet-wasm could not write ${table.numRows} rows: ${String(e)}`, { cause: e });
  }
}

/**
 * Encodes a table as Parquet, on a worker thread when the table is large and
 * threads are available (`STILLWATER_PARQUET_THREADS`, default: the CPU count up
 * to 4; 0 disables), so several files encode in parallel while the calling
 * thread computes statistics. The Arrow IPC hand-off is made synchronously
 * here, so the caller may reuse `table` as soon as this returns.
 */
export function encodeParquet(table: arrow.Table, options: ParquetWriteOptions = {}): Promise<Uint8Array> {
  const pool = arrowByteSize(table) >= WORKER_MIN_BYTES ? ParquetPool.shared() : undefined;
  if (!pool) {
    try {
      return Promise.resolve(writeParquetBytes(table, options));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  const rows = table.numRows;
  return pool.run({ op: 'encode', ipc: toIpc(table), options: propsInput(table, options) }).then(
    (r) => {
      if ('result' in r && r.result instanceof Uint8Array) return r.result;
      if ('result' in r) throw new ParquetWriteError('parquet worker answered an encode job with decoded data');
      throw new ParquetWriteError(`parquet-wasm could not write ${rows} rows: ${r.error}`);
    },
    (e: Error) => {
      throw new ParquetWriteError(`${e.message} (writing ${rows} rows)`, { cause: e });
    },
  );
}

/** Number of files encoded on worker threads so far in this process (diagnostics, tests). */
export function parquetWorkerJobs(): number {
  return ParquetPool.shared()?.jobs.encode ?? 0;
}

/** How many files `encodeParquet` (or `decodeParquet`) can usefully have in flight. */
export function parquetConcurrency(): number {
  return ParquetPool.shared()?.size ?? 1;
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
