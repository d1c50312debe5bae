/**
 * A faster way out of parquet-wasm for the common case of flat fixed-width
 * columns (ints, floats, dates, timestamps, decimals): copy each column's
 * buffers straight out of WebAssembly memory through the Arrow C Data Interface
 * (`toFFI`), instead of having arrow-rs serialise an IPC stream that is then
 * copied out — several times faster on wide numeric files (tests/bench/lakehouse).
 * Any other schema (strings, booleans, nested, dictionaries) or an unusual
 * layout (non-zero offsets, unknown null counts) falls back to the IPC stream,
 * so the result is always the same Arrow data `tableFromIPC` would give.
 *
 * The pieces are plain data with whole, fresh ArrayBuffers: they can be
 * transferred from a worker thread without copying.
 */
import * as arrow from 'apache-arrow';
import type * as pw from 'parquet-wasm';

/** One decoded file as transferable pieces. */
export interface DecodedPieces {
  /** The Arrow schema as an IPC stream with no batches. */
  schemaIpc: Uint8Array;
  batches: { length: number; columns: { nullCount: number; validity?: Uint8Array; values: Uint8Array }[] }[];
}

/** Either the file as an IPC stream (general case) or as pieces (flat fixed-width columns). */
export type Decoded = Uint8Array | DecodedPieces;

/** Bytes per value of a type whose values are one fixed-width buffer, else undefined. */
function fixedWidth(type: arrow.DataType): number | undefined {
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isTimestamp(type))
    return (type.ArrayType as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (arrow.DataType.isDate(type) && type.unit === arrow.DateUnit.DAY) return 4;
  if (arrow.DataType.isDecimal(type)) return type.bitWidth / 8;
  return undefined;
}

/** Reads a decoded parquet-wasm table out of WebAssembly memory, freeing it. */
export function extract(table: pw.Table, memory: { readonly buffer: ArrayBufferLike }): Decoded {
  // `intoIPCStream` consumes (frees) the table, even when it throws; otherwise free it here.
  let consumed = false;
  const asIpc = (): Uint8Array => {
    consumed = true;
    return table.intoIPCStream();
  };
  try {
    const schemaIpc = table.schema.intoIPCStream();
    const widths = arrow.tableFromIPC(schemaIpc).schema.fields.map((f) => fixedWidth(f.type));
    if (widths.length === 0 || widths.some((w) => w === undefined)) return asIpc();
    const pieces = viaFfi(table, widths as number[]);
    return pieces ? { schemaIpc, batches: pieces } : asIpc();
  } finally {
    if (!consumed) table.free();
  }

  function viaFfi(t: pw.Table, widths: number[]): DecodedPieces['batches'] | undefined {
    const ffi = t.toFFI();
    try {
      const dv = new DataView(memory.buffer);
      // ArrowArray on wasm32: int64 length@0, null_count@8, offset@16, n_buffers@24,
      // n_children@32; then 32-bit pointers buffers@40, children@44.
      const i64 = (p: number, at: number) => Number(dv.getBigInt64(p + at, true));
      const ptr = (p: number, at: number) => dv.getUint32(p + at, true);
      const out: DecodedPieces['batches'] = [];
      for (let b = 0; b < ffi.numArrays(); b++) {
        const arr = ffi.arrayAddr(b);
        const length = i64(arr, 0);
        if (i64(arr, 16) !== 0 || i64(arr, 32) !== widths.length) return undefined;
        const columns: DecodedPieces['batches'][number]['columns'] = [];
        for (let c = 0; c < widths.length; c++) {
          const ch = ptr(ptr(arr, 44), 4 * c);
          const nullCount = i64(ch, 8);
          if (i64(ch, 0) !== length || i64(ch, 16) !== 0 || i64(ch, 24) !== 2 || nullCount < 0) return undefined;
          const bufs = ptr(ch, 40);
          const validityAt = ptr(bufs, 0);
          const valuesAt = ptr(bufs, 4);
          // .slice(): a fresh ArrayBuffer (aligned, transferable, safe from WebAssembly memory growth).
          const values = new Uint8Array(memory.buffer, valuesAt, length * widths[c]!).slice();
          const validity =
            nullCount > 0 && validityAt !== 0
              ? new Uint8Array(memory.buffer, validityAt, Math.ceil(length / 8)).slice()
              : undefined;
          if (nullCount > 0 && !validity) return undefined;
          columns.push({ nullCount, values, ...(validity ? { validity } : {}) });
        }
        out.push({ length, columns });
      }
      return out;
    } finally {
      ffi.free();
    }
  }
}

/** Buffers to transfer when posting `d` to another thread. */
export function transferables(d: Decoded): ArrayBuffer[] {
  if (d instanceof Uint8Array) return [d.buffer as ArrayBuffer];
  const out = [d.schemaIpc.buffer as ArrayBuffer];
  for (const b of d.batches)
    for (const c of b.columns) {
      out.push(c.values.buffer as ArrayBuffer);
      if (c.validity) out.push(c.validity.buffer as ArrayBuffer);
    }
  return out;
}

/** The apache-arrow table for decoded data; views the transferred buffers without copying. */
export function toArrowTable(d: Decoded): arrow.Table {
  if (d instanceof Uint8Array) return arrow.tableFromIPC(d);
  const schema = arrow.tableFromIPC(d.schemaIpc).schema;
  const batches = d.batches.map((b) => {
    const children = schema.fields.map((f, i) => {
      const col = b.columns[i]!;
      const Arr = f.type.ArrayType as unknown as new (buf: ArrayBufferLike, off: number, n: number) => ArrayBufferView;
      const per = (Arr as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      const data = new Arr(col.values.buffer, col.values.byteOffset, col.values.byteLength / per);
      return arrow.makeData({
        type: f.type,
        length: b.length,
        nullCount: col.nullCount,
        nullBitmap: col.validity,
        data,
      } as never) as arrow.Data;
    });
    const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: b.length, nullCount: 0, children });
    return new arrow.RecordBatch(schema, struct);
  });
  return new arrow.Table(schema, batches);
}
