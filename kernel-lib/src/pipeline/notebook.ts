/** Reads an .ipynb (nbformat 4) into the cells the compiler works on. */
import { readFile } from 'node:fs/promises';
import { NotebookReadError } from './errors.js';

export interface NotebookCell {
  index: number;
  cellType: string;
  /** Source joined into one string, `\r\n` normalised to `\n`. */
  source: string;
  tags: string[];
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
}

export async function readNotebook(notebookPath: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(notebookPath, 'utf8');
  } catch (e) {
    throw new NotebookReadError(notebookPath, `cannot read notebook: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NotebookReadError(notebookPath, `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseNotebook(notebookPath, json);
}

export function parseNotebook(notebookPath: string, json: unknown): Notebook {
  const nb = json as { nbformat?: unknown; cells?: unknown; metadata?: unknown };
  if (typeof nb !== 'object' || nb === null || !Array.isArray(nb.cells))
    throw new NotebookReadError(notebookPath, 'not a Jupyter notebook (no "cells" array)');
  if (nb.nbformat !== 4)
    throw new NotebookReadError(notebookPath, `unsupported nbformat ${JSON.stringify(nb.nbformat)} (expected 4)`);
  const cells = nb.cells.map((raw, index): NotebookCell => {
    const c = raw as { cell_type?: unknown; source?: unknown; metadata?: { tags?: unknown } };
    const source = Array.isArray(c.source) ? c.source.join('') : typeof c.source === 'string' ? c.source : '';
    const tags = Array.isArray(c.metadata?.tags)
      ? (c.metadata!.tags as unknown[]).filter((t): t is string => typeof t === 'string')
      : [];
    return {
      index,
      cellType: typeof c.cell_type === 'string' ? c.cell_type : 'code',
      source: source.replace(/\r\n?/g, '\n'),
      tags,
    };
  });
  const metadata =
    typeof nb.metadata === 'object' && nb.metadata !== null ? (nb.metadata as Record<string, unknown>) : {};
  return { cells, metadata };
}
