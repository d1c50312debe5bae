/**
 * The Stillwater commands, registered once; the palette, the notebook toolbar, the cell
 * context menu and the keyboard shortcuts (schema/commands.json) all reuse them.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { registerExportCommand } from './export-command.js';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { buildIcon, fastForwardIcon, redoIcon, runIcon, stopIcon, undoIcon } from '@jupyterlab/ui-components';
import type { PipelineModel } from '../model/pipeline-model.js';
import { PipelineActions } from '../run/pipeline-actions.js';
import { CommandIDs, IPipelineActions, IStillwaterPipelines } from '../tokens.js';

/** The one PipelineActions of the app: the commands and the history view both require it. */
export const actionsPlugin: JupyterFrontEndPlugin<IPipelineActions> = {
  id: '@stillwater/jupyterlab:actions',
  description: 'Compile, run, cancel, export and history through the notebook’s kernel.',
  autoStart: true,
  provides: IPipelineActions,
  activate: (app: JupyterFrontEnd) => {
    const actions = new PipelineActions();
    actions.setContents(app.serviceManager.contents);
    return actions;
  },
};

export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:commands',
  description: 'Compile, run (all, from a step, one step), cancel; undo/redo of tag edits.',
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
    const { commands } = app;

    /** The current Stillwater notebook and its model, or null. */
    const current = (): { panel: NotebookPanel; model: PipelineModel } | null => {
      const panel = tracker.currentWidget;
      const model = panel ? pipelines.modelFor(panel) : null;
      return panel && model ? { panel, model } : null;
    };
    /** The step the active cell belongs to. */
    const activeStep = (): string | null => {
      const c = current();
      const id = c?.panel.content.activeCell?.model.id;
      return (id && c?.model.analysis.stepOfCell.get(id)) ?? null;
    };
    const notify = () => commands.notifyCommandChanged();
    const report = (title: string) => (err: unknown) =>
      void showErrorMessage(title, err instanceof Error ? err.message : String(err));

    const startRun = (selection: { from?: string; only?: string }) => {
      const c = current();
      if (!c) return;
      const run = actions.run(c.panel, c.model, pipelines.settings.values, selection);
      notify();
      return run.catch(report('Stillwater run failed')).finally(notify);
    };

    commands.addCommand(CommandIDs.compile, {
      label: 'Compile Pipeline',
      caption: 'Compile the notebook into a pipeline (in the notebook’s kernel) and show the compiler’s diagnostics',
      icon: buildIcon,
      isEnabled: () => !!current() && !actions.isRunning(current()?.model ?? null),
      execute: () => {
        const c = current();
        if (!c) return;
        return actions.compile(c.panel, c.model).catch(report('Stillwater compile failed'));
      },
    });
    commands.addCommand(CommandIDs.run, {
      label: 'Run Pipeline',
      caption: 'Compile and run the whole pipeline; the DAG shows each step live',
      icon: runIcon,
      isEnabled: () => !!current() && !actions.isRunning(current()?.model ?? null),
      execute: () => startRun({}),
    });
    commands.addCommand(CommandIDs.runFrom, {
      label: (args) => `Run Pipeline From ${(args.step as string | undefined) ?? activeStep() ?? 'This Step'}`,
      caption: 'Run this step and everything downstream; earlier results come from the cache',
      icon: fastForwardIcon,
      isEnabled: (args) => !!(args.step ?? activeStep()) && !actions.isRunning(current()?.model ?? null),
      execute: (args) => {
        const step = (args.step as string | undefined) ?? activeStep();
        if (step) return startRun({ from: step });
      },
    });
    commands.addCommand(CommandIDs.runOnly, {
      label: (args) => `Run Only ${(args.step as string | undefined) ?? activeStep() ?? 'This Step'}`,
      caption: 'Run just this step with its inputs from the newest earlier run',
      icon: runIcon,
      isEnabled: (args) => !!(args.step ?? activeStep()) && !actions.isRunning(current()?.model ?? null),
      execute: (args) => {
        const step = (args.step as string | undefined) ?? activeStep();
        if (step) return startRun({ only: step });
      },
    });
    commands.addCommand(CommandIDs.cancel, {
      label: 'Cancel Pipeline Run',
      caption: 'Stop the running pipeline (running steps are killed)',
      icon: stopIcon,
      isEnabled: () => actions.isRunning(current()?.model ?? null),
      execute: () => {
        const c = current();
        if (c) return actions.cancel(c.panel, c.model).catch(report('Stillwater cancel failed'));
      },
    });
    commands.addCommand(CommandIDs.undoTags, {
      label: 'Undo Tag Edit',
      icon: undoIcon,
      isEnabled: () => !!current()?.model.history.canUndo,
      execute: () => {
        current()?.model.undo();
        notify();
      },
    });
    commands.addCommand(CommandIDs.redoTags, {
      label: 'Redo Tag Edit',
      icon: redoIcon,
      isEnabled: () => !!current()?.model.history.canRedo,
      execute: () => {
        current()?.model.redo();
        notify();
      },
    });

    registerExportCommand(commands, actions, current, report);

    // Enablement follows the current notebook, its run and its tag history.
    const watched = new WeakSet<PipelineModel>();
    const watch = () => {
      const m = current()?.model;
      if (m && !watched.has(m)) {
        watched.add(m);
        m.changed.connect(notify);
        m.history.changed.connect(notify);
      }
      notify();
    };
    pipelines.currentChanged.connect(watch);
    tracker.activeCellChanged.connect(notify);
    watch();

    for (const command of Object.values(CommandIDs)) {
      if (command === CommandIDs.editTags || command === CommandIDs.showPanel || command === CommandIDs.openHistory)
        continue;
      palette?.addItem({ command, category: 'Stillwater' });
    }
  },
};
