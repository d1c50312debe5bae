/**
 * What a step reports it read (`--trace-reads PATH`, STEP-CONTRACT.md "Traced
 * reads"): written by the step runtime (read-trace.ts), checked by a caching
 * runner before it reuses the step's results (runner/input-trace.ts).
 */

/** The flag that asks a step to trace what it reads and write the trace to a file. */
export const TRACE_READS_FLAG = '--trace-reads';

/** A file the step's code opened for reading (or a directory it listed), as it was when the step ended. */
export interface TracedFile {
  /** Absolute path, as the code named it (resolved against the step's cwd). */
  path: string;
  kind: 'file' | 'dir';
  /**
   * sha256 of the content (of a directory: of its sorted entry names, one per line);
   * null when it changed while the step ran (then never reusable).
   */
  sha256: string | null;
  size: number;
  dev: string;
  ino: string;
  mtimeNs: string;
}

/** A Delta table the step's code read (or committed to), at the last version it saw or made. */
export interface TracedTable {
  /** Absolute path of the table. */
  path: string;
  version: number;
  /** Read at a given version or timestamp only (time travel): it does not depend on the latest version. */
  timeTravel: boolean;
}

/** One version of one Delta table. */
export interface TableVersion {
  /** Absolute path of the table. */
  table: string;
  version: number;
}

/** Lineage: the exact table versions the step's code read and the ones it committed. */
export interface TableLineage {
  /** Versions read, except those the step committed itself (reading back its own writes). */
  read: TableVersion[];
  /** Versions committed, in commit order per table. */
  wrote: TableVersion[];
}

export interface TracedReads {
  files: TracedFile[];
  tables: TracedTable[];
  /** Environment variable name → sha256 of its value, or null when it was not set. */
  env: Record<string, string | null>;
  /** Absent in traces of runtimes that predate lineage. */
  lineage?: TableLineage;
}
