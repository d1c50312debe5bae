/**
 * Reads classic and multi-part Parquet checkpoints and UUID-named V2 checkpoints
 * (JSON or Parquet; PROTOCOL.md "Checkpoints", "V2 Spec") into the same `Action`
 * objects commit files produce. A V2 checkpoint may keep its add/remove actions
 * in sidecar files (`_delta_log/_sidecars/`), which its `sidecar` actions name. A checkpoint has one
 * column per action type (`add`, `remove`, `metaData`, `protocol`, `txn`, …),
 * each row sets exactly one of them. `add.stats` may be a JSON string or a
 * struct `stats_parsed`; `partitionValues` is a map.
 *
 * The `add` column is decoded column-wise because it dominates checkpoint size.
 */
import * as arrow from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import { type Action, type AddFile, LOG_DIR } from './actions.js';
import { CorruptLogError } from './errors.js';
import { parseCommit } from './log-segment.js';
import { formatDateDays, formatDecimalUnscaled } from './partition.js';
import type { CheckpointFiles } from './log-segment.js';
import type { Storage } from './storage/storage.js';
import { tableRelativePath } from './table-path.js';

/**
 * A read checkpoint: its non-file actions (protocol, metaData, txn) decoded,
 * its file actions (add, remove) decoded only on demand — a snapshot needs the
 * former to open the table, and only a scan needs the (possibly millions of) files.
 */
export interface CheckpointData {
  nonFileActions: Action[];
  /** Decodes (once) and returns the add and remove actions of every part. */
  fileActions(): Action[];
}

/** Reads all parts of a checkpoint, in part order, deferring the decoding of file actions. */
export async function loadCheckpoint(storage: Storage, checkpoint: CheckpointFiles): Promise<CheckpointData> {
  const parts: CheckpointPart[] = [];
  for (const file of checkpoint.files) {
    const where = `${storage.root}/${file.path}`;
    const bytes = await readLogFile(storage, file.path, 'checkpoint');
    parts.push(
      file.path.endsWith('.json')
        ? { actions: parseCommit(new TextDecoder().decode(bytes), where) }
        : { table: readCheckpointTable(bytes, where) },
    );
  }
  const nonFileActions = parts.flatMap((p) =>
    p.table ? decodeActions(p.table, NON_FILE_ACTIONS) : p.actions.filter((a) => !a.add && !a.remove),
  );
  const sidecars: CheckpointPart[] = [];
  for (const a of nonFileActions) {
    if (!a.sidecar) continue;
    const path = sidecarPath(storage, a.sidecar as { path?: unknown });
    sidecars.push({ table: readCheckpointTable(await readLogFile(storage, path, 'sidecar file'), path) });
  }
  let files: Action[] | undefined;
  return {
    nonFileActions,
    fileActions: () => {
      files ??= [...parts, ...sidecars].flatMap((p) =>
        p.table ? decodeActions(p.table, ['remove', 'add']) : p.actions.filter((a) => a.add || a.remove),
      );
      return files;
    },
  };
}

/** One checkpoint file (or sidecar): a Parquet table decoded column-wise, or JSON actions. */
type CheckpointPart = { table: arrow.Table; actions?: undefined } | { table?: undefined; actions: Action[] };

const NON_FILE_ACTIONS: ActionName[] = ['protocol', 'metaData', 'txn', 'checkpointMetadata', 'sidecar'];

