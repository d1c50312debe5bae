/**
 * Parquet bytes → apache-arrow Table, via parquet-wasm. Large files decode on
 * the shared worker pool (`parquet-pool.ts`), so a scan decodes several files
 * at once instead of one after another on the calling thread; the decoded Arrow
 * IPC stream comes back by transfer and `tableFromIPC` views its buffers in
 * place (no copy of the column data on this thread).
 *
 * Per file, the time splits between `readParquet` and `intoIPCStream` (arrow-rs's
 * IPC writer plus the copy out of WebAssembly memory) — the second much smaller when
 * the columns are copied out directly for flat fixed-width schemas (`parquet-ffi.ts`;
 * tests/bench/lakehouse measures reads against pyarrow).
 * parquet-wasm 0.8's `readParquet` ignores `ReaderOptions.columns` (all columns
 * are decoded whatever is asked); its async `ParquetFile` reader honours them and
 * reads only those column chunks' byte ranges, so `decodeParquetColumns` uses it
 * when a scan needs a few columns of a wide file (a DELETE's predicate column of
 * 26, tests/bench/lakehouse's DELETE with deletion vectors).
 */
import * as arrow from 'apache-arrow';
import { ParquetFile, readParquet, wasmMemory } from 'parquet-wasm/node';
import { DeltaError } from './errors.js';
import { type Decoded, extract, toArrowTable } from './parquet-ffi.js';
import { ownsWholeBuffer, ParquetPool, type PoolThreadError } from './parquet-pool.js';

/** Rows per decoded record batch: big batches keep per-batch overhead negligible. */
const BATCH_SIZE = 1 << 20;

/** Files smaller than this decode inline: a worker round trip would cost more than it saves. */
const WORKER_MIN_BYTES = 2 * 1024 * 1024;

/** parquet-wasm (or the worker thread running it) could not decode the bytes; the message says why. */
export class ParquetDecodeError extends DeltaError {}

/** Decodes one Parquet file on the calling thread. */
export function decodeParquetInline(bytes: Uint8Array): arrow.Table {
  let decoded: Decoded;
  try {
    decoded = extract(readParquet(bytes, { batchSize: BATCH_SIZE }), wasmMemory());
  } catch (e) {
    throw new ParquetDecodeError(String(e), { cause: e });
  }
  return toArrowTable(decoded);
}

/**
 * Decodes one Parquet file, on a worker thread when it is large and threads are
 * available (see `ParquetPool.shared`). `owned` says the caller hands `bytes`
 * over (nobody else holds them): they are then transferred to the worker rather
 * than copied, and must not be used afterwards.
 */
export async function decodeParquet(bytes: Uint8Array, owned = false): Promise<arrow.Table> {
  const pool = bytes.byteLength >= WORKER_MIN_BYTES ? ParquetPool.shared() : undefined;
  if (!pool) return decodeParquetInline(bytes);
  const parquet = owned && ownsWholeBuffer(bytes) ? bytes : bytes.slice();
  let reply: { result: Decoded } | { error: string };
  try {
    reply = await pool.run({ op: 'decode', parquet, batchSize: BATCH_SIZE });
  } catch (e) {
    throw new ParquetDecodeError((e as PoolThreadError).message, { cause: e });
  }
  if ('error' in reply) throw new ParquetDecodeError(reply.error);
  return toArrowTable(reply.result);
}

/** Number of files decoded on worker threads so far in this process (diagnostics, tests). */
export function parquetDecodeJobs(): number {
  return ParquetPool.shared()?.jobs.decode ?? 0;
}

/**
 * Decodes only the named top-level columns of a Parquet file (a `Blob` whose
 * ranges are read on demand), on the calling thread. Names match the file's
 * columns exactly, else case-insensitively; returns undefined when the file
 * lacks one of them (the caller decodes the whole file instead).
 */
export async function decodeParquetColumns(file: Blob, columns: string[]): Promise<arrow.Table | undefined> {
  let pf: ParquetFile | undefined;
  try {
    pf = await ParquetFile.fromFile(file);
    const names = arrow.tableFromIPC(pf.schema().intoIPCStream()).schema.fields.map((f) => f.name);
    const wanted: string[] = [];
    for (const c of columns) {
      const name = names.find((n) => n === c) ?? names.find((n) => n.toLowerCase() === c.toLowerCase());
      if (name === undefined) return undefined;
      wanted.push(name);
    }
    return toArrowTable(extract(await pf.read({ columns: wanted, batchSize: BATCH_SIZE }), wasmMemory()));
  } catch (e) {
    throw new ParquetDecodeError(String(e), { cause: e });
  } finally {
    pf?.free();
  }
}
