/**
 * Builds the source map of a generated step entry: each generated line either
 * comes from a notebook cell line (same columns) or is wrapper code (unmapped).
 * esbuild chains it into the bundle's map, so bundle positions map to cells.
 */
export interface LineOrigin {
  cell: number;
  /** 0-based line within the cell. */
  line: number;
  /** [start, end) columns of the generated line that are not in the cell (wrapped `throw` operands). */
  inserted?: [number, number][];
}

/** The cell column of generated column `col`: inserted text maps to where it was inserted. */
function originalColumn(col: number, inserted: readonly [number, number][] | undefined): number {
  let shift = 0;
  for (const [start, end] of inserted ?? []) {
    if (col < start) break;
    if (col < end) return start - shift;
    shift += end - start;
  }
  return col - shift;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/** Token starts on a line: a segment at each keeps column positions exact after chaining. */
function tokenStarts(line: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') continue;
    const p = i === 0 ? ' ' : line[i - 1]!;
    const word = /[\w$]/;
    if (i === 0 || p === ' ' || p === '\t' || !word.test(c) || !word.test(p)) out.push(i);
  }
  return out.length ? out : [0];
}

/**
 * A v3 source map for `lines` (generated text split by '\n'), where `origins[i]`
 * says where line i came from. `sources` are named `<notebookName>/cell-<index>`.
 */
export function buildEntrySourceMap(
  lines: readonly string[],
  origins: readonly (LineOrigin | null)[],
  notebookName: string,
  cellSources: ReadonlyMap<number, string>,
): string {
  const cells = [...new Set(origins.filter((o): o is LineOrigin => o !== null).map((o) => o.cell))].sort(
    (a, b) => a - b,
  );
  const sourceIndex = new Map(cells.map((c, i) => [c, i]));
  let prevSource = 0;
  let prevLine = 0;
  let prevCol = 0;
  const mappings = lines.map((text, i) => {
    const o = origins[i];
    if (!o) return '';
    let genCol = 0;
    return tokenStarts(text)
      .map((col) => {
        const s = sourceIndex.get(o.cell)!;
        const orig = originalColumn(col, o.inserted);
        const seg = vlq(col - genCol) + vlq(s - prevSource) + vlq(o.line - prevLine) + vlq(orig - prevCol);
        genCol = col;
        prevSource = s;
        prevLine = o.line;
        prevCol = orig;
        return seg;
      })
      .join(',');
  });
  return JSON.stringify({
    version: 3,
    sources: cells.map((c) => `${notebookName}/cell-${c}`),
    sourcesContent: cells.map((c) => cellSources.get(c) ?? ''),
    names: [],
    mappings: mappings.join(';'),
  });
}
