/**
 * The image's lockfile, cut out of the lockfile of the install the pipeline ran with:
 * the packages the steps import and everything they depend on, at the same versions,
 * integrity hashes and places in node_modules. So `npm ci` in the image installs exactly
 * the tree the pipeline was tested against, and nothing the steps do not load.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ImageContextError } from '../errors.js';

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** The lockfile of the install whose `node_modules` is in `root` (package-lock.json, else npm's hidden one). */
export function readLockfile(root: string): { lock: Lockfile; file: string } {
  for (const file of [path.join(root, 'package-lock.json'), path.join(root, 'node_modules', '.package-lock.json')]) {
    if (!existsSync(file)) continue;
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
    if (lock.lockfileVersion >= 2 && lock.packages) return { lock, file };
  }
  throw new ImageContextError(`${root}: no npm lockfile (v2 or v3) for the packages the steps import`);
}

/** Where Node finds `name` from the package at lock path `from` (`""` = the root), as a lock path. */
function locate(lock: Lockfile, from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** Flags that say how the *source* install used a package; in the image every package is a runtime one. */
const SOURCE_ONLY_FLAGS = ['dev', 'devOptional', 'peer', 'extraneous', 'inBundle'];

/**
 * Lock entries for `names` (top-level packages) and their dependency closure. Returns the
 * entries by lock path and each top-level package's exact version.
 */
export function lockedClosure(
  lock: Lockfile,
  names: string[],
  lockFile: string,
): { entries: Record<string, LockEntry>; versions: Record<string, string> } {
  const entries: Record<string, LockEntry> = {};
  const versions: Record<string, string> = {};
  const queue: [string, string, boolean][] = names.map((n) => ['', n, false]);
  while (queue.length > 0) {
    const [from, name, optional] = queue.shift()!;
    const at = locate(lock, from, name);
    if (!at) {
      if (optional) continue;
      throw new ImageContextError(
        `${lockFile}: package "${name}" (needed by ${from || 'the steps'}) is not locked there`,
      );
    }
    if (from === '' && versions[name] === undefined) versions[name] = lock.packages[at]!.version ?? '';
    if (entries[at]) continue;
    const entry = lock.packages[at]!;
    if (entry.link) {
      throw new ImageContextError(
        `${lockFile}: "${name}" is a linked package (${entry.resolved}); only the kernel can be copied into the image`,
      );
    }
    const copy: LockEntry = { ...entry };
    for (const flag of SOURCE_ONLY_FLAGS) delete copy[flag];
    entries[at] = copy;
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([at, dep, false]);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push([at, dep, true]);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) queue.push([at, dep, true]);
  }
  return { entries, versions };
}
