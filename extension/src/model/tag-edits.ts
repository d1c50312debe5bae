/**
 * Edits of cell tags that keep the DAG consistent: setting a cell's role, renaming a
 * step (every `prev:` pointing at it follows), removing a step (dangling `prev:`s go).
 * Each edit is one transaction on the shared model and one entry in `TagHistory`, so
 * undo reverts an edit — rename included — as a whole.
 */
import type { INotebookModel } from '@jupyterlab/notebook';
import { type ISignal, Signal } from '@lumino/signaling';
import { decodeRole, encodeRole, rewritePrev } from './grammar.js';
import { cellTags, findCell, writeTags } from './notebook-cells.js';
import type { CellRole } from './types.js';

/** One cell's tags before and after an edit. */
interface CellChange {
  cellId: string;
  before: string[];
  after: string[];
}

/** Undo/redo of tag edits; an entry is every cell one edit touched. */
export class TagHistory {
  private readonly _undo: CellChange[][] = [];
  private readonly _redo: CellChange[][] = [];
  private readonly _changed = new Signal<this, void>(this);

  constructor(readonly notebook: INotebookModel) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get canUndo(): boolean {
    return this._undo.length > 0;
  }
  get canRedo(): boolean {
    return this._redo.length > 0;
  }

  push(changes: CellChange[]): void {
    if (changes.length === 0) return;
    this._undo.push(changes);
    this._redo.length = 0;
    this._changed.emit();
  }

  undo(): boolean {
    const entry = this._undo.pop();
    if (!entry) return false;
    this._write(entry, 'before');
    this._redo.push(entry);
    this._changed.emit();
    return true;
  }

  redo(): boolean {
    const entry = this._redo.pop();
    if (!entry) return false;
    this._write(entry, 'after');
    this._undo.push(entry);
    this._changed.emit();
    return true;
  }

  private _write(entry: CellChange[], side: 'before' | 'after'): void {
    this.notebook.sharedModel.transact(() => {
      for (const change of entry) {
        const cell = findCell(this.notebook, change.cellId);
        if (cell) writeTags(cell, change[side]);
      }
    });
  }
}

/**
 * Applies `next` tags per cell id in one transaction and records them. Returns the
 * cells that changed.
 */
function applyChanges(notebook: INotebookModel, next: Map<string, string[]>, history?: TagHistory): CellChange[] {
  const changes: CellChange[] = [];
  notebook.sharedModel.transact(() => {
    for (const [cellId, after] of next) {
      const cell = findCell(notebook, cellId);
      if (!cell) continue;
      const before = cellTags(cell);
      if (before.length === after.length && before.every((t, i) => t === after[i])) continue;
      writeTags(cell, after);
      changes.push({ cellId, before, after: [...after] });
    }
  });
  history?.push(changes);
  return changes;
}

/**
 * Gives the cell `cellId` the role `role`. When it was a step and the step is renamed,
 * every other cell's `prev:OLD` becomes `prev:NEW`; when it stops being a step, every
 * `prev:OLD` is removed.
 */
export function setCellRole(notebook: INotebookModel, cellId: string, role: CellRole, history?: TagHistory): void {
  const cell = findCell(notebook, cellId);
  if (!cell) throw new Error(`no cell with id ${cellId}`);
  const current = cellTags(cell);
  const old = decodeRole(current);
  const next = new Map<string, string[]>([[cellId, encodeRole(role, current)]]);
  if (old.role === 'step' && old.name && (role.role !== 'step' || role.name !== old.name)) {
    const renamedTo = role.role === 'step' ? (role.name ?? null) : null;
    // Another cell may still define the old name (a merged Kale block): then keep pointers.
    if (renamedTo !== null || !definedElsewhere(notebook, old.name, cellId)) {
      for (let i = 0; i < notebook.cells.length; i++) {
        const other = notebook.cells.get(i);
        if (other.id === cellId) continue;
        const tags = cellTags(other);
        const rewritten = rewritePrev(tags, old.name, renamedTo);
        if (rewritten.length !== tags.length || rewritten.some((t, k) => t !== tags[k])) next.set(other.id, rewritten);
      }
    }
  }
  applyChanges(notebook, next, history);
}

/** Removes `prev:NAME` for each name no cell defines any more (after a step cell is deleted). */
export function removeDanglingPrev(notebook: INotebookModel, names: readonly string[], history?: TagHistory): void {
  const gone = names.filter((n) => !definedElsewhere(notebook, n, null));
  if (gone.length === 0) return;
  const next = new Map<string, string[]>();
  for (let i = 0; i < notebook.cells.length; i++) {
    const cell = notebook.cells.get(i);
    const tags = cellTags(cell);
    let rewritten = tags;
    for (const name of gone) rewritten = rewritePrev(rewritten, name, null);
    if (rewritten.length !== tags.length) next.set(cell.id, rewritten);
  }
  applyChanges(notebook, next, history);
}

function definedElsewhere(notebook: INotebookModel, name: string, exceptId: string | null): boolean {
  for (let i = 0; i < notebook.cells.length; i++) {
    const cell = notebook.cells.get(i);
    if (cell.id === exceptId) continue;
    const role = decodeRole(cellTags(cell));
    if (role.role === 'step' && role.name === name) return true;
  }
  return false;
}
