/** Reads an .ipynb (nbformat 4) into the cells the compiler works on. */
import { readFile } from 'node:fs/promises';
import { NotebookFormatError, NotebookReadError } from './errors.js';

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
    throw new NotebookReadError(notebookPath, `cannot read notebook: ${fileProblem(e)}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NotebookReadError(notebookPath, `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseNotebook(notebookPath, json);
}

/** A file system error in words (the code alone, ENOENT, means little to a user). */
function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}

/**
 * The notebook's cells and metadata, after checking what the compiler relies on
 * against the nbformat 4 schema: a `cells` list of objects, each with a known
 * `cell_type`, a `source` that is a string or a list of strings, object
 * `metadata`, and `tags` that are a list of strings. Throws NotebookFormatError
 * naming the cell.
 */
export function parseNotebook(notebookPath: string, json: unknown): Notebook {
  const nb = json as { nbformat?: unknown; cells?: unknown; metadata?: unknown };
  if (!isObject(nb) || !Array.isArray(nb.cells))
    throw new NotebookReadError(notebookPath, 'not a Jupyter notebook (no "cells" array)');
  if (nb.nbformat !== 4)
    throw new NotebookReadError(notebookPath, `unsupported nbformat ${JSON.stringify(nb.nbformat)} (expected 4)`);
  if (nb.metadata !== undefined && !isObject(nb.metadata))
    throw new NotebookFormatError(notebookPath, `notebook ${mustBe('metadata', 'an object', nb.metadata)}`);
  const cells = nb.cells.map((raw, index): NotebookCell => {
    const bad = (message: string): never => {
      throw new NotebookFormatError(notebookPath, message, index);
    };
    if (!isObject(raw)) return bad(`a cell must be an object, not ${kindOf(raw)}`);
    const c = raw as { cell_type?: unknown; source?: unknown; metadata?: unknown; outputs?: unknown };
    if (typeof c.cell_type !== 'string' || !CELL_TYPES.has(c.cell_type))
      bad(mustBe('cell_type', 'one of code, markdown, raw', c.cell_type));
    const source =
      Array.isArray(c.source) && c.source.every((l) => typeof l === 'string') ? c.source.join('') : c.source;
    if (typeof source !== 'string') bad(mustBe('source', 'a string or a list of strings', c.source));
    if (c.metadata !== undefined && !isObject(c.metadata)) bad(mustBe('metadata', 'an object', c.metadata));
    const tags = (c.metadata as { tags?: unknown } | undefined)?.tags;
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string')))
      bad(mustBe('metadata.tags', 'a list of strings', tags));
    if (c.cell_type === 'code' && c.outputs !== undefined && !Array.isArray(c.outputs))
      bad(mustBe('outputs', 'a list', c.outputs));
    return {
      index,
      cellType: c.cell_type as string,
      source: (source as string).replace(/\r\n?/g, '\n'),
      tags: (tags as string[] | undefined) ?? [],
    };
  });
  return { cells, metadata: (nb.metadata as Record<string, unknown> | undefined) ?? {} };
}

const CELL_TYPES = new Set(['code', 'markdown', 'raw']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mustBe(field: string, expected: string, got: unknown): string {
  return got === undefined
    ? `"${field}" is missing (${expected})`
    : `"${field}" must be ${expected}, not ${kindOf(got)}`;
}

/** What a JSON value is, for messages: `a number (42)`, `a list holding a number`, … */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const odd = v.find((x) => typeof x !== 'string');
    return odd === undefined ? 'a list' : `a list holding ${kindOf(odd)}`;
  }
  if (typeof v === 'object') return 'an object';
  const shown = JSON.stringify(v);
  return `a ${typeof v} (${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown})`;
}
