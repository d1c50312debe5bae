/**
 * Open Run History: a main-area view of the current notebook's past runs, read from the
 * runner's history tables through the notebook's kernel.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { historyIcon } from '@jupyterlab/ui-components';
import { CommandIDs, IPipelineActions, IStillwaterPipelines } from '../tokens.js';
import { HistoryView } from '../widgets/history-view.js';

export const historyPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:history',
  description: 'Past runs with status, duration, parameters and metrics; compare two runs.',
  autoStart: true,
  requires: [IStillwaterPipelines, INotebookTracker, IPipelineActions],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    pipelines: IStillwaterPipelines,
    tracker: INotebookTracker,
    actions: IPipelineActions,
    palette: ICommandPalette | null,
  ) => {
    app.commands.addCommand(CommandIDs.openHistory, {
      label: 'Open Run History',
      caption: 'Past pipeline runs of this notebook’s Stillwater home',
      icon: historyIcon,
      isEnabled: () => !!tracker.currentWidget && !!pipelines.modelFor(tracker.currentWidget),
      execute: () => {
        const panel = tracker.currentWidget;
        if (!panel) return;
        const view = new HistoryView(() => actions.history(panel));
        const widget = new MainAreaWidget({ content: view });
        widget.id = `stillwater-history-${panel.id}`;
        widget.title.label = `Runs: ${panel.context.localPath.split('/').pop()}`;
        widget.title.icon = historyIcon;
        widget.title.closable = true;
        app.shell.add(widget, 'main', { mode: 'split-right' });
      },
    });
    palette?.addItem({ command: CommandIDs.openHistory, category: 'Stillwater' });
  },
};
