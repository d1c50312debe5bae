/**
 * The XGBoost WASM module shipped inside ml-xgboost, used directly: its C
 * entry points take one flat Float32 buffer (rows × cols), which avoids the
 * package's arrays-of-arrays (ml-matrix) path. One instance per thread, loaded
 * once; its console output is captured so XGBoost's log lines end up in our
 * error messages instead of a notebook's output.
 */
import { createRequire } from 'node:module';

/** The emscripten exports we use (see ml-xgboost's js-interfaces.cpp). */
export interface XGBoostWasm {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  /** Copies the matrix and labels into a DMatrix (missing value = −1) and creates a booster. */
  _create_model(data: number, labels: number, rows: number, cols: number): number;
  _train_full_model(model: number, iterations: number): void;
  /** Predicts one row of `cols` floats into `out`; returns the number of outputs. */
  _predict_one(model: number, row: number, cols: number, out: number): number;
  /** Saves the booster to the in-memory file system; returns the size in bytes. */
  _save_model(model: number): number;
  _get_file_content(out: number, size: number): void;
  _load_model(data: number, size: number): number;
  _free_memory_model(model: number): void;
  cwrap(name: string, ret: string | null, args: string[]): (...args: unknown[]) => unknown;
  print: (msg: string) => void;
  printErr: (msg: string) => void;
  isReady: Promise<unknown>;
}

/** The module with typed helpers around it. */
export interface XGBoostRuntime {
  wasm: XGBoostWasm;
  setParam(model: number, name: string, value: string): void;
  /** The last lines XGBoost printed (for error messages). */
  recentLog(): string[];
  clearLog(): void;
}

let runtime: Promise<XGBoostRuntime> | undefined;

/** Loads the WASM module once per thread. */
export function xgboostRuntime(): Promise<XGBoostRuntime> {
  runtime ??= load();
  return runtime;
}

/** Loads the WASM module ahead of first use (a step waiting for its inputs has time to spare). */
export async function preloadXGBoost(): Promise<void> {
  await xgboostRuntime();
}

async function load(): Promise<XGBoostRuntime> {
  const require = createRequire(import.meta.url);
  // Node 20 has fetch, so the emscripten loader first tries to stream-compile
  // from a file path, fails, and prints a warning before falling back to
  // reading the file. Hiding instantiateStreaming while the loader runs makes
  // it take the working path directly (the check is synchronous).
  const webAssembly = (globalThis as unknown as { WebAssembly: { instantiateStreaming?: unknown } }).WebAssembly;
  const streaming = webAssembly.instantiateStreaming;
  let wasm: XGBoostWasm;
  try {
    webAssembly.instantiateStreaming = undefined;
    wasm = require('ml-xgboost/dist/wasm/xgboost.js') as XGBoostWasm;
  } finally {
    webAssembly.instantiateStreaming = streaming;
  }
  await wasm.isReady;
  const log: string[] = [];
  const capture = (msg: string) => {
    log.push(String(msg));
    if (log.length > 50) log.shift();
  };
  wasm.print = capture;
  wasm.printErr = capture;
  const setParam = wasm.cwrap('set_param', null, ['number', 'string', 'string']) as (
    m: number,
    k: string,
    v: string,
  ) => void;
  return {
    wasm,
    setParam,
    recentLog: () => [...log],
    clearLog: () => {
      log.length = 0;
    },
  };
}
