/**
 * Reading and writing cell tags on a live NotebookModel. Tags are ordinary
 * `metadata.tags`, so the notebook stays a plain .ipynb that Kale reads the same way.
 */
import type { ICellModel } from '@jupyterlab/cells';
import type { INotebookModel } from '@jupyterlab/notebook';
import type { CellInfo } from './types.js';

export function cellTags(cell: ICellModel): string[] {
  const tags = cell.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** All cells (the grammar needs markdown cells too: indices count every cell). */
export function readCells(notebook: INotebookModel): CellInfo[] {
  const out: CellInfo[] = [];
  for (let i = 0; i < notebook.cells.length; i++) {
    const cell = notebook.cells.get(i);
    out.push({
      index: i,
      id: cell.id,
      cellType: cell.type,
      source: cell.sharedModel.getSource(),
      tags: cellTags(cell),
    });
  }
  return out;
}

/** Writes a cell's tags; an empty list removes the key so untagged cells stay clean. */
export function writeTags(cell: ICellModel, tags: readonly string[]): void {
  const current = cellTags(cell);
  if (current.length === tags.length && current.every((t, i) => t === tags[i])) return;
  if (tags.length === 0) cell.deleteMetadata('tags');
  else cell.setMetadata('tags', [...tags]);
}

export function findCell(notebook: INotebookModel, id: string): ICellModel | null {
  for (let i = 0; i < notebook.cells.length; i++) {
    const cell = notebook.cells.get(i);
    if (cell.id === id) return cell;
  }
  return null;
}
