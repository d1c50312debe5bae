/**
 * `@stillwater/kernel/contracts`: the shapes the kernel and its clients exchange — run
 * events (`schema/run-event.schema.json` is their wire contract), run history records, and
 * the requests the JupyterLab extension sends its kernel. Types only: importing this
 * subpath loads no code, so it is safe in the browser.
 */
export type * from './lab.js';
export type * from './run-events.js';
export type * from './run-records.js';
export type { RunComparison, ParamDiff, MetricDiff } from '../runner/compare.js';
