/**
 * Reading and writing variables that cross step boundaries, one file per
 * variable (formats in STEP-CONTRACT.md). Libraries are imported lazily so a
 * step pays only for the kinds it uses. Package names are held in variables so
 * they stay external to bundles and resolve next to the bundle at run time.
 *
 * Large Arrow tables are the hot path (a 1M × 26 float64 table is a 208 MB file):
 * - writing streams the IPC file's pieces — the column buffers themselves, not a
 *   copy — to the file with one `writev`, instead of `tableToIPC` first joining
 *   them into one buffer as large as the table (tests/bench/runner measures the transfer);
 * - while the kernel copies those pieces into the file on a libuv thread, this
 *   thread computes their sha256 and records it in a sidecar (`<out>.sha256`), so
 *   a content-addressed store need not read and hash the file again
 *   (STEP-CONTRACT.md says when the sidecar may be trusted);
 * - reading loads the file with one read into one buffer, and `tableFromIPC`
 *   views the columns inside it (no per-column copies).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import type { MarshalKind } from '../spec.js';
import { StepRuntimeError } from './errors.js';

// Set by the compiler in step bundles that use the step libraries (pipeline/step-libs.ts), so these
// lazy imports load the same copy of Arrow and the kernel as the notebook code; unset when unbundled.
declare const __STILLWATER_STEP_LIBS__: boolean | undefined;
const STEP_LIBS = typeof __STILLWATER_STEP_LIBS__ === 'boolean' && __STILLWATER_STEP_LIBS__;
const ARROW = STEP_LIBS ? '@stillwater/kernel/step-libs/arrow' : 'apache-arrow';
const LAKEHOUSE = STEP_LIBS ? '@stillwater/kernel/step-libs/lakehouse' : '@stillwater/kernel/lakehouse';
const ML = STEP_LIBS ? '@stillwater/kernel/step-libs/ml' : '@stillwater/kernel/ml';
const ABSENT_PREFIX = '{"kind":"absent"';

/** Suffix of the content-hash sidecar (`writeHashSidecar`); the runner's artifact store reads it. */
const HASH_SIDECAR_SUFFIX = '.sha256';

interface ArrowModule {
  tableFromIPC(bytes: Uint8Array): unknown;
  RecordBatchFileWriter: { writeAll(table: unknown): AsyncIterable<Uint8Array> };
}

/** What reading or writing each kind needs beyond the bundle: a module, and for models the XGBoost WASM. */
const PRELOAD: Record<MarshalKind, (() => Promise<unknown>) | undefined> = {
  arrow: () => import(ARROW),
  'delta-table': () => import(LAKEHOUSE),
  lakehouse: () => import(LAKEHOUSE),
  'xgboost-model': async () => ((await import(ML)) as { preloadXGBoost?: () => Promise<void> }).preloadXGBoost?.(),
  'structured-clone': undefined,
};

/**
 * Starts loading, in the background, what `readVariable`/`writeVariable` will
 * need for these kinds — for a step launched ahead of its turn, which has
 * nothing else to do while it waits. Failures are left for the real use to report.
 */
export function preloadMarshalling(kinds: Iterable<MarshalKind>): void {
  for (const kind of new Set(kinds)) PRELOAD[kind]?.().catch(() => {});
}

export async function readVariable(kind: MarshalKind, file: string, name: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    // One synchronous read of the whole file into one fresh (8-byte aligned) buffer:
    // `fs.promises.readFile` reads in 512 KiB pieces, each a thread-pool round trip, and
    // nothing else runs in the step while it waits for its inputs.
    bytes = readFileSync(file);
  } catch (e) {
    throw new StepRuntimeError('input', `input "${name}": cannot read ${file}: ${(e as Error).message}`, name, {
      cause: e,
    });
  }
  try {
    if (kind !== 'structured-clone' && bytes.subarray(0, ABSENT_PREFIX.length).toString('utf8') === ABSENT_PREFIX)
      return (JSON.parse(bytes.toString('utf8')) as { value: null | 'undefined' }).value === null ? null : undefined;
    switch (kind) {
      case 'arrow':
        return ((await import(ARROW)) as ArrowModule).tableFromIPC(bytes);
      case 'delta-table': {
        const ref = readRef(bytes, 'delta-table', 'path');
        return new (await classFrom(LAKEHOUSE, 'DeltaTable'))(ref);
      }
      case 'lakehouse': {
        const ref = readRef(bytes, 'lakehouse', 'root');
        return new (await classFrom(LAKEHOUSE, 'Lakehouse'))(ref);
      }
      case 'xgboost-model': {
        const cls = (await classFrom(ML, 'XGBoostModel')) as unknown as {
          fromBytes(b: Uint8Array): Promise<unknown>;
        };
        return await cls.fromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
      case 'structured-clone':
        return v8.deserialize(bytes);
    }
  } catch (e) {
    if (e instanceof StepRuntimeError) throw e;
    throw new StepRuntimeError('input', `input "${name}" (${kind}) from ${file}: ${(e as Error).message}`, name, {
      cause: e,
    });
  }
}

/**
 * Writes one output. `stepStartedMs` is when the step started running: a lakehouse
 * reference pins the versions of the tables committed to since then.
 */