async function readLogFile(storage: Storage, path: string, what: string): Promise<Uint8Array> {
  try {
    return await storage.read(path);
  } catch (e) {
    throw new CorruptLogError(`${what} ${storage.root}/${path} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/** Sidecars live in `_delta_log/_sidecars/`; their actions usually hold just the file name. */
function sidecarPath(storage: Storage, sidecar: { path?: unknown }): string {
  if (typeof sidecar.path !== 'string' || sidecar.path === '') {
    throw new CorruptLogError(`a checkpoint of table ${storage.root} has a sidecar action without a path`);
  }
  if (/^[a-z][a-z0-9+.-]*:|^\//i.test(sidecar.path)) {
    return tableRelativePath(storage, sidecar.path, `sidecar file ${sidecar.path}`);
  }
  return `${LOG_DIR}/_sidecars/${decodeURIComponent(sidecar.path)}`;
}

/** Reads all parts of a checkpoint, in part order, into actions. */
export async function readCheckpoint(storage: Storage, checkpoint: CheckpointFiles): Promise<Action[]> {
  const cp = await loadCheckpoint(storage, checkpoint);
  return [...cp.nonFileActions, ...cp.fileActions()];
}

/** Decodes one checkpoint Parquet file. */
export function parseCheckpointParquet(bytes: Uint8Array, file: string): Action[] {
  return decodeActions(readCheckpointTable(bytes, file), [...NON_FILE_ACTIONS, 'remove', 'add']);
}

function readCheckpointTable(bytes: Uint8Array, file: string): arrow.Table {
  try {
    return arrow.tableFromIPC(readParquet(bytes, { batchSize: 1 << 20 }).intoIPCStream());
  } catch (e) {
    throw new CorruptLogError(
      `checkpoint ${file} is not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

type ActionName = 'protocol' | 'metaData' | 'txn' | 'checkpointMetadata' | 'sidecar' | 'remove' | 'add';

function decodeActions(table: arrow.Table, names: ActionName[]): Action[] {
  const out: Action[] = [];
  for (const name of names) {
    const col = table.getChild(name);
    if (!col) continue;
    if (name === 'add') {
      for (const add of decodeAdds(col)) out.push({ add });
      continue;
    }
    for (let i = 0; i < col.length; i++) {
      if (!col.isValid(i)) continue;
      const v = toPlain(col.get(i)) as Record<string, unknown> | null;
      if (v === null) continue;
      out.push({ [name]: cleanAction(name, v) } as Action);
    }
  }
  return out;
}

function cleanAction(name: string, v: Record<string, unknown>): unknown {
  if (name === 'metaData') {
    return {
      ...v,
      partitionColumns: (v.partitionColumns as string[] | null) ?? [],
      configuration: (v.configuration as Record<string, string> | null) ?? {},
      format: v.format ?? { provider: 'parquet', options: {} },
    };
  }
  if (name === 'protocol') {
    const p = { ...v } as Record<string, unknown>;
    if (p.readerFeatures === null) delete p.readerFeatures;
    if (p.writerFeatures === null) delete p.writerFeatures;
    return p;
  }
  return v;
}

/** Column-wise decoding of the `add` struct column. */
function decodeAdds(col: arrow.Vector): AddFile[] {
  const adds: AddFile[] = [];
  // A chunked vector has one Data per record batch; walk them so child lookups stay cheap.
  for (const data of col.data) {
    const struct = arrow.makeVector(data) as arrow.Vector<arrow.Struct>;
    const type = struct.type as arrow.Struct;
    const child = (n: string): arrow.Vector | undefined => {
      const idx = type.children.findIndex((c) => c.name === n);
      return idx < 0 ? undefined : arrow.makeVector(data.children[idx]!);
    };
    const path = child('path');
    const size = child('size');
    const mtime = child('modificationTime');
    const dataChange = child('dataChange');
    const stats = child('stats');
    const statsParsed = child('stats_parsed');
    const pv = child('partitionValues');
    const tags = child('tags');
    const dv = child('deletionVector');
    const baseRowId = child('baseRowId');
    const drcv = child('defaultRowCommitVersion');
    const clustering = child('clusteringProvider');
    const pathData = path?.data[0];
    for (let i = 0; i < struct.length; i++) {
      if (!data.getValid(i) || !pathData?.getValid(i)) continue;
      const add: AddFile = {
        path: path!.get(i) as string,
        partitionValues: pv ? stringMapAt(pv, i) : {},
        size: num(size?.get(i)) ?? 0,
        modificationTime: num(mtime?.get(i)) ?? 0,
        dataChange: (dataChange?.get(i) as boolean | null) ?? false,
      };
      const s = stats?.get(i) as string | null | undefined;
      if (s != null) add.stats = s;
      else if (statsParsed?.isValid(i)) add.stats = statsJsonAt(statsParsed, i);
      if (tags?.isValid(i)) add.tags = stringMapAt(tags, i) as Record<string, string>;
      if (dv?.isValid(i)) add.deletionVector = toPlain(dv.get(i)) as AddFile['deletionVector'];
      if (baseRowId?.isValid(i)) add.baseRowId = num(baseRowId.get(i))!;
      if (drcv?.isValid(i)) add.defaultRowCommitVersion = num(drcv.get(i))!;
      if (clustering?.isValid(i)) add.clusteringProvider = clustering.get(i) as string;
      adds.push(add);
    }
  }
  return adds;
}

/**
 * Reads a map<string,string> cell through its offsets (much cheaper than
 * materialising a MapRow per row; checkpoints can hold millions of adds).
 */
function stringMapAt(vec: arrow.Vector, i: number): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (!vec.isValid(i)) return out;
  const data = vec.data[0]!;
  const offsets = data.valueOffsets as Int32Array;
  const start = offsets[data.offset + i]!;
  const end = offsets[data.offset + i + 1]!;
  if (start === end) return out;
  let kv = mapEntryCache.get(data);
  if (!kv) {
    const entries = data.children[0]!;
    kv = [arrow.makeVector(entries.children[0]!), arrow.makeVector(entries.children[1]!)];
    mapEntryCache.set(data, kv);
  }
  for (let j = start; j < end; j++) out[String(kv[0].get(j))] = (kv[1].get(j) as string | null) ?? null;
  return out;
}

const mapEntryCache = new WeakMap<arrow.Data, [arrow.Vector, arrow.Vector]>();

function num(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/**
 * Renders row `i` of a `stats_parsed` struct as the JSON text `add.stats` would hold,
 * without passing exact values through doubles: int64 and decimals are written as
 * their digits, timestamps as ISO strings, dates as `YYYY-MM-DD`.
 */
export function statsJsonAt(vec: arrow.Vector, i: number): string {
  if (!vec.isValid(i)) return 'null';
  const t = vec.type as arrow.DataType;
  if (arrow.DataType.isStruct(t)) {
    const parts = t.children.map(
      (c, k) => `${JSON.stringify(c.name)}:${statsJsonAt((vec as arrow.Vector<arrow.Struct>).getChildAt(k)!, i)}`,
    );
    return `{${parts.join(',')}}`;
  }
  const v = vec.get(i) as unknown;
  if (arrow.DataType.isDecimal(t)) return formatDecimalUnscaled(BigInt(String(v)), t.scale);
  if (arrow.DataType.isTimestamp(t)) return JSON.stringify(new Date(v as number).toISOString());
  if (arrow.DataType.isDate(t)) return JSON.stringify(formatDateDays(Math.floor((v as number) / 86_400_000)));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return JSON.stringify(toPlain(v));
}

/** Arrow value (StructRow, MapRow, Vector, bigint) → plain JSON-like JS. */
export function toPlain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object') return v;
  if (v instanceof arrow.Vector) return [...v].map(toPlain);
  if (v instanceof Uint8Array) return v;
  if (v instanceof arrow.MapRow) {
    const o: Record<string, unknown> = {};
    for (const [k, val] of v as unknown as Iterable<[unknown, unknown]>) o[String(k)] = toPlain(val);
    return o;
  }
  if (v instanceof arrow.StructRow) {
    const o: Record<string, unknown> = {};
    for (const [k, val] of Object.entries((v as { toJSON(): Record<string, unknown> }).toJSON())) {
      o[k] = toPlain(val);
    }
    return o;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return toPlain((v as { toJSON(): unknown }).toJSON());
  return v;
}
