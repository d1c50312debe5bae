/**
 * One lazily started, unref'd pool of parquet-wasm worker threads shared by the
 * write path (encode Arrow IPC → Parquet) and the read path (decode Parquet →
 * Arrow IPC). One pool, not one per direction: parquet-wasm is single-threaded
 * WebAssembly, so the cores are the resource, and a second pool would only
 * oversubscribe them (and double the WebAssembly memory held by idle workers).
 *
 * Byte buffers cross threads by transfer (zero-copy): the caller gives up the
 * buffer it hands in and owns the one it gets back.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Decoded } from './parquet-ffi.js';
import type { PropsInput } from './parquet-props.js';

/** A job as posted to a worker (see `parquet-worker.ts`). */
export type PoolJob =
  | { op: 'encode'; ipc: Uint8Array; options: PropsInput }
  | { op: 'decode'; parquet: Uint8Array; batchSize: number };

/** A worker's answer: the output (Parquet bytes for encode, decoded data for decode), or parquet-wasm's error message. */
export type PoolReply = { id: number; result: Decoded } | { id: number; error: string };

/** The worker failed as a thread (crashed, exited), not parquet-wasm on the data. */
export class PoolThreadError extends Error {}

interface Pending {
  job: PoolJob;
  resolve: (r: { result: Decoded } | { error: string }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  job?: Pending & { id: number };
}

export class ParquetPool {
  private static instance: ParquetPool | null | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  /** Jobs handed to workers so far, by operation (diagnostics, tests). */
  readonly jobs = { encode: 0, decode: 0 };

  private constructor(
    readonly size: number,
    private readonly url: URL,
  ) {}

  /**
   * The pool (`STILLWATER_PARQUET_THREADS`, default: the CPU count up to 4; 0 or 1
   * disables), or undefined when threads are disabled or the worker module is
   * absent — running from TypeScript sources, where there is no compiled worker.
   */
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

  /**
   * Runs one job on a worker. Resolves with the output or with
   * parquet-wasm's error message (a data problem the caller words for its user);
   * rejects with `PoolThreadError` when the thread itself failed.
   * The job's input buffer is transferred: the caller must not use it afterwards.
   */
  run(job: PoolJob): Promise<{ result: Decoded } | { error: string }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
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
      this.jobs[next.job.op]++;
      slot.busy = true;
      slot.job = { ...next, id };
      slot.worker.ref();
      const input = next.job.op === 'encode' ? next.job.ipc : next.job.parquet;
      slot.worker.postMessage({ id, ...next.job }, [input.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    // Plain JavaScript: do not inherit the parent's flags (--input-type, loaders, …).
    const worker = new Worker(this.url, { execArgv: [] });
    const slot: Slot = { worker, busy: false };
    worker.unref();
    worker.on('message', (m: PoolReply) => {
      const job = slot.job;
      slot.busy = false;
      slot.job = undefined;
      worker.unref();
      if (job && job.id === m.id) job.resolve('result' in m ? { result: m.result } : { error: m.error });
      this.pump();
    });
    worker.on('error', (e) => {
      // A broken worker fails its job and leaves the pool; later jobs get a fresh one.
      this.drop(slot, new PoolThreadError(`parquet worker thread failed: ${e.message}`, { cause: e }));
    });
    worker.on('exit', (code) => {
      this.drop(slot, new PoolThreadError(`parquet worker thread exited (code ${code}) during a job`));
    });
    this.slots.push(slot);
    return slot;
  }

  private drop(slot: Slot, error: PoolThreadError): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.job?.reject(error);
    slot.job = undefined;
    this.pump();
  }
}

/**
 * Whether `bytes` may be transferred to a worker: it must be the whole of its
 * ArrayBuffer (a view into Node's shared Buffer pool, or into a larger buffer,
 * would detach memory other objects use).
 */
export function ownsWholeBuffer(bytes: Uint8Array): boolean {
  return (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    !(typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer)
  );
}
