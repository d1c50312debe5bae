/**
 * @stillwater/jupyterlab — one plugin per concern:
 * - pipelines: a PipelineModel per Stillwater notebook (tags → DAG, run state), settings
 * - tag-bars: the role bar and tag editor above each code cell
 * - panel: the DAG / problems / parameters / metrics sidebar
 * - actions: the kernel requests (compile, run, cancel, export, history), as a token
 * - commands: compile, run, run from / only a step, cancel, undo/redo of tag edits
 * - history: past runs — filter, compare, metric trend, re-run (restored with the layout)
 * - status: the current run's state in the status bar
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { actionsPlugin, commandsPlugin } from './plugins/commands.js';
import { historyPlugin } from './plugins/history.js';
import { panelPlugin } from './plugins/panel.js';
import { pipelinesPlugin } from './plugins/pipelines.js';
import { statusPlugin } from './plugins/status.js';
import { tagBarsPlugin } from './plugins/tag-bars.js';

export { CommandIDs, IPipelineActions, IStillwaterPipelines } from './tokens.js';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  pipelinesPlugin,
  tagBarsPlugin,
  panelPlugin,
  actionsPlugin,
  commandsPlugin,
  historyPlugin,
  statusPlugin,
];
export default plugins;
