/** Small builders for hand-written Delta tables used by the read-path unit tests. */
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import type { Action, FileMeta, Storage } from '../../../kernel-lib/src/lakehouse/index.js';

export function tmpTable(prefix = 'lh-read-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function commitName(v: number): string {
  return `${String(v).padStart(20, '0')}.json`;
}

/** Writes `_delta_log/<v>.json` with one JSON action per line. */
export function writeCommit(dir: string, version: number, actions: (Action | Record<string, unknown>)[]): void {
  mkdirSync(path.join(dir, '_delta_log'), { recursive: true });
  writeFileSync(
    path.join(dir, '_delta_log', commitName(version)),
    `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`,
  );
}

/** Writes an Arrow table as a Parquet file (relative path inside the table). */
export function writeParquetFile(dir: string, rel: string, table: arrow.Table): number {
  const bytes = writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream')));
  const abs = path.join(dir, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, bytes);
  return bytes.byteLength;
}

export const protocolV1 = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };

export function metaData(
  fields: { name: string; type: unknown; nullable?: boolean }[],
  partitionColumns: string[] = [],
) {
  return {
    metaData: {
      id: 'test-table',
      format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify({
        type: 'struct',
        fields: fields.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable ?? true, metadata: {} })),
      }),
      partitionColumns,
      configuration: {},
      createdTime: 0,
    },
  };
}

export function add(
  p: string,
  opts: { partitionValues?: Record<string, string | null>; stats?: unknown; size?: number } = {},
) {
  return {
    add: {
      path: p,
      partitionValues: opts.partitionValues ?? {},
      size: opts.size ?? 1,
      modificationTime: 0,
      dataChange: true,
      ...(opts.stats !== undefined ? { stats: JSON.stringify(opts.stats) } : {}),
    },
  };
}

/** Every file below `dir` with size and mtime: compared before/after to prove a read wrote nothing. */
export function treeState(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else out[r] = `${st.size}@${st.mtimeMs}`;
    }
  };
  walk('');
  return out;
}

/** Storage wrapper that records every call, to prove what a load touches. */
export class CountingStorage implements Storage {
  readonly calls: { op: string; path: string }[] = [];
  constructor(private readonly inner: Storage) {}
  get root(): string {
    return this.inner.root;
  }
  ops(op: string): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.path);
  }
  list(dir: string): Promise<FileMeta[]> {
    this.calls.push({ op: 'list', path: dir });
    return this.inner.list(dir);
  }
  listRecursive(dir: string): Promise<FileMeta[]> {
    this.calls.push({ op: 'listRecursive', path: dir });
    return this.inner.listRecursive(dir);
  }
  read(p: string): Promise<Uint8Array> {
    this.calls.push({ op: 'read', path: p });
    return this.inner.read(p);
  }
  head(p: string): Promise<FileMeta | undefined> {
    this.calls.push({ op: 'head', path: p });
    return this.inner.head(p);
  }
  write(p: string, data: Uint8Array): Promise<void> {
    this.calls.push({ op: 'write', path: p });
    return this.inner.write(p, data);
  }
  putIfAbsent(p: string, data: Uint8Array): Promise<boolean> {
    this.calls.push({ op: 'putIfAbsent', path: p });
    return this.inner.putIfAbsent(p, data);
  }
  delete(p: string): Promise<void> {
    this.calls.push({ op: 'delete', path: p });
    return this.inner.delete(p);
  }
}
