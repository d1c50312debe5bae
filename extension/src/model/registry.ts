/**
 * One PipelineModel per open Stillwater notebook: notebooks on the tslab kernel, or
 * with Stillwater enabled in their metadata (`metadata.stillwater`). Other notebooks
 * are left alone.
 */
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IStillwaterPipelines } from '../tokens.js';
import { PipelineModel } from './pipeline-model.js';
import { StillwaterSettings } from './settings.js';

/** Whether a notebook panel is one Stillwater should decorate. */
export function isStillwaterNotebook(panel: NotebookPanel): boolean {
  const model = panel.context.model;
  if (model.getMetadata('stillwater') !== undefined) return true;
  const spec = model.getMetadata('kernelspec') as { name?: string; language?: string } | undefined;
  if (spec?.name === 'tslab' || spec?.language === 'typescript') return true;
  const kernel = panel.sessionContext.session?.kernel?.name ?? panel.sessionContext.kernelPreference.name;
  return kernel === 'tslab';
}

export class PipelineRegistry implements IStillwaterPipelines {
  readonly settings = new StillwaterSettings();
  private readonly _models = new Map<NotebookPanel, PipelineModel>();
  private readonly _currentChanged = new Signal<this, NotebookPanel | null>(this);
  private readonly _modelAdded = new Signal<this, { panel: NotebookPanel; model: PipelineModel }>(this);

  constructor(private readonly _tracker: INotebookTracker) {
    _tracker.widgetAdded.connect((_, panel) => this._track(panel));
    _tracker.currentChanged.connect(() => this._currentChanged.emit(this.current));
    _tracker.forEach((panel) => {
      this._track(panel);
    });
  }

  get currentChanged(): ISignal<this, NotebookPanel | null> {
    return this._currentChanged;
  }
  get modelAdded(): ISignal<this, { panel: NotebookPanel; model: PipelineModel }> {
    return this._modelAdded;
  }
  get current(): NotebookPanel | null {
    const panel = this._tracker.currentWidget;
    return panel && this._models.has(panel) ? panel : null;
  }

  modelFor(panel: NotebookPanel): PipelineModel | null {
    return this._models.get(panel) ?? null;
  }

  private _track(panel: NotebookPanel): void {
    const check = () => {
      if (panel.isDisposed || this._models.has(panel) || !isStillwaterNotebook(panel)) return;
      const model = new PipelineModel(panel.context.model);
      this._models.set(panel, model);
      panel.disposed.connect(() => {
        this._models.delete(panel);
        model.dispose();
        this._currentChanged.emit(this.current);
      });
      this._modelAdded.emit({ panel, model });
      if (this._tracker.currentWidget === panel) this._currentChanged.emit(panel);
    };
    void panel.context.ready.then(() => {
      check();
      panel.context.model.metadataChanged.connect(check);
      panel.sessionContext.kernelChanged.connect(check);
    });
  }
}
