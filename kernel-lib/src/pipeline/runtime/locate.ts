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
// `at fn (file:…:L:C)`, `at file:…:L:C`, and V8's async frames `at async fn (…)`, `at async file:…`.
const FRAME = /^(\s*at (?:async )?(?:.*?\()?)(file:\/\/[^)]+?|\/[^):]+?):(\d+):(\d+)(\)?.*)$/;

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
    .filter((text) => /^\s*at /.test(text)) // not the header, nor the lines of a multi-line message
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
      const line = Number(m[3]) - 1;
      const entry = map.findEntry(line, Number(m[4]) - 1) as {
        generatedLine?: number;
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      // findEntry falls back to the nearest mapping before the position, even on an earlier
      // line: a frame in the generated wrapper would borrow the last cell line above it.
      const cell = entry.originalSource && entry.generatedLine === line ? CELL_SOURCE.exec(entry.originalSource) : null;
      if (!cell) return { text };
      const position = { cell: Number(cell[1]), line: entry.originalLine! + 1, column: entry.originalColumn! + 1 };
      return { text: `${m[1]}cell ${position.cell}, line ${position.line}:${position.column}${m[5]}`, position };
    });
}
