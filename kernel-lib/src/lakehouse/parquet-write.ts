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
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { DeltaError } from './errors.js';
import { type ParquetCompression, type PropsInput, writerProperties } from './parquet-props.js';

export type { ParquetCompression } from './parquet-props.js';

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
  return pool.encode(toIpc(table), propsInput(table, options), table.numRows);
}

/** Number of files encoded on worker threads so far in this process (diagnostics, tests). */
export function parquetWorkerJobs(): number {
  return ParquetPool.shared()?.jobs ?? 0;
}

/** How many files `encodeParquet` can usefully have in flight. */
export function parquetConcurrency(): number {
  return ParquetPool.shared()?.size ?? 1;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  job?: { id: number; rows: number; resolve: (b: Uint8Array) => void; reject: (e: Error) => void };
}

/** A lazily started, unref'd pool of parquet-wasm worker threads. */
class ParquetPool {
  private static instance: ParquetPool | null | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: {
    ipc: Uint8Array;
    props: PropsInput;
    rows: number;
    resolve: (b: Uint8Array) => void;
    reject: (e: Error) => void;
  }[] = [];
  private nextId = 0;
  /** Jobs handed to workers so far. */
  jobs = 0;

  private constructor(
    readonly size: number,
    private readonly url: URL,
  ) {}

  /** The pool, or undefined when threads are disabled or the worker module is absent (running from sources). */
  static shared(): ParquetPool | undefined {
    if (ParquetPool.instance === undefined) {
      const env = process.env.STILLWATER_PARQUET_THREADS;
      const size = env !== undefined && env !== '' ? Number(env) : Math.min(4, availableParallelism());
      const url = new URL('./parquet-worker.js', import.meta.url);
      ParquetPool.instance =
        Number.isSafeInteger(size) && size > 1 && url.protocol === 'file:' && existsSync(fileURLToPath(url))
          ? new ParquetPool(size, url)
          : null;
    }
    return ParquetPool.instance ?? undefined;
  }

  encode(ipc: Uint8Array, props: PropsInput, rows: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ipc, props, rows, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const next = this.queue.shift()!;
      const id = this.nextId++;
      this.jobs++;
      slot.busy = true;
      slot.job = { id, rows: next.rows, resolve: next.resolve, reject: next.reject };
      slot.worker.ref();
      slot.worker.postMessage({ id, ipc: next.ipc, options: next.props }, [next.ipc.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    // Plain JavaScript: do not inherit the parent's flags (--input-type, loaders, …).
    const worker = new Worker(this.url, { execArgv: [] });
    const slot: Slot = { worker, busy: false };
    worker.unref();
    worker.on('message', (m: { id: number; bytes?: Uint8Array; error?: string }) => {
      const job = slot.job;
      slot.busy = false;
      slot.job = undefined;
      worker.unref();
      if (job && job.id === m.id) {
        if (m.bytes) job.resolve(m.bytes);
        else job.reject(new ParquetWriteError(`parquet-wasm could not write ${job.rows} rows: ${m.error}`));
      }
      this.pump();
    });
    worker.on('error', (e) => {
      // A broken worker fails its job and leaves the pool; later jobs get a fresh one.
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.job?.reject(new ParquetWriteError(`parquet worker thread failed: ${e.message}`, { cause: e }));
      slot.job = undefined;
      this.pump();
    });
    worker.on('exit', (code) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.job?.reject(new ParquetWriteError(`parquet worker thread exited (code ${code}) during a write`));
      slot.job = undefined;
      this.pump();
    });
    this.slots.push(slot);
    return slot;
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
