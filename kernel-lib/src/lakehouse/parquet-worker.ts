/**
 * Worker-thread side of `parquet-pool.ts`, with its own parquet-wasm
 * (WebAssembly) instance:
 * - encode: an Arrow IPC stream plus writer options → Parquet bytes;
 * - decode: Parquet bytes → the columns copied out of WebAssembly memory
 *   (`parquet-ffi.ts`; an Arrow IPC stream for schemas it does not cover),
 *   which apache-arrow then views without copying.
 * Output bytes are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import * as pw from 'parquet-wasm';
import { extract, transferables } from './parquet-ffi.js';
import type { PoolJob } from './parquet-pool.js';
import { writerProperties } from './parquet-props.js';

parentPort!.on('message', (job: PoolJob & { id: number }) => {
  try {
    const result =
      job.op === 'encode'
        ? pw.writeParquet(pw.Table.fromIPCStream(job.ipc), writerProperties(job.options))
        : extract(pw.readParquet(job.parquet, { batchSize: job.batchSize }), pw.wasmMemory());
    parentPort!.postMessage({ id: job.id, result }, transferables(result));
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: String(e) });
  }
});
