/**
 * `throw` statements whose value may not be an Error (`throw 'a string'`, `throw e`).
 * V8 records no stack for such a value, so the step entry wraps the operand —
 * `throw __sw_thrown(x)`, which returns `x` unchanged after recording where it was
 * thrown (runtime/thrown.ts) — and a failure still names the notebook cell and line.
 */

/** The identifier the step entry imports the runtime's `thrown` as. */
export const THROWN_FN = '__sw_thrown';

/** [start, end) offsets of an operand within the cell's code. */
export interface Span {
  start: number;
  end: number;
}

export interface WrappedLines {
  lines: string[];
  /** Per line: [start, end) columns of text that was inserted (not in the cell). */
  inserted: [number, number][][];
}

/** The cell's code split into lines, each operand of `spans` wrapped in `__sw_thrown(…)`. */
export function wrapThrowOperands(code: string, spans: readonly Span[]): WrappedLines {
  const edits = spans
    .flatMap((s) => [
      { at: s.start, text: `${THROWN_FN}(` },
      { at: s.end, text: ')' },
    ])
    .sort((a, b) => a.at - b.at);
  const lines: string[] = [];
  const inserted: [number, number][][] = [];
  let lineStart = 0;
  let e = 0;
  for (const original of code.split('\n')) {
    const lineEnd = lineStart + original.length;
    let text = '';
    let from = lineStart;
    const ranges: [number, number][] = [];
    // An edit at a line's end belongs to that line (an operand ends before its newline).
    for (; e < edits.length && edits[e]!.at <= lineEnd; e++) {
      const edit = edits[e]!;
      text += code.slice(from, edit.at);
      ranges.push([text.length, text.length + edit.text.length]);
      text += edit.text;
      from = edit.at;
    }
    lines.push(text + code.slice(from, lineEnd));
    inserted.push(ranges);
    lineStart = lineEnd + 1;
  }
  return { lines, inserted };
}
