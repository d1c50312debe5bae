/**
 * The pipeline panel in the right sidebar, following the current Stillwater notebook.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { CommandToolbarButton, ICommandPalette } from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { CommandIDs, IStillwaterPipelines } from '../tokens.js';
import { type JumpTarget, PipelinePanel } from '../widgets/pipeline-panel.js';

export const pipelineIcon = new LabIcon({
  name: 'stillwater:pipeline',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><rect x="9" y="2" width="6" height="5" rx="1"/><rect x="3" y="16" width="6" height="5" rx="1"/><rect x="15" y="16" width="6" height="5" rx="1"/><path d="M11.5 7h1v4h5.5v5h-1v-4h-10v4h-1v-5h5.5z"/></g></svg>',
});

/** Activates the notebook, selects the cell and, for a line, puts the cursor there. */
export function jumpToCell(app: JupyterFrontEnd, panel: NotebookPanel, target: JumpTarget): void {
  app.shell.activateById(panel.id);
  const notebook = panel.content;
  if (target.cellIndex < 0 || target.cellIndex >= notebook.widgets.length) return;
  notebook.activeCellIndex = target.cellIndex;
  const cell = notebook.widgets[target.cellIndex]!;
  void notebook.scrollToCell(cell).then(() => {
    if (target.line !== undefined && cell.editor) {
      notebook.mode = 'edit';
      cell.editor.setCursorPosition({ line: target.line - 1, column: 0 });
      cell.editor.focus();
    }
  });
}

/** State DB key: the panel was opened once in this workspace. */
const OPENED_KEY = 'stillwater:pipeline-panel-opened';

export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:panel',
  description: 'The pipeline DAG, problems, parameters and run state in the right sidebar.',
  autoStart: true,
  requires: [IStillwaterPipelines],
  optional: [ICommandPalette, ILayoutRestorer, ITranslator, IStateDB],
  activate: (
    app: JupyterFrontEnd,
    pipelines: IStillwaterPipelines,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    state: IStateDB | null,
  ) => {
    const trans = (translator ?? nullTranslator).load('stillwater');
    const panel = new PipelinePanel(pipelines, (nb, target) => jumpToCell(app, nb, target), trans);
    panel.title.icon = pipelineIcon;
    panel.title.caption = trans.__('Stillwater pipeline');
    app.shell.add(panel, 'right', { rank: 600 });
    // Whether the panel is open (and which sidebar tab is active) comes back with the layout.
    restorer?.add(panel, panel.id);
    // The DAG panel's own way to export (the command lives in the commands plugin).
    const exportButton = new CommandToolbarButton({ commands: app.commands, id: CommandIDs.exportPipeline });
    exportButton.addClass('sw-export-button');
    panel.insertWidget(1, exportButton);

    app.commands.addCommand(CommandIDs.showPanel, {
      label: trans.__('Show Pipeline Panel'),
      icon: pipelineIcon,
      execute: () => app.shell.activateById(panel.id),
    });
    palette?.addItem({ command: CommandIDs.showPanel, category: trans.__('Stillwater') });
    // Open the panel the first time a Stillwater notebook becomes current in this
    // workspace; after that the restored layout decides (a user who closed it keeps it closed).
    let opened = false;
    void state?.fetch(OPENED_KEY).then((seen) => {
      if (seen) opened = true;
    });
    pipelines.currentChanged.connect((_, current) => {
      if (current && !opened) {
        opened = true;
        app.shell.activateById(panel.id);
        void state?.save(OPENED_KEY, true);
      }
    });
  },
};
