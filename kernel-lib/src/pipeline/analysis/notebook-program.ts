/**
 * Phase 2: one virtual module of all taking-part cells (in order, each ended by `;`), one
 * TypeScript program, one checker — and the way back from a position to its cell and line.
 */
import path from 'node:path';
import type * as ts from 'typescript';
import type { CellBlock } from '../graph.js';
import { createNotebookProgram } from '../program.js';
import type { PreparedCell } from './types.js';

const VIRTUAL_NAME = '__stillwater_notebook__.ts';

export interface NotebookProgram {
  program: ts.Program;
  checker: ts.TypeChecker;
  sf: ts.SourceFile;
  virtualPath: string;
  cells: readonly PreparedCell[];
  /** The cell a position of the virtual module falls in. */
  cellAt(pos: number): PreparedCell;
  /** Character offset of a cell's first line in the virtual module. */
  offsetOf(cell: number): number;
  /** 1-based line of a node within its cell. */
  lineIn(cell: number, node: ts.Node): number;
  blockOf(cell: number): CellBlock;
}

export function buildNotebookProgram(notebookPath: string, prepared: readonly PreparedCell[]): NotebookProgram {
  const cellStart = new Map<number, { offset: number; line: number }>();
  let text = '';
  let lineNo = 0;
  for (const c of prepared) {
    cellStart.set(c.index, { offset: text.length, line: lineNo });
    text += `${c.code}\n;\n`;
    lineNo += c.code.split('\n').length + 1;
  }
  const virtualPath = path.join(path.dirname(path.resolve(notebookPath)), VIRTUAL_NAME);
  const program = createNotebookProgram(virtualPath, text);
  const sf = program.getSourceFile(virtualPath)!;
  const offsets = prepared.map((c) => cellStart.get(c.index)!.offset);
  return {
    program,
    checker: program.getTypeChecker(),
    sf,
    virtualPath,
    cells: prepared,
    cellAt: (pos) => {
      let lo = 0;
      let hi = offsets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (offsets[mid]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      return prepared[lo]!;
    },
    offsetOf: (cell) => cellStart.get(cell)!.offset,
    lineIn: (cell, node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line - cellStart.get(cell)!.line + 1,
    blockOf: (cell) => prepared.find((c) => c.index === cell)!.block,
  };
}