export async function writeVariable(
  kind: MarshalKind,
  file: string,
  name: string,
  value: unknown,
  stepStartedMs: number = Date.now(),
): Promise<void> {
  let chunks: Uint8Array[];
  try {
    chunks = await encode(kind, value, stepStartedMs);
  } catch (e) {
    const hint =
      kind === 'structured-clone'
        ? ' (only plain data, typed arrays, Map, Set and Date can cross steps; move functions into a functions cell or recompute the value in the step that needs it)'
        : '';
    throw new StepRuntimeError('output', `output "${name}" (${kind}): ${(e as Error).message}${hint}`, name, {
      cause: e,
    });
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const sha256 = await writeHashing(tmp, chunks);
  await rename(tmp, file);
  // Table and lakehouse references are tiny, and a runner may rewrite them (pinning
  // versions), which would make a sidecar stale: only the byte kinds get one.
  if (kind !== 'delta-table' && kind !== 'lakehouse') await writeHashSidecar(file, sha256);
}

/**
 * Writes `chunks` to a new file and returns their sha256. The write is one
 * `writev` running on a libuv thread while this thread hashes the same
 * (read-only) memory, so hashing costs no extra wall time for large outputs.
 */
async function writeHashing(file: string, chunks: Uint8Array[]): Promise<string> {
  const expected = chunks.reduce((n, c) => n + c.byteLength, 0);
  const fh = await open(file, 'w');
  try {
    const writing = fh.writev(chunks);
    const hash = createHash('sha256');
    for (const c of chunks) hash.update(c);
    const { bytesWritten } = await writing;
    if (bytesWritten !== expected) throw new Error(`short write to ${file}: ${bytesWritten} of ${expected} bytes`);
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/**
 * Records the output's sha256 with the identity of the file it describes
 * (device, inode, size, modification and change times, taken after the rename).
 * A reader may use the hash instead of re-reading the file only while all of
 * these still match: any later write to the file, or another file put in its
 * place, changes them (ctime cannot be set from user space).
 */
async function writeHashSidecar(file: string, sha256: string): Promise<void> {
  const st = await stat(file, { bigint: true });
  const sidecar = {
    sha256,
    size: Number(st.size),
    dev: String(st.dev),
    ino: String(st.ino),
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
  };
  await writeFile(`${file}${HASH_SIDECAR_SUFFIX}`, `${JSON.stringify(sidecar)}\n`);
}

/** The bytes of a value's file, as the pieces to write in order. */
async function encode(kind: MarshalKind, value: unknown, stepStartedMs: number): Promise<Uint8Array[]> {
  // A handle typed `T | null | undefined` may be absent; say so instead of failing.
  if (kind !== 'structured-clone' && (value === null || value === undefined))
    return [json({ kind: 'absent', value: value === null ? null : 'undefined' })];
  switch (kind) {
    case 'arrow': {
      if (!hasKeys(value, ['schema', 'batches'])) throw new TypeError('value is not an apache-arrow Table');
      // The same bytes as `tableToIPC(value, 'file')`, as the writer produced them:
      // metadata pieces plus views of the column buffers.
      const chunks: Uint8Array[] = [];
      for await (const c of ((await import(ARROW)) as ArrowModule).RecordBatchFileWriter.writeAll(value))
        chunks.push(c);
      return chunks;
    }
    // References carry the table state they point at (STEP-CONTRACT.md), read here where the
    // lakehouse module is loaded already, so a runner need not load it to pin them.
    case 'delta-table': {
      if (!hasKeys(value, ['path'])) throw new TypeError('value is not a DeltaTable (no path)');
      const tablePath = path.resolve(String((value as { path: unknown }).path));
      const version = await (await pins()).tableVersionOrNull(tablePath);
      return [json({ kind: 'delta-table', path: tablePath, version })];
    }
    case 'lakehouse': {
      if (!hasKeys(value, ['root'])) throw new TypeError('value is not a Lakehouse (no root)');
      const root = path.resolve(String((value as { root: unknown }).root));
      const tables = await (await pins()).tablesCommittedSince(root, stepStartedMs);
      return [json({ kind: 'lakehouse', root, tables })];
    }
    case 'xgboost-model': {
      const m = value as { toBytes?: () => Uint8Array };
      if (typeof m?.toBytes !== 'function') throw new TypeError('value is not an XGBoostModel (no toBytes())');
      return [m.toBytes()];
    }
    case 'structured-clone':
      return [v8.serialize(value)];
  }
}

function readRef(bytes: Uint8Array, kind: string, field: string): string {
  const ref = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  if (ref.kind !== kind || typeof ref[field] !== 'string')
    throw new TypeError(`expected {"kind":"${kind}","${field}":string}, got ${JSON.stringify(ref)}`);
  return ref[field] as string;
}

type Ctor = new (arg: string) => unknown;

interface PinsModule {
  tableVersionOrNull(tablePath: string): Promise<number | null>;
  tablesCommittedSince(root: string, sinceMs: number): Promise<Record<string, number>>;
}

async function pins(): Promise<PinsModule> {
  return (await import(LAKEHOUSE)) as PinsModule;
}

async function classFrom(specifier: string, name: string): Promise<Ctor> {
  const mod = (await import(specifier)) as Record<string, unknown>;
  const cls = mod[name];
  if (typeof cls !== 'function') throw new TypeError(`${specifier} does not export ${name}`);
  return cls as Ctor;
}

function hasKeys(v: unknown, keys: string[]): boolean {
  return typeof v === 'object' && v !== null && keys.every((k) => k in v);
}

function json(v: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(v)}\n`);
}
