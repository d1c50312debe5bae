/**
 * Python source literals for data (the Airflow DAG file). Strings are written
 * ASCII-only with escapes, so no user text can end a literal, start a comment or
 * change the file's encoding; `ast.literal_eval` of the output gives the value back.
 */
import { ExportValueError } from './errors.js';

/** A Python string literal, double-quoted, ASCII only. */
export function pyString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) {
      throw new ExportValueError(`text ${JSON.stringify(text)} holds a lone UTF-16 surrogate`);
    } else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A Python literal for a JSON value: dict/list/str/int/float/bool/None. */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ExportValueError(`cannot write the number ${value} as a Python literal`);
    // JavaScript's shortest round-trip text reads back as the same double in Python.
    return Object.is(value, -0) ? '-0.0' : String(value);
  }
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pyString(k)}: ${pyLiteral(v)}`).join(', ')}}`;
  }
  throw new ExportValueError(`cannot write a ${typeof value} as a Python literal`);
}
