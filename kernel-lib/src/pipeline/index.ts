/**
 * `@stillwater/kernel/pipeline`: notebook → DAG → data-flow → esbuild bundles +
 * `pipeline.json`. Start reading at `compile.ts`; the step contract the bundles
 * implement is STEP-CONTRACT.md.
 */
export * from './cell-tags.js';
export * from './diagnostics.js';
export * from './errors.js';
export * from './graph.js';
export * from './notebook.js';
export * from './runtime/errors.js';
export * from './settings.js';
export * from './spec.js';
// Types only: the analysis module loads TypeScript, which compile.ts loads on demand.
export type * from './analysis.js';
export * from './compile.js';
export * from './spec-schema.js';
export type { StepMeta } from './runtime/args.js';
