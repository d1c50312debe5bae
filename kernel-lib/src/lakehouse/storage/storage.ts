/**
 * The storage interface all protocol code goes through (like delta-kernel-rs's
 * Engine file-system handler). Paths are relative to the table root and use `/`.
 * Protocol logic never touches `fs` directly, so S3 or in-memory fakes can
 * stand in for the local file system.
 */
export interface FileMeta {
  /** Path relative to the storage root, `/`-separated. */
  path: string;
  size: number;
  /** Last modification time in epoch milliseconds. */
  modificationTime: number;
}

export interface Storage {
  /** A human-readable location (file path or URL) used in error messages. */
  readonly root: string;
  /**
   * Lists the files directly inside `dir` (non-recursive), sorted by path.
   * A missing directory yields an empty list.
   */
  list(dir: string): Promise<FileMeta[]>;
  /** Lists every file below `dir`, recursively, sorted by path. */
  listRecursive(dir: string): Promise<FileMeta[]>;
  /** Reads a whole file. Throws `StorageNotFoundError` when it does not exist. */
  read(path: string): Promise<Uint8Array>;
  /**
   * Optional: a handle that reads the file's byte ranges on demand, for readers
   * that need only parts of it (Parquet column projection). Throws
   * `StorageNotFoundError` when it does not exist. Without it, readers use `read`.
   */
  openBlob?(path: string): Promise<Blob>;
  /** Metadata of one file, or undefined if it does not exist. */
  head(path: string): Promise<FileMeta | undefined>;
  /** Writes (creating parent directories, overwriting if present). Atomic for readers. */
  write(path: string, data: Uint8Array): Promise<void>;
  /**
   * Writes only if no file exists at `path`; returns false when another writer
   * got there first. This is the commit primitive of the Delta protocol.
   */
  putIfAbsent(path: string, data: Uint8Array): Promise<boolean>;
  /** Deletes a file; deleting a missing file is not an error. */
  delete(path: string): Promise<void>;
}

export class StorageNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`file not found: ${path}`);
    this.name = 'StorageNotFoundError';
  }
}

/** A folder on the way to a path is a regular file (e.g. a table path, or its `_delta_log`, that is a file). */
export class StorageNotDirectoryError extends Error {
  constructor(
    readonly path: string,
    /** The file standing where a folder should be, as the storage names it (absolute for local storage). */
    readonly file: string,
  ) {
    super(`${file} is a file, not a folder`);
    this.name = 'StorageNotDirectoryError';
  }
}
