/**
 * The local runner: executes a compiled pipeline on this machine — each step in
 * its own process, in parallel over the DAG, cached by content, resumable, with
 * the run history kept as Delta tables. Start reading at `run-pipeline.ts`.
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
export * from './run-pipeline.js';
export * from './scheduler.js';
export * from './step-contract.js';
export * from './step-process.js';
export * from './table-refs.js';
