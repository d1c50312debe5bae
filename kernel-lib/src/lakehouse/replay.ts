/**
 * Action reconciliation (PROTOCOL.md "Action Reconciliation"): replaying the
 * checkpoint and then each commit in version order yields the table state —
 * the latest `protocol` and `metaData`, the latest `txn` per appId, and the
 * live files: an `add` wins over older actions for the same logical file
 * (path + deletion vector id), a `remove` tombstones it. File identity uses the
 * decoded, canonical path, so `file:/a%20b` and `/a b` name the same file.
 * Unknown action types and unknown fields are ignored.
 */
import type { Action, AddFile, DeletionVectorDescriptor, Metadata, Protocol, Txn } from './actions.js';
import { dvUniqueId } from './deletion-vectors/descriptor.js';
import { decodeAddPath } from './partition.js';

export class LogReplay {
  protocol: Protocol | undefined;
  metadata: Metadata | undefined;
  readonly txns = new Map<string, Txn>();
  private readonly live = new Map<string, AddFile>();
  /** Latest `commitInfo.inCommitTimestamp` / `timestamp` seen (informational). */
  lastCommitInfo: Record<string, unknown> | undefined;

  /** Applies actions of one commit (or a checkpoint) in order. */
  apply(actions: Iterable<Action>): void {
    for (const a of actions) {
      if (a.add) this.live.set(fileKey(a.add.path, a.add.deletionVector), a.add);
      else if (a.remove) this.live.delete(fileKey(a.remove.path, a.remove.deletionVector));
      else if (a.metaData) this.metadata = a.metaData;
      else if (a.protocol) this.protocol = a.protocol;
      else if (a.txn) this.txns.set(a.txn.appId, a.txn);
      else if (a.commitInfo) this.lastCommitInfo = a.commitInfo;
      // cdc, domainMetadata, checkpointMetadata, sidecar and unknown actions do not change the file set.
    }
  }

  /** Live files in insertion order of their latest add. */
  files(): AddFile[] {
    return [...this.live.values()];
  }
}

/** Logical file identity: canonical decoded path plus the deletion vector's unique id. */
export function fileKey(path: string, dv?: DeletionVectorDescriptor | null): string {
  // Fast path for the common plain relative path (hot: one call per add/remove during replay).
  if (!dv && !/[%:]/.test(path) && path.charCodeAt(0) !== 47) return `r:${path}`;
  const d = decodeAddPath(path);
  const p = d.relative !== undefined ? `r:${d.relative}` : d.absolute !== undefined ? `a:${d.absolute}` : `u:${d.uri}`;
  if (!dv) return p;
  return `${p}\u0000${dvUniqueId(dv)}`;
}

/** Replays a whole segment: checkpoint actions then commits, oldest first. */
export function replay(checkpointActions: Action[], commits: Action[][]): LogReplay {
  const r = new LogReplay();
  r.apply(checkpointActions);
  for (const c of commits) r.apply(c);
  return r;
}
