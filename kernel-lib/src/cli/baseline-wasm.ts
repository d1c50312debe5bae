import v8 from 'node:v8';

/**
 * Makes this process compile WebAssembly with V8's baseline compiler (Liftoff)
 * only. For commands whose own WebAssembly use is small — `stillwater run`
 * writes a few rows of run history through parquet-wasm — the optimising
 * tier-up costs more than it saves: it compiles in background threads, taking
 * a CPU from the steps, and Node waits for those jobs before it exits, at
 * the end of every run. Must run before any module is compiled;
 * later compilations pick the flag up, earlier ones keep their tiering.
 */
export function useBaselineWasmCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}
