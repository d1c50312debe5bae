/**
 * Resolving a path from the log (`add.path`, a `'p'` deletion vector) to a path
 * readable through the table's storage, refusing anything outside the table.
 */
import { DataFileError } from './errors.js';
import { decodeAddPath } from './partition.js';
import type { Storage } from './storage/storage.js';

/** `logPath` relative to the storage root; `what` names the file in errors (e.g. "data file x.parquet"). */
export function tableRelativePath(storage: Storage, logPath: string, what: string): string {
  const d = decodeAddPath(logPath);
  if (d.relative !== undefined) {
    const parts: string[] = [];
    for (const seg of d.relative.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (parts.length === 0)
          throw new DataFileError(`${what} of table ${storage.root} points outside the table directory`);
        parts.pop();
      } else parts.push(seg);
    }
    return parts.join('/');
  }
  if (d.absolute !== undefined) {
    const root = storage.root.endsWith('/') ? storage.root : `${storage.root}/`;
    if (d.absolute.startsWith(root)) return d.absolute.slice(root.length);
    throw new DataFileError(`${what} of table ${storage.root} is an absolute path outside the table directory`);
  }
  throw new DataFileError(`${what} of table ${storage.root} uses a URI scheme this reader cannot open`);
}
