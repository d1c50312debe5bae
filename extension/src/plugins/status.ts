/**
 * A status bar item with the current Stillwater notebook's run: what was asked (Run, Run
 * from a step, Re-run …) and its state, live; clicking it shows the pipeline panel.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { PipelineModel } from '../model/pipeline-model.js';
import { CommandIDs, IStillwaterPipelines } from '../tokens.js';

export const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: '@stillwater/jupyterlab:status',
  description: 'The current notebook’s pipeline run state in the status bar.',
  autoStart: true,
  requires: [IStillwaterPipelines],
  optional: [IStatusBar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    pipelines: IStillwaterPipelines,
    statusBar: IStatusBar | null,
    translator: ITranslator | null,
  ) => {
    if (!statusBar) return;
    const trans = (translator ?? nullTranslator).load('stillwater');
    const item = new Widget();
    item.addClass('sw-StatusItem');
    item.node.title = trans.__('Stillwater pipeline run — click to show the pipeline panel');
    item.node.addEventListener('click', () => void app.commands.execute(CommandIDs.showPanel));
    const activeChanged = new Signal<Widget, void>(item);
    let watched: PipelineModel | null = null;
    const render = () => {
      const model = pipelines.current ? pipelines.modelFor(pipelines.current) : null;
      if (model !== watched) {
        watched?.changed.disconnect(render);
        model?.changed.connect(render);
        watched = model;
      }
      const run = model?.run ?? null;
      item.node.dataset.status = run?.status ?? 'idle';
      if (!model) item.node.textContent = '';
      else if (!run) item.node.textContent = trans.__('Pipeline: idle');
      else if (run.finished) item.node.textContent = trans.__('Pipeline: %1 · %2', run.label, trans.__(run.status));
      else {
        const { ended, total } = run.progress;
        item.node.textContent = trans.__(
          'Pipeline: %1 · %2 (%3/%4 steps)',
          run.label,
          trans.__(run.status),
          ended,
          total,
        );
      }
      activeChanged.emit();
    };
    pipelines.currentChanged.connect(render);
    render();
    statusBar.registerStatusItem(statusPlugin.id, {
      item,
      align: 'left',
      rank: 40,
      // Only while a Stillwater notebook is current.
      isActive: () => !!watched,
      activeStateChanged: activeChanged,
    });
  },
};
