/**
 * Worker-thread side of `parquet-pool.ts`: receives an Arrow IPC stream plus
 * writer options, encodes it with parquet-wasm (its own WebAssembly instance),
 * and returns the Parquet bytes (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import * as pw from 'parquet-wasm';
import { writerProperties } from './parquet-props.js';

interface Job {
  id: number;
  ipc: Uint8Array;
  options: import('./parquet-props.js').PropsInput;
}

parentPort!.on('message', (job: Job) => {
  try {
    const table = pw.Table.fromIPCStream(job.ipc);
    const bytes = pw.writeParquet(table, writerProperties(job.options));
    parentPort!.postMessage({ id: job.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: String(e) });
  }
});
