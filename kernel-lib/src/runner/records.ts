/**
 * Rows of the run history tables. The types live in the browser-safe
 * `@stillwater/kernel/contracts` (the JupyterLab extension's history view reads them).
 */
export type * from '../contracts/run-records.js';
