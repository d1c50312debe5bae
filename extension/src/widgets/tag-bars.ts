/**
 * Keeps one TagBar above every code cell of a notebook widget, as cells are added,
 * removed or change type.
 */
import type { Cell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import type { PanelLayout } from '@lumino/widgets';
import type { PipelineModel } from '../model/pipeline-model.js';
import { TagBar } from './tag-bar.js';

export class TagBarManager implements IDisposable {
  private readonly _bars = new Map<Cell, TagBar>();
  private _disposed = false;

  constructor(
    private readonly _notebook: Notebook,
    private readonly _model: PipelineModel,
    private readonly _trans?: TranslationBundle,
  ) {
    _notebook.model?.cells.changed.connect(this.sync, this);
    this.sync();
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The bar of the cell with this model id, if it has one. */
  barFor(cellId: string): TagBar | undefined {
    for (const bar of this._bars.values()) if (bar.cellId === cellId) return bar;
    return undefined;
  }

  /** Adds missing bars, drops bars of cells that are gone or no longer code. */
  sync(): void {
    if (this._disposed) return;
    const live = new Set<Cell>();
    for (const cell of this._notebook.widgets) {
      if (cell.model.type !== 'code' || cell.isDisposed) continue;
      live.add(cell);
      if (this._bars.has(cell)) continue;
      const bar = new TagBar(this._model, cell.model.id, this._trans);
      (cell.layout as PanelLayout).insertWidget(0, bar);
      this._bars.set(cell, bar);
    }
    for (const [cell, bar] of this._bars) {
      if (!live.has(cell)) {
        bar.dispose();
        this._bars.delete(cell);
      }
    }
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._notebook.model?.cells.changed.disconnect(this.sync, this);
    for (const bar of this._bars.values()) bar.dispose();
    this._bars.clear();
  }
}
