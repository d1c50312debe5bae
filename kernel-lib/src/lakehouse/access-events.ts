/**
 * Which table versions this process looked at or committed, announced on a
 * `node:diagnostics_channel` channel. Nobody listens by default (publishing is
 * then a no-op check); a pipeline step's runtime subscribes to learn which
 * tables, at which versions, its code depended on, so a cached result is reused
 * only while those tables are unchanged. A channel is global to the process by
 * name, so every copy of this module (a bundled one, the kernel's) reaches the
 * same subscribers.
 */
import { channel } from 'node:diagnostics_channel';

export const TABLE_ACCESS_CHANNEL = 'stillwater:delta-table-access';

export interface TableAccess {
  /** The table's storage root (an absolute path for local tables). */
  table: string;
  version: number;
  /** `read`: the log was read up to `version`; `commit`: this process committed `version`. */
  kind: 'read' | 'commit';
  /** True when a read asked for a given version or timestamp (time travel) rather than the latest. */
  timeTravel: boolean;
}

const accesses = channel(TABLE_ACCESS_CHANNEL);

export function publishTableAccess(access: TableAccess): void {
  if (accesses.hasSubscribers) accesses.publish(access);
}

/**
 * Fields every commit of this process adds to its `commitInfo`, asked of whoever listens
 * on this channel just before the commit is written: a pipeline step's runtime adds the
 * run, step and notebook it executes for (lineage), without the lakehouse knowing of runs.
 * Subscribers put their fields into `fields`, under a key of their own; the commit's own
 * fields (operation, readVersion, …) always win.
 */
export const COMMIT_INFO_CHANNEL = 'stillwater:delta-commit-info';

export interface CommitInfoRequest {
  /** The table's storage root. */
  table: string;
  operation: string;
  fields: Record<string, unknown>;
}

const commitInfoRequests = channel(COMMIT_INFO_CHANNEL);

export function commitInfoFields(table: string, operation: string): Record<string, unknown> {
  if (!commitInfoRequests.hasSubscribers) return {};
  const request: CommitInfoRequest = { table, operation, fields: {} };
  commitInfoRequests.publish(request);
  return request.fields;
}
