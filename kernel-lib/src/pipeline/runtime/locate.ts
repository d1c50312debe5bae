/**
 * Maps an error's stack back to notebook cells through the bundle's linked
 * source map, whose sources are named `<notebook>/cell-<index>`.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface CellPosition {
  cell: number;
  /** 1-based, within the cell. */
  line: number;
  column: number;
}

export interface MappedFrame {
  text: string;
  position?: CellPosition;
}

const CELL_SOURCE = /(?:^|[\\/])cell-(\d+)$/;
const FRAME = /^(\s*at (?:.*?\()?)(file:\/\/[^)]+?|\/[^):]+?):(\d+):(\d+)(\)?.*)$/;

/** Loads the source map of `bundleUrl` (`<bundle>.map`), or undefined if there is none. */
export function loadBundleMap(bundleUrl: string): SourceMap | undefined {
  try {
    const file = bundleUrl.startsWith('file:') ? fileURLToPath(bundleUrl) : bundleUrl;
    return new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Rewrites each stack frame in the bundle to its cell position. */
export function mapStack(stack: string, bundleUrl: string, map: SourceMap | undefined): MappedFrame[] {
  const bundlePath = bundleUrl.startsWith('file:') ? fileURLToPath(bundleUrl) : bundleUrl;
  return stack
    .split('\n')
    .slice(1)
    .map((text) => {
      const m = FRAME.exec(text);
      if (!m) return { text };
      const file = m[2]!.startsWith('file:') ? fileURLToPath(m[2]!) : m[2]!;
      // Under `node --enable-source-maps` frames already point at `<notebook>/cell-<index>`.
      const direct = CELL_SOURCE.exec(file);
      if (direct) {
        const position = { cell: Number(direct[1]), line: Number(m[3]), column: Number(m[4]) };
        return { text: `${m[1]}cell ${position.cell}, line ${position.line}:${position.column}${m[5]}`, position };
      }
      if (file !== bundlePath || !map) return { text };
      const entry = map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      const cell = entry.originalSource ? CELL_SOURCE.exec(entry.originalSource) : null;
      if (!cell) return { text };
      const position = { cell: Number(cell[1]), line: entry.originalLine! + 1, column: entry.originalColumn! + 1 };
      return { text: `${m[1]}cell ${position.cell}, line ${position.line}:${position.column}${m[5]}`, position };
    });
}
