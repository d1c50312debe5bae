/**
 * The local runner: executes a compiled pipeline on this machine — each step in
 * its own process, in parallel over the DAG, cached by content, resumable, with
 * the run history kept as Delta tables.
 *
 * Start reading at `run-pipeline.ts` (`runPipeline(specOrPath, options)`), which
 * strings the pieces together:
 *
 * - `load-pipeline.ts` / `compile-stamp.ts` — find `pipeline.json` (a folder, a
 *   file, a spec object, or a notebook compiled first unless its last compile is
 *   still up to date).
 * - `params.ts` — `--param NAME=VALUE` typed against the spec before anything runs.
 * - `dag.ts` / `scheduler.ts` — topological scheduling with bounded concurrency;
 *   a failure skips its descendants, independent branches finish.
 * - `cache.ts` — cache key = sha256(bundle hash, input artifact hashes, parameter
 *   values used, output names); the index is one JSON file per key in the home.
 * - `artifact-store.ts` — content-addressed store behind a small interface
 *   (`LocalArtifactStore` now; S3 later). `table-refs.ts` pins Delta versions into
 *   table/lakehouse references so their hash follows the data.
 * - `step-contract.ts` / `step-process.ts` — the runner side of
 *   `pipeline/STEP-CONTRACT.md`: the command line, process-group supervision
 *   (timeouts, cancellation), and the structured last stderr line → cell + line.
 * - `history.ts` / `delta-history.ts` / `records.ts` — runs and step executions
 *   as Delta tables under `<home>/history/`; `compare.ts` diffs two runs.
 * - `events.ts` / `event-stream.ts` / `progress.ts` — the event stream of
 *   `schema/run-event.schema.json`, and its JSON / plain / TTY renderers.
 *
 * Home layout (`home.ts`): `<home>/{artifacts,cache,history/runs,
 * history/step_executions,compiled,work}`; `--home`, `STILLWATER_HOME`, else
 * `.stillwater/` in the working directory.
 */
export * from './artifact-store.js';
export * from './cache.js';
export * from './compare.js';
export * from './compile-stamp.js';
export * from './dag.js';
export * from './delta-history.js';
export * from './errors.js';
export * from './events.js';
export * from './history.js';
export * from './home.js';
export * from './load-pipeline.js';
export * from './params.js';
export * from './progress.js';
export * from './records.js';
export * from './runs-query.js';
export * from './run-pipeline.js';
export * from './scheduler.js';
export * from './step-contract.js';
export * from './engine/engine.js';
export * from './engine/counting-slots.js';
export { LocalEngine, LocalLauncher, type LauncherOptions } from './engine/local/launcher.js';
export * from './table-refs.js';
