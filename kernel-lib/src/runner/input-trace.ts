/**
 * What a step's code read besides its declared inputs — files, Delta tables,
 * environment variables — as its runtime traced them (`--trace-reads`,
 * STEP-CONTRACT.md "Traced reads"). The cache key cannot cover these (they are
 * only known once the step ran), so the cache entry records them and a hit is
 * used only while they are unchanged. The check is cheap: a file's stat (size,
 * mtime, inode, device) first, its content hash only when the stat changed (a
 * touched but unchanged file stays cached); a table's latest version from a
 * listing of its `_delta_log`; an environment variable's value hash.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { contentHash, identityOf, sha256Of } from '../pipeline/runtime/read-trace-collect.js';
import type { TracedFile, TracedReads } from '../pipeline/runtime/trace-format.js';

export type { TracedReads } from '../pipeline/runtime/trace-format.js';

/** The trace a step wrote; undefined when it is missing or not a trace (the result is then not cached). */
export async function readTracedReads(file: string): Promise<TracedReads | undefined> {
  try {
    const t = JSON.parse(await readFile(file, 'utf8')) as TracedReads;
    const ok =
      Array.isArray(t.files) &&
      t.files.every((f) => typeof f.path === 'string' && (f.sha256 === null || typeof f.sha256 === 'string')) &&
      Array.isArray(t.tables) &&
      t.tables.every((x) => typeof x.path === 'string' && Number.isInteger(x.version)) &&
      typeof t.env === 'object' &&
      t.env !== null;
    return ok ? t : undefined;
  } catch {
    return undefined;
  }
}

export interface InputCheck {
  /** Why the traced reads no longer hold, e.g. "input data.csv changed"; undefined when they all do. */
  changed?: string;
  /** Set when some file's stat changed but not its content: the trace with the new stats, to record. */
  refreshed?: TracedReads;
}

/**
 * Checks traced reads against the present: `env` is the environment the step
 * would run with, `cwd` what paths in messages are shown relative to.
 */
export async function checkTracedReads(traced: TracedReads, env: NodeJS.ProcessEnv, cwd: string): Promise<InputCheck> {
  const shown = (p: string) => {
    const rel = path.relative(cwd, p);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
  };
  for (const [name, hash] of Object.entries(traced.env)) {
    const value = env[name];
    if ((value === undefined ? null : sha256Of(value)) !== hash) {
      return { changed: `environment variable ${name} ${value === undefined ? 'is no longer set' : 'changed'}` };
    }
  }
  for (const t of traced.tables) {
    const now = await latestTableVersion(t.path);
    if (now === null) return { changed: `table ${shown(t.path)} is gone` };
    if (t.timeTravel ? now < t.version : now !== t.version) {
      return { changed: `table ${shown(t.path)} moved from version ${t.version} to ${now}` };
    }
  }
  let refreshed: TracedFile[] | undefined;
  for (const [i, f] of traced.files.entries()) {
    const what = `${f.kind === 'dir' ? 'folder' : 'input'} ${shown(f.path)}`;
    const now = identityOf(f.path);
    if (!now || now.isDir !== (f.kind === 'dir')) return { changed: `${what} was removed` };
    if (f.sha256 === null) return { changed: `${what} changed while the step ran` };
    if (now.size === f.size && now.mtimeNs === f.mtimeNs && now.ino === f.ino && now.dev === f.dev) continue;
    if ((await contentHash(f.path, f.kind)) !== f.sha256) return { changed: `${what} changed` };
    // Same content, new stat (touched, or rewritten identically): remember the new stat.
    refreshed ??= [...traced.files];
    const { isDir: _, ...id } = now;
    refreshed[i] = { ...f, ...id };
  }
  return refreshed ? { refreshed: { ...traced, files: refreshed } } : {};
}

const LOG_FILE = /^(\d{20})\.(?:json|checkpoint\.parquet|checkpoint\.\d{10}\.\d{10}\.parquet)$/;

/**
 * A local Delta table's latest version — the highest commit or checkpoint in its
 * `_delta_log` (as the lakehouse's listing finds it) — or null when there is none.
 * Read from one directory listing, without loading the lakehouse.
 */
export async function latestTableVersion(table: string): Promise<number | null> {
  let names: string[];
  try {
    names = await readdir(path.join(table, '_delta_log'));
  } catch {
    return null;
  }
  let latest = -1;
  for (const n of names) {
    const m = LOG_FILE.exec(n);
    if (m) latest = Math.max(latest, Number(m[1]));
  }
  return latest < 0 ? null : latest;
}
