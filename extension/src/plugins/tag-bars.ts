/**
 * Tag bars above the code cells of Stillwater notebooks (hidden by the showTagBars
 * setting), and the Edit Tags command that opens the active cell's editor.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { tagIcon } from '@jupyterlab/ui-components';
import { CommandIDs, IStillwaterPipelines } from '../tokens.js';
import { TagBarManager } from '../widgets/tag-bars.js';

export const tagBarsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:tag-bars',
  description: 'Shows and edits each code cell’s Stillwater role above the cell.',
  autoStart: true,
  requires: [IStillwaterPipelines, INotebookTracker],
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    pipelines: IStillwaterPipelines,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
  ) => {
    const trans = (translator ?? nullTranslator).load('stillwater');
    const managers = new Map<NotebookPanel, TagBarManager>();
    const attach = (panel: NotebookPanel) => {
      const model = pipelines.modelFor(panel);
      if (!model || managers.has(panel) || !pipelines.settings.values.showTagBars) return;
      managers.set(panel, new TagBarManager(panel.content, model, trans));
      panel.disposed.connect(() => {
        managers.get(panel)?.dispose();
        managers.delete(panel);
      });
    };
    pipelines.modelAdded.connect((_, { panel }) => attach(panel));
    tracker.forEach(attach);
    pipelines.settings.changed.connect((_, values) => {
      if (values.showTagBars) tracker.forEach(attach);
      else {
        for (const manager of managers.values()) manager.dispose();
        managers.clear();
      }
    });

    app.commands.addCommand(CommandIDs.editTags, {
      label: trans.__('Edit Stillwater Tags of This Cell'),
      caption: trans.__('Set the cell’s role, step name, kind and dependencies'),
      icon: tagIcon,
      isEnabled: () => {
        const panel = tracker.currentWidget;
        return !!panel && managers.has(panel) && panel.content.activeCell?.model.type === 'code';
      },
      execute: () => {
        const panel = tracker.currentWidget;
        const cell = panel?.content.activeCell;
        if (!panel || !cell) return;
        managers.get(panel)?.barFor(cell.model.id)?.toggleEditor();
      },
    });
    palette?.addItem({ command: CommandIDs.editTags, category: trans.__('Stillwater') });
  },
};
