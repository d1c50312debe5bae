/**
 * Worker-thread side of `parquet-pool.ts`, with its own parquet-wasm
 * (WebAssembly) instance:
 * - encode: an Arrow IPC stream plus writer options → Parquet bytes;
 * - decode: Parquet bytes → an Arrow IPC stream (the cheapest form in which
 *   parquet-wasm's Arrow data leaves WebAssembly; apache-arrow's `tableFromIPC`
 *   then views it without copying).
 * Output bytes are transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import * as pw from 'parquet-wasm';
import type { PoolJob } from './parquet-pool.js';
import { writerProperties } from './parquet-props.js';

parentPort!.on('message', (job: PoolJob & { id: number }) => {
  try {
    const bytes =
      job.op === 'encode'
        ? pw.writeParquet(pw.Table.fromIPCStream(job.ipc), writerProperties(job.options))
        : pw.readParquet(job.parquet, { batchSize: job.batchSize }).intoIPCStream();
    parentPort!.postMessage({ id: job.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: String(e) });
  }
});
