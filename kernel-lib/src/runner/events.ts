/**
 * The run event stream: what `runPipeline` yields, what `stillwater run --json` prints one
 * per line. The types live in the browser-safe `@stillwater/kernel/contracts` (the
 * JupyterLab extension reads the same shapes); `schema/run-event.schema.json` is the wire
 * contract they are tested against (tests/unit/contracts).
 */
export type * from '../contracts/run-events.js';
