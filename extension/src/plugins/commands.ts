/**
 * The Stillwater commands, registered once; the palette, the notebook toolbar, the cell
 * context menu and the keyboard shortcuts (schema/commands.json) all reuse them.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { registerExportCommand } from './export-command.js';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { buildIcon, fastForwardIcon, redoIcon, runIcon, stopIcon, undoIcon } from '@jupyterlab/ui-components';
import type { PipelineModel } from '../model/pipeline-model.js';
import { PipelineActions, type RunSelection } from '../run/pipeline-actions.js';
import { CommandIDs, IPipelineActions, IStillwaterPipelines } from '../tokens.js';

/** The one PipelineActions of the app: the commands and the history view both require it. */
export const actionsPlugin: JupyterFrontEndPlugin<IPipelineActions> = {
  id: '@stillwater/jupyterlab:actions',
  description: 'Compile, run, cancel, export and history through the notebook’s kernel.',
  autoStart: true,
  provides: IPipelineActions,
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, translator: ITranslator | null) => {
    const actions = new PipelineActions((translator ?? nullTranslator).load('stillwater'));
    actions.setContents(app.serviceManager.contents);
    return actions;
  },
};

export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:commands',
  description: 'Compile, run (all, from a step, one step), cancel; undo/redo of tag edits.',
  autoStart: true,
  requires: [IStillwaterPipelines, INotebookTracker, IPipelineActions],
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    pipelines: IStillwaterPipelines,
    tracker: INotebookTracker,
    actions: IPipelineActions,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
  ) => {
    const { commands } = app;
    const trans = (translator ?? nullTranslator).load('stillwater');

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

    const startRun = (selection: RunSelection, c = current()) => {
      if (!c) return;
      const run = actions.run(c.panel, c.model, pipelines.settings.values, selection);
      notify();
      return run.catch(report(trans.__('Stillwater run failed'))).finally(notify);
    };

    commands.addCommand(CommandIDs.compile, {
      label: trans.__('Compile Pipeline'),
      caption: trans.__(
        'Compile the notebook into a pipeline (in the notebook’s kernel) and show the compiler’s diagnostics',
      ),
      icon: buildIcon,
      isEnabled: () => !!current() && !actions.isRunning(current()?.model ?? null),
      execute: () => {
        const c = current();
        if (!c) return;
        return actions.compile(c.panel, c.model).catch(report(trans.__('Stillwater compile failed')));
      },
    });
    commands.addCommand(CommandIDs.run, {
      label: trans.__('Run Pipeline'),
      caption: trans.__('Compile and run the whole pipeline; the DAG shows each step live'),
      icon: runIcon,
      isEnabled: () => !!current() && !actions.isRunning(current()?.model ?? null),
      execute: () => startRun({}),
    });
    commands.addCommand(CommandIDs.runFrom, {
      label: (args) =>
        trans.__('Run Pipeline From %1', (args.step as string | undefined) ?? activeStep() ?? trans.__('This Step')),
      caption: trans.__('Run this step and everything downstream; earlier results come from the cache'),
      icon: fastForwardIcon,
      isEnabled: (args) => !!(args.step ?? activeStep()) && !actions.isRunning(current()?.model ?? null),
      execute: (args) => {
        const step = (args.step as string | undefined) ?? activeStep();
        if (step) return startRun({ from: step });
      },
    });
    commands.addCommand(CommandIDs.runOnly, {
      label: (args) =>
        trans.__('Run Only %1', (args.step as string | undefined) ?? activeStep() ?? trans.__('This Step')),
      caption: trans.__('Run just this step with its inputs from the newest earlier run'),
      icon: runIcon,
      isEnabled: (args) => !!(args.step ?? activeStep()) && !actions.isRunning(current()?.model ?? null),
      execute: (args) => {
        const step = (args.step as string | undefined) ?? activeStep();
        if (step) return startRun({ only: step });
      },
    });
    /** The Stillwater notebook open at `path`, or the current one. */
    const notebookAt = (path: string | undefined) => {
      if (path === undefined) return current();
      const panel = tracker.find((p) => p.context.path === path);
      const model = panel ? pipelines.modelFor(panel) : null;
      return panel && model ? { panel, model } : null;
    };
    commands.addCommand(CommandIDs.rerun, {
      label: (args) =>
        trans.__('Re-run With Parameters of %1', (args.runId as string | undefined) ?? trans.__('a Run')),
      caption: trans.__('Run the pipeline again with exactly the parameters an earlier run used'),
      icon: redoIcon,
      isEnabled: (args) => {
        const c = notebookAt(args.path as string | undefined);
        return !!args.runId && !!c && !actions.isRunning(c.model);
      },
      execute: (args) => {
        const runId = args.runId as string | undefined;
        if (runId) return startRun({ paramsFrom: runId }, notebookAt(args.path as string | undefined));
      },
    });
    commands.addCommand(CommandIDs.cancel, {
      label: trans.__('Cancel Pipeline Run'),
      caption: trans.__('Stop the running pipeline (running steps are killed)'),
      icon: stopIcon,
      isEnabled: () => actions.isRunning(current()?.model ?? null),
      execute: () => {
        const c = current();
        if (c) return actions.cancel(c.panel, c.model).catch(report(trans.__('Stillwater cancel failed')));
      },
    });
    commands.addCommand(CommandIDs.undoTags, {
      label: trans.__('Undo Tag Edit'),
      icon: undoIcon,
      isEnabled: () => !!current()?.model.history.canUndo,
      execute: () => {
        current()?.model.undo();
        notify();
      },
    });
    commands.addCommand(CommandIDs.redoTags, {
      label: trans.__('Redo Tag Edit'),
      icon: redoIcon,
      isEnabled: () => !!current()?.model.history.canRedo,
      execute: () => {
        current()?.model.redo();
        notify();
      },
    });

    registerExportCommand(commands, actions, current, report, trans);

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
      if (
        command === CommandIDs.editTags ||
        command === CommandIDs.showPanel ||
        command === CommandIDs.openHistory ||
        command === CommandIDs.rerun
      )
        continue;
      palette?.addItem({ command, category: trans.__('Stillwater') });
    }
  },
};
