/**
 * The direct copy of fixed-width columns out of parquet-wasm (parquet-ffi.ts)
 * must give exactly what the IPC-stream route gives: values, nulls, types,
 * several batches; other schemas fall back to the IPC stream.
 */
import * as arrow from 'apache-arrow';
import { readParquet, Table as WasmTable, wasmMemory, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm/node';
import { describe, expect, it } from 'vitest';
import { extract } from '../../../kernel-lib/src/lakehouse/parquet-ffi.js';
import { decodeParquetInline } from '../../../kernel-lib/src/lakehouse/parquet-read.js';

const route = (bytes: Uint8Array) =>
  extract(readParquet(bytes, { batchSize: 1 << 20 }), wasmMemory()) instanceof Uint8Array ? 'ipc' : 'direct';

function parquetOf(table: arrow.Table, rowGroupSize?: number): Uint8Array {
  let b = new WriterPropertiesBuilder();
  if (rowGroupSize) b = b.setMaxRowGroupSize(rowGroupSize);
  return writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream')), b.build());
}

function viaIpc(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(readParquet(bytes, { batchSize: 1 << 20 }).intoIPCStream());
}

function rows(t: arrow.Table): unknown[] {
  return t.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

describe('decoding fixed-width columns without an IPC stream', () => {
  const n = 5000;
  const table = new arrow.Table({
    i32: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i - 2500)),
      new arrow.Int32(),
    ),
    i64: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_007n),
      new arrow.Int64(),
    ),
    f64: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i / 3)),
      new arrow.Float64(),
    ),
    f32: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i / 8),
      new arrow.Float32(),
    ),
    day: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i * 86_400_000)),
      new arrow.DateDay(),
    ),
    ts: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : i * 1000)),
      new arrow.TimestampMicrosecond('UTC'),
    ),
  });

  it('gives the same schema, values and nulls as the IPC route, over several row groups', () => {
    const bytes = parquetOf(table, 1000);
    expect(route(bytes)).toBe('direct');
    const ours = decodeParquetInline(bytes);
    const ref = viaIpc(bytes);
    expect(ours.schema.fields.map(String)).toEqual(ref.schema.fields.map(String));
    expect(ours.batches.length).toBe(ref.batches.length);
    expect(ours.numRows).toBe(n);
    for (let c = 0; c < ref.numCols; c++) expect(ours.getChildAt(c)!.nullCount).toBe(ref.getChildAt(c)!.nullCount);
    expect(rows(ours)).toEqual(rows(ref));
  });

  it('falls back to the IPC stream for a schema with strings and booleans', () => {
    const mixed = new arrow.Table({
      s: arrow.vectorFromArray(['a', null, 'ccc']),
      b: arrow.vectorFromArray([true, false, null]),
      x: arrow.vectorFromArray([1.5, 2.5, null], new arrow.Float64()),
    });
    const bytes = parquetOf(mixed);
    expect(route(bytes)).toBe('ipc');
    expect(rows(decodeParquetInline(bytes))).toEqual(rows(viaIpc(bytes)));
  });
});
