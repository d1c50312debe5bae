/**
 * The commit primitive: version N of a table exists once
 * `_delta_log/%020d.json` exists, and exactly one writer can create it
 * (`Storage.putIfAbsent` — temp file + `link()` locally, `If-None-Match: *` on S3).
 * A commit file is complete the moment it becomes visible, so a crashed
 * writer leaves either the whole version or nothing.
 */
import type { Action } from './actions.js';
import { commitPath, parseCommit } from './log-segment.js';
import type { Storage } from './storage/storage.js';

/** Serialises actions as newline-delimited JSON, one action per line. */
export function serializeActions(actions: Action[]): Uint8Array {
  return new TextEncoder().encode(`${actions.map((a) => JSON.stringify(a)).join('\n')}\n`);
}

/** Tries to create `version`; false when another writer already committed it. */
export async function tryCommit(storage: Storage, version: number, actions: Action[]): Promise<boolean> {
  return storage.putIfAbsent(commitPath(version), serializeActions(actions));
}

/**
 * Reads the commit at `version` if it exists (undefined otherwise). Used to
 * read the commits that won a race; unlike a snapshot read it never lists.
 */
export async function readCommitIfExists(storage: Storage, version: number): Promise<Action[] | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(commitPath(version));
  } catch (e) {
    if ((e as Error).name === 'StorageNotFoundError') return undefined;
    throw e;
  }
  return parseCommit(new TextDecoder().decode(bytes), `${storage.root}/${commitPath(version)}`);
}
