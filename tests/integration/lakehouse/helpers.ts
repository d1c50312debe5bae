/** Shared fixtures for the lakehouse write-path integration tests. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { type JsonValue, tableRows } from '../../../kernel-lib/src/cli/table-output.js';
import { decimalWords, rawVector } from '../../helpers/arrow.js';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const python = path.join(repoRoot, '.venv', 'bin', 'python');
export const cliMain = path.join(repoRoot, 'kernel-lib', 'dist', 'cli', 'main.js');
export const run = promisify(execFile);

const created: string[] = [];

/** A fresh temporary directory, removed by `removeTmpDirs` (call it in `afterAll`). */
export function tmpDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `sw-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTmpDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface OracleResult {
  version: number;
  columns: string[];
  files: {
    path: string;
    numRows: number;
    numRecords: number;
    partitionValues: Record<string, string | null>;
    stats: Record<string, unknown>;
  }[];
  rows: JsonValue[][];
  problems: string[];
  checkpoints: { version: number; adds: number; matchesReplay: boolean; hasMetaData: boolean; hasProtocol: boolean }[];
  lastCheckpoint: { version: number; size: number; numOfAddFiles?: number } | null;
}

/** Runs the pyarrow oracle on a table directory. */
export async function oracle(table: string): Promise<OracleResult> {
  const { stdout } = await run(python, [path.join(here, 'oracle.py'), table], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout) as OracleResult;
}

/** Rows of an Arrow table in the oracle's conventions, as sorted JSON strings (order-insensitive compare). */
export function normalisedRows(table: arrow.Table, columns: string[]): string[] {
  return [...tableRows(table)].map((r) => JSON.stringify(columns.map((c) => r[c] ?? null))).sort();
}

export function sortedJson(rows: JsonValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

const PARTITION_STRINGS = ['a b', 'x/y', 'k=v', '100%', 'ünï©ødé 日本', null, 'plain', "quo'te#?"];

/**
 * `n` rows of every Delta primitive type, with nulls in every column, plus
 * partition columns (string with special characters, int, date).
 */
export function allTypesTable(n: number, seed: number): arrow.Table {
  const rnd = mulberry32(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  const valid = idx.map((i) => i % 7 !== 3);
  const pick = <T>(f: (i: number) => T): (T | null)[] => idx.map((i) => (valid[i] ? f(i) : null));
  const i64 = BigInt64Array.from(idx, (i) => (i % 2 ? 1n : -1n) * (2n ** 62n - BigInt(Math.floor(rnd() * 1e9))));
  const decimals = idx.map((i) => {
    // up to 38 digits, 18 after the point
    const digits = BigInt(Math.floor(rnd() * 1e15)) * 10n ** 23n + BigInt(i);
    return i % 3 === 0 ? -digits : digits;
  });
  const ts = BigInt64Array.from(
    idx,
    (i) => 1_700_000_000_000_000n + BigInt(i) * 1_234_567n + BigInt(Math.floor(rnd() * 999)),
  );
  return new arrow.Table({
    b: arrow.vectorFromArray(
      pick((i) => (i % 256) - 128),
      new arrow.Int8(),
    ),
    s16: arrow.vectorFromArray(
      pick((i) => i * 7 - 30000),
      new arrow.Int16(),
    ),
    i32: arrow.vectorFromArray(
      pick((i) => i * 100_003 - 2_000_000_000),
      new arrow.Int32(),
    ),
    i64: rawVector(new arrow.Int64(), i64, valid),
    f32: arrow.vectorFromArray(
      pick(() => Math.fround(rnd() * 100 - 50)),
      new arrow.Float32(),
    ),
    f64: arrow.vectorFromArray(
      pick((i) => (i === 5 ? Number.NaN : rnd() * 1e6 - 5e5)),
      new arrow.Float64(),
    ),
    flag: arrow.vectorFromArray(
      pick((i) => i % 2 === 0),
      new arrow.Bool(),
    ),
    str: arrow.vectorFromArray(
      pick((i) => `s${i} ✓ ${'é'.repeat(i % 5)}`),
      new arrow.Utf8(),
    ),
    bin: arrow.vectorFromArray(
      pick((i) => Uint8Array.from([i % 256, 0, 255, 7])),
      new arrow.Binary(),
    ),
    dec: rawVector(new arrow.Decimal(18, 38, 128), decimalWords(decimals), valid),
    day: rawVector(
      new arrow.DateDay(),
      Int32Array.from(idx, (i) => 19_000 + i - 40_000 * (i % 2)),
      valid,
    ),
    ts: rawVector(new arrow.TimestampMicrosecond('UTC'), ts, valid),
    pstr: arrow.vectorFromArray(
      idx.map((i) => PARTITION_STRINGS[i % PARTITION_STRINGS.length]!),
      new arrow.Utf8(),
    ),
    pint: arrow.vectorFromArray(
      idx.map((i) => (i % 3) - 1),
      new arrow.Int32(),
    ),
    pdate: rawVector(
      new arrow.DateDay(),
      Int32Array.from(idx, (i) => 19_700 + (i % 2)),
      idx.map(() => true),
    ),
  });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Arrow's map<string, int> as Delta writes it: `entries` of a non-null `key` and a nullable `value`. */
export function stringToIntMap(): arrow.Map_<arrow.Utf8, arrow.Int32> {
  return new arrow.Map_<arrow.Utf8, arrow.Int32>(
    new arrow.Field(
      'entries',
      new arrow.Struct<{ key: arrow.Utf8; value: arrow.Int32 }>([
        new arrow.Field('key', new arrow.Utf8(), false),
        new arrow.Field('value', new arrow.Int32(), true),
      ]),
      false,
    ),
  );
}
