/**
 * `@stillwater/kernel/tags`: the browser-safe part of the compiler — the cell tag
 * grammar, the DAG builder and diagnostics. No Node APIs and no TypeScript
 * compiler, so the JupyterLab extension can draw the DAG without a kernel.
 */
export * from '../pipeline/cell-tags.js';
export * from '../pipeline/diagnostics.js';
export * from '../pipeline/graph.js';
export * from '../pipeline/settings.js';
export type * from '../pipeline/spec.js';
export { MARSHAL_KINDS, PIPELINE_SPEC_VERSION, STEP_KINDS } from '../pipeline/spec.js';
export * from '../pipeline/tags-parameters.js';
