/**
 * Turning what a step's code read (read-trace.ts) into the trace it reports
 * (trace-format.ts), once the code has finished: drop what is not an input of
 * the notebook's code, and hash the rest. Files are hashed as they are at the end
 * of the step; a file whose identity (device, inode, size, modification time)
 * differs from when it was first read changed while the step ran, so its hash
 * would not describe what the code saw: it is reported with a null hash, and the
 * step's results are never reused for it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RecordedReads } from './read-trace.js';
import type { TableLineage, TableVersion, TracedFile, TracedReads } from './trace-format.js';

// The originals, captured before any tracing wraps them.
const { statSync, readdirSync } = fs;
const { open } = fs.promises;

export interface FileIdentity {
  isDir: boolean;
  size: number;
  dev: string;
  ino: string;
  mtimeNs: string;
}

export function identityOf(file: string): FileIdentity | undefined {
  try {
    const st = statSync(file, { bigint: true });
    if (!st.isFile() && !st.isDirectory()) return undefined;
    return {
      isDir: st.isDirectory(),
      size: Number(st.size),
      dev: String(st.dev),
      ino: String(st.ino),
      mtimeNs: String(st.mtimeNs),
    };
  } catch {
    return undefined;
  }
}

const sameIdentity = (a: FileIdentity, b: FileIdentity) =>
  a.size === b.size && a.dev === b.dev && a.ino === b.ino && a.mtimeNs === b.mtimeNs;

export interface CollectOptions {
  /** Files the runtime itself reads (the step's `--in` files, its bundle and source map). */
  ignoreFiles: string[];
  /** Folders whose files are not the notebook's inputs (the installed kernel). */
  ignoreDirs: string[];
}

/** The step's traced reads, filtered and hashed. */
export async function collectReads(recorded: RecordedReads, options: CollectOptions): Promise<TracedReads> {
  const ignoreFiles = new Set(options.ignoreFiles.map((f) => path.resolve(f)));
  const tableRoots = [...recorded.tables.keys()];
  // Files of the tables (data files, `_delta_log`) are covered by the table's version.
  const ignoreDirs = [...options.ignoreDirs, ...tableRoots, '/proc', '/sys', '/dev'];
  const within = (file: string, dirs: string[]) => dirs.some((d) => file === d || file.startsWith(d + path.sep));
  const candidates = [...recorded.reads].filter(([file]) => {
    if (ignoreFiles.has(file) || file.split(path.sep).includes('_delta_log')) return false;
    if (within(file, ignoreDirs)) return false;
    const real = realpathOrSelf(file);
    return real === file || !(ignoreFiles.has(real) || within(real, ignoreDirs) || real.includes('/node_modules/'));
  });
  const files = await Promise.all(
    candidates.map(async ([file, { kind, at }]): Promise<TracedFile | undefined> => {
      const before = identityOf(file);
      if (!before) return undefined; // removed since: nothing left to compare against
      const sha256 = sameIdentity(before, at) ? await contentHash(file, kind) : null;
      const after = identityOf(file);
      const stable = sha256 !== null && after !== undefined && sameIdentity(before, after);
      const { isDir: _, ...id } = before;
      return { path: file, kind, sha256: stable ? sha256 : null, ...id };
    }),
  );
  const env: Record<string, string | null> = {};
  for (const [name, value] of [...recorded.env].sort(([a], [b]) => a.localeCompare(b))) {
    env[name] = value === undefined ? null : sha256Of(value);
  }
  return {
    files: files.filter((f): f is TracedFile => f !== undefined).sort((a, b) => a.path.localeCompare(b.path)),
    tables: [...recorded.tables.values()].sort((a, b) => a.path.localeCompare(b.path)),
    env,
    lineage: tableLineage(recorded.versions),
  };
}

/** The versions read (but not the step's own, read back) and written, by table then version. */
export function tableLineage(versions: RecordedReads['versions']): TableLineage {
  const byTable = (a: TableVersion, b: TableVersion) => a.table.localeCompare(b.table) || a.version - b.version;
  const wrote = [...versions.wrote].flatMap(([table, vs]) => vs.map((version) => ({ table, version })));
  const own = new Set(wrote.map((w) => `${w.version}@${w.table}`));
  const read = [...versions.read]
    .flatMap(([table, vs]) => [...vs].map((version) => ({ table, version })))
    .filter((r) => !own.has(`${r.version}@${r.table}`));
  return { read: read.sort(byTable), wrote: wrote.sort(byTable) };
}

function realpathOrSelf(file: string): string {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return file;
  }
}

export const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

/** sha256 of a file's bytes, or of a directory's sorted entry names (one per line); null if unreadable. */
export async function contentHash(file: string, kind: 'file' | 'dir'): Promise<string | null> {
  try {
    if (kind === 'dir') return sha256Of(`${readdirSync(file).sort().join('\n')}\n`);
    const hash = createHash('sha256');
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    return hash.digest('hex');
  } catch {
    return null;
  }
}
