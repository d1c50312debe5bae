/**
 * `_delta_log/_last_checkpoint` (PROTOCOL.md "Last Checkpoint File"): a hint
 * pointing at the newest checkpoint so readers need not list the whole log.
 * It is only a hint — it may be stale, truncated or garbage — so every failure
 * here yields `undefined` and the caller falls back to listing.
 */
import { LOG_DIR } from './actions.js';
import type { Storage } from './storage/storage.js';

export const LAST_CHECKPOINT_PATH = `${LOG_DIR}/_last_checkpoint`;

export interface LastCheckpointHint {
  version: number;
  /** Number of actions in the checkpoint. */
  size?: number;
  /** Number of parts of a multi-part checkpoint. */
  parts?: number;
  sizeInBytes?: number;
  numOfAddFiles?: number;
  [key: string]: unknown;
}

/** Reads and validates the hint; returns undefined when absent or unusable. */
export async function readLastCheckpointHint(storage: Storage): Promise<LastCheckpointHint | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(LAST_CHECKPOINT_PATH);
  } catch {
    return undefined;
  }
  return parseLastCheckpointHint(new TextDecoder().decode(bytes));
}

/** Parses the hint's JSON; undefined unless it is an object with a sane version (and parts). */
export function parseLastCheckpointHint(text: string): LastCheckpointHint | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as LastCheckpointHint;
  if (!Number.isSafeInteger(o.version) || o.version < 0) return undefined;
  if (o.parts !== undefined && o.parts !== null && (!Number.isSafeInteger(o.parts) || o.parts < 1)) return undefined;
  return o;
}

/** Serialises a hint (used by the checkpoint writer). */
export function serializeLastCheckpointHint(hint: LastCheckpointHint): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(hint));
}
