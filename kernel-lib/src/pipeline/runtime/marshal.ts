/**
 * Reading and writing variables that cross step boundaries, one file per
 * variable (formats in STEP-CONTRACT.md). Libraries are imported lazily so a
 * step pays only for the kinds it uses. Package names are held in variables so
 * they stay external to bundles and resolve next to the bundle at run time.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import type { MarshalKind } from '../spec.js';
import { StepRuntimeError } from './errors.js';

const ARROW = 'apache-arrow';
const LAKEHOUSE = '@stillwater/kernel/lakehouse';
const ML = '@stillwater/kernel/ml';
const ABSENT_PREFIX = '{"kind":"absent"';

interface ArrowModule {
  tableToIPC(table: unknown, type: 'file' | 'stream'): Uint8Array;
  tableFromIPC(bytes: Uint8Array): unknown;
}

export async function readVariable(kind: MarshalKind, file: string, name: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
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

export async function writeVariable(kind: MarshalKind, file: string, name: string, value: unknown): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await encode(kind, value);
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
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

async function encode(kind: MarshalKind, value: unknown): Promise<Uint8Array> {
  // A handle typed `T | null | undefined` may be absent; say so instead of failing.
  if (kind !== 'structured-clone' && (value === null || value === undefined))
    return json({ kind: 'absent', value: value === null ? null : 'undefined' });
  switch (kind) {
    case 'arrow':
      if (!hasKeys(value, ['schema', 'batches'])) throw new TypeError('value is not an apache-arrow Table');
      return ((await import(ARROW)) as ArrowModule).tableToIPC(value, 'file');
    case 'delta-table':
      if (!hasKeys(value, ['path'])) throw new TypeError('value is not a DeltaTable (no path)');
      return json({ kind: 'delta-table', path: path.resolve(String((value as { path: unknown }).path)) });
    case 'lakehouse':
      if (!hasKeys(value, ['root'])) throw new TypeError('value is not a Lakehouse (no root)');
      return json({ kind: 'lakehouse', root: path.resolve(String((value as { root: unknown }).root)) });
    case 'xgboost-model': {
      const m = value as { toBytes?: () => Uint8Array };
      if (typeof m?.toBytes !== 'function') throw new TypeError('value is not an XGBoostModel (no toBytes())');
      return m.toBytes();
    }
    case 'structured-clone':
      return v8.serialize(value);
  }
}

function readRef(bytes: Uint8Array, kind: string, field: string): string {
  const ref = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  if (ref.kind !== kind || typeof ref[field] !== 'string')
    throw new TypeError(`expected {"kind":"${kind}","${field}":string}, got ${JSON.stringify(ref)}`);
  return ref[field] as string;
}

type Ctor = new (arg: string) => unknown;

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
