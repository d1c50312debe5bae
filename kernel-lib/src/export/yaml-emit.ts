/**
 * YAML out of plain data, through the `yaml` package (never by pasting text together).
 * Output is for YAML 1.1 readers too (Kubernetes, Argo and KFP read YAML with Go
 * libraries of the libyaml family): `yes`/`on`/`0755`-like strings get quotes, and
 * characters that such readers take as line breaks or drop (NEL, LS, PS, BOM, C1
 * controls) only ever appear escaped inside double quotes, so every string reads back
 * exactly as it was written.
 */
import { Document, visit } from 'yaml';
import { sortKeys } from '../pipeline/canonical-json.js';
import { ExportValueError } from './errors.js';

/** Characters a double-quoted scalar must carry as escapes rather than raw. */
const ESCAPE_RAW = /[\u0080-\u009f\u2028\u2029\ufeff]/g;
/** Strings holding control characters (but tab and newline), NEL, LS, PS or BOM are written double-quoted. */
function needsDoubleQuotes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      (c < 0x20 && c !== 0x09 && c !== 0x0a) ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0xfeff
    ) {
      return true;
    }
  }
  return false;
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface YamlOptions {
  /** Sort mapping keys (KFP's SDK writes its IR that way). */
  sortKeys?: boolean;
}

/** One YAML document for `value` (plain objects, arrays, strings, finite numbers, booleans, null). */
export function toYaml(value: unknown, options: YamlOptions = {}): string {
  // Sorted here rather than with the package's `sortMapEntries`, which costs ~4× the whole document build.
  const doc = new Document(options.sortKeys ? sortKeys(value) : value, {
    version: '1.1',
    aliasDuplicateObjects: false,
  });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) {
        throw new ExportValueError(`cannot write the number ${node.value} to YAML`);
      }
      if (typeof node.value !== 'string') return;
      if (LONE_SURROGATE.test(node.value)) {
        throw new ExportValueError(`text ${JSON.stringify(node.value)} holds a lone UTF-16 surrogate`);
      }
      if (needsDoubleQuotes(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0 });
  return text.replace(ESCAPE_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
