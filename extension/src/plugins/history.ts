/**
 * Open Run History: a main-area view of a notebook's past runs, read from the runner's
 * history through the notebook's kernel. Views are tracked (WidgetTracker) and restored
 * with the layout: each reopens for its notebook's path. What the user set in a view —
 * filter, ticked runs, the run shown, the trend's metric — is kept in the state database
 * per notebook, so a reload or closing and reopening the view brings it back.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { historyIcon } from '@jupyterlab/ui-components';
import { CommandIDs, IPipelineActions, IStillwaterPipelines } from '../tokens.js';
import { HistoryView, type HistoryViewState } from '../widgets/history-view.js';

/** How long a restored history view waits for its notebook to be restored too. */
const NOTEBOOK_WAIT_MS = 60_000;
/** State database key of a notebook's history view state, before the notebook's path. */
const VIEW_STATE_PREFIX = '@stillwater/jupyterlab:history-view:';

export const historyPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:history',
  description: 'Past runs: filter, compare, metric trend, re-run with a run’s parameters.',
  autoStart: true,
  requires: [IStillwaterPipelines, INotebookTracker, IPipelineActions],
  optional: [ICommandPalette, ILayoutRestorer, ITranslator, IStateDB],
  activate: (
    app: JupyterFrontEnd,
    pipelines: IStillwaterPipelines,
    tracker: INotebookTracker,
    actions: IPipelineActions,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    stateDB: IStateDB | null,
  ) => {
    const trans = (translator ?? nullTranslator).load('stillwater');
    const views = new WidgetTracker<MainAreaWidget<HistoryView>>({ namespace: 'stillwater-history' });
    void restorer?.restore(views, {
      command: CommandIDs.openHistory,
      args: (w) => ({ path: w.content.notebookPath }),
      name: (w) => w.content.notebookPath,
    });

    /** The open notebook at `path`; a restored view may come before its notebook is back. */
    const panelFor = (path: string): Promise<NotebookPanel> => {
      const open = tracker.find((p) => p.context.path === path);
      if (open) return Promise.resolve(open);
      return new Promise((resolve, reject) => {
        const onAdded = (_: unknown, p: NotebookPanel) => {
          if (p.context.path !== path) return;
          tracker.widgetAdded.disconnect(onAdded);
          clearTimeout(timer);
          resolve(p);
        };
        const timer = setTimeout(() => {
          tracker.widgetAdded.disconnect(onAdded);
          reject(new Error(trans.__('Open %1 to read its run history.', path)));
        }, NOTEBOOK_WAIT_MS);
        tracker.widgetAdded.connect(onAdded);
      });
    };

    // An open history follows its notebook: a run that ends (from anywhere) shows up.
    actions.runEnded.connect((_, panel) => {
      const view = views.find((w) => w.content.notebookPath === panel.context.path);
      if (view) void view.content.refresh();
    });

    app.commands.addCommand(CommandIDs.openHistory, {
      label: trans.__('Open Run History'),
      caption: trans.__('Past pipeline runs of this notebook’s Stillwater home'),
      icon: historyIcon,
      isEnabled: (args) => !!args.path || (!!tracker.currentWidget && !!pipelines.modelFor(tracker.currentWidget)),
      execute: async (args) => {
        const path = (args.path as string | undefined) ?? tracker.currentWidget?.context.path;
        if (!path) return;
        const existing = views.find((w) => w.content.notebookPath === path);
        if (existing) {
          app.shell.activateById(existing.id);
          return existing.content.refresh();
        }
        const stateKey = `${VIEW_STATE_PREFIX}${path}`;
        const saved = (await stateDB?.fetch(stateKey).catch(() => undefined)) as Partial<HistoryViewState> | undefined;
        const view = new HistoryView({
          notebookPath: path,
          trans,
          initialState: saved ?? {},
          load: async (filter, runIds) => actions.history(await panelFor(path), runIds, filter),
          askLineage: async (table, version) => actions.lineage(await panelFor(path), table, version),
          onRerun: (run) => void app.commands.execute(CommandIDs.rerun, { path, runId: run.runId }),
        });
        view.stateChanged.connect((_, state) => {
          void stateDB?.save(stateKey, state as unknown as ReadonlyPartialJSONObject);
        });
        const widget = new MainAreaWidget({ content: view });
        widget.id = `stillwater-history-${encodeURIComponent(path)}`;
        widget.title.label = trans.__('Runs: %1', path.split('/').pop() ?? path);
        widget.title.icon = historyIcon;
        widget.title.closable = true;
        void views.add(widget);
        app.shell.add(widget, 'main', { mode: 'split-right' });
      },
    });
    palette?.addItem({ command: CommandIDs.openHistory, category: trans.__('Stillwater') });
  },
};
