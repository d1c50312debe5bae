/**
 * Row selection ("take") over Arrow data at the buffer level. apache-arrow JS
 * has no compute kernels, and its builders round µs timestamps through
 * milliseconds, so partitioned writes (rows of one partition may be scattered
 * through the input) gather buffers directly: exact for every type, nested or not.
 */
import * as arrow from 'apache-arrow';
import { DeltaError } from './errors.js';

/** A type the gather does not know how to copy. */
export class TakeError extends DeltaError {}

/** `arrow.makeData` for props assembled generically (its overloads need a literal type). */
export function makeAnyData(props: Record<string, unknown>): arrow.Data {
  return (arrow.makeData as unknown as (p: Record<string, unknown>) => arrow.Data)(props);
}

/** Is row `i` of `d` valid (not null)? */
export function isValidAt(d: arrow.Data, i: number): boolean {
  if (d.nullCount === 0) return true;
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0) return d.nullCount !== d.length;
  const j = d.offset + i;
  return ((bm[j >> 3]! >> (j & 7)) & 1) === 1;
}

/** Gathers rows `idx` (in that order) of every column into a new table. */
export function takeRows(table: arrow.Table, idx: ArrayLike<number>): arrow.Table {
  // Resolve global row numbers to (batch, row) once.
  const starts: number[] = [];
  let acc = 0;
  for (const b of table.batches) {
    starts.push(acc);
    acc += b.numRows;
  }
  const single = table.batches.length === 1;
  const children = table.schema.fields.map((_, c) => {
    if (single) return takeData(table.batches[0]!.data.children[c]!, idx);
    // Several batches: take per batch, then stitch the pieces in order by row.
    const pieces: arrow.Data[] = [];
    let runBatch = -1;
    let run: number[] = [];
    const flush = (): void => {
      if (run.length) pieces.push(takeData(table.batches[runBatch]!.data.children[c]!, run));
      run = [];
    };
    for (let k = 0; k < idx.length; k++) {
      const g = idx[k]!;
      let b =
        runBatch >= 0 && g >= starts[runBatch]! && g < starts[runBatch]! + table.batches[runBatch]!.numRows
          ? runBatch
          : -1;
      if (b < 0) {
        b = upperBound(starts, g) - 1;
        flush();
        runBatch = b;
      }
      run.push(g - starts[b]!);
    }
    flush();
    return pieces;
  });
  if (single) {
    const data = children as arrow.Data[];
    return new arrow.Table(
      new arrow.RecordBatch(
        table.schema,
        arrow.makeData({
          type: new arrow.Struct(table.schema.fields),
          length: idx.length,
          nullCount: 0,
          children: data,
        }),
      ),
    );
  }
  const perCol = children as arrow.Data[][];
  const batches = (perCol[0] ?? []).map(
    (_, p) =>
      new arrow.RecordBatch(
        table.schema,
        arrow.makeData({
          type: new arrow.Struct(table.schema.fields),
          length: perCol[0]![p]!.length,
          nullCount: 0,
          children: perCol.map((pieces) => pieces[p]!),
        }),
      ),
  );
  return batches.length ? new arrow.Table(batches) : table.slice(0, 0);
}

function upperBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Gathers rows `idx` of one column chunk. */
export function takeData(d: arrow.Data, idx: ArrayLike<number>): arrow.Data {
  const n = idx.length;
  const type = d.type;
  const { bitmap, nullCount } = gatherValidity(d, idx);
  const base = { type, length: n, nullCount, nullBitmap: bitmap } as const;
  if (arrow.DataType.isNull(type)) return arrow.makeData({ type, length: n, nullCount: n });
  if (arrow.DataType.isBool(type)) {
    const src = d.values as Uint8Array;
    const out = new Uint8Array((n + 7) >> 3);
    for (let k = 0; k < n; k++) {
      const j = d.offset + idx[k]!;
      if ((src[j >> 3]! >> (j & 7)) & 1) out[k >> 3]! |= 1 << (k & 7);
    }
    return makeAnyData({ ...base, data: out });
  }
  if (isFixedWidth(type)) {
    const { values: src, stride } = rawValues(d);
    const out = new (src.constructor as new (n: number) => RawValues)(n * stride);
    if (stride === 1) {
      for (let k = 0; k < n; k++) out[k] = src[idx[k]!]!;
    } else {
      for (let k = 0; k < n; k++) {
        const s = idx[k]! * stride;
        for (let w = 0; w < stride; w++) out[k * stride + w] = src[s + w]!;
      }
    }
    return makeAnyData({ ...base, data: asValues(d, out) });
  }
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
    const { offsets, bytes } = gatherVarWidth(d, idx);
    return makeAnyData({ ...base, valueOffsets: offsets, data: bytes });
  }
  if (arrow.DataType.isLargeUtf8(type) || arrow.DataType.isLargeBinary(type)) {
    const { offsets, bytes } = gatherVarWidth(d, idx);
    return makeAnyData({
      ...base,
      valueOffsets: BigInt64Array.from(offsets, (x) => BigInt(x)),
      data: bytes,
    });
  }
  if (arrow.DataType.isStruct(type)) {
    return makeAnyData({ ...base, children: d.children.map((c) => takeData(c, idx)) });
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isMap(type)) {
    const src = d.valueOffsets as Int32Array;
    const offsets = new Int32Array(n + 1);
    const childIdx: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      for (let j = src[i]!; j < src[i + 1]!; j++) childIdx.push(j);
      offsets[k + 1] = childIdx.length;
    }
    const child = takeData(d.children[0]!, childIdx);
    return makeAnyData({ ...base, valueOffsets: offsets, child });
  }
  if (arrow.DataType.isFixedSizeList(type)) {
    const size = type.listSize;
    const childIdx: number[] = [];
    for (let k = 0; k < n; k++) for (let j = 0; j < size; j++) childIdx.push(idx[k]! * size + j);
    const child = takeData(d.children[0]!, childIdx);
    return makeAnyData({ ...base, child });
  }
  if (arrow.DataType.isDictionary(type)) {
    const indices = takeData(d.clone(type.indices), idx);
    return makeAnyData({
      ...base,
      data: indices.values,
      dictionary: d.dictionary,
    });
  }
  throw new TakeError(`cannot select rows of Arrow type ${String(type)}`);
}

function gatherValidity(d: arrow.Data, idx: ArrayLike<number>): { bitmap: Uint8Array | undefined; nullCount: number } {
  const n = idx.length;
  if (d.nullCount === 0) return { bitmap: undefined, nullCount: 0 };
  const out = new Uint8Array(((n + 63) & ~63) >> 3);
  let nulls = 0;
  for (let k = 0; k < n; k++) {
    if (isValidAt(d, idx[k]!)) out[k >> 3]! |= 1 << (k & 7);
    else nulls++;
  }
  return { bitmap: out, nullCount: nulls };
}

function gatherVarWidth(d: arrow.Data, idx: ArrayLike<number>): { offsets: Int32Array; bytes: Uint8Array } {
  const src = d.valueOffsets as Int32Array | BigInt64Array;
  const at = (i: number): number => Number(src[i]!);
  const bytesIn = d.values as Uint8Array;
  const n = idx.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    total += at(i + 1) - at(i);
    offsets[k + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    bytes.set(bytesIn.subarray(at(i), at(i + 1)), offsets[k]!);
  }
  return { offsets, bytes };
}

/** Types whose rows are `stride` elements of one `values` buffer. */
function isFixedWidth(type: arrow.DataType): boolean {
  return (
    arrow.DataType.isInt(type) ||
    arrow.DataType.isFloat(type) ||
    arrow.DataType.isDate(type) ||
    arrow.DataType.isTimestamp(type) ||
    arrow.DataType.isTime(type) ||
    arrow.DataType.isDecimal(type) ||
    arrow.DataType.isInterval(type) ||
    arrow.DataType.isDuration(type) ||
    arrow.DataType.isFixedSizeBinary(type)
  );
}

type RawValues =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/**
 * A chunk's values as a typed array whose elements copy without allocating:
 * 64-bit integers are viewed as pairs of 32-bit words (reading a BigInt64Array
 * boxes every value as a BigInt), float64 as two words too (copying a double
 * through a JS number may canonicalise a NaN's payload).
 */
function rawValues(d: arrow.Data): { values: RawValues; stride: number } {
  const v = d.values as unknown as ArrayBufferView & { length: number; BYTES_PER_ELEMENT: number };
  if (v.BYTES_PER_ELEMENT === 8) {
    return { values: new Int32Array(v.buffer, v.byteOffset, v.length * 2), stride: d.stride * 2 };
  }
  return { values: v as unknown as RawValues, stride: d.stride };
}

/** `raw` (built like `rawValues(d)`) viewed as `d`'s own values type. */
function asValues(d: arrow.Data, raw: RawValues): ArrayBufferView {
  const Ctor = (
    d.values as unknown as { constructor: new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView }
  ).constructor;
  const per = (d.values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new Ctor(raw.buffer, raw.byteOffset, raw.byteLength / per);
}

/**
 * One column (its chunks, in order) as a single new chunk in which the rows at
 * each patch's `positions` are replaced by that patch's rows 0, 1, …: UPDATE
 * and MERGE rewrite a file with its updated rows in place, copying the column
 * once instead of gathering every kept row. Undefined when the type is not
 * fixed-width (or a patch's layout differs): callers then gather instead.
 */
export function patchColumn(chunks: arrow.Data[], patches: Patch[]): arrow.Data | undefined {
  const first = chunks[0];
  if (first && (arrow.DataType.isUtf8(first.type) || arrow.DataType.isBinary(first.type))) {
    return patchVarWidth(chunks, patches);
  }
  if (!first || !isFixedWidth(first.type)) return undefined;
  const Ctor = first.values.constructor;
  if (patches.some((p) => p.data.values?.constructor !== Ctor || p.data.stride !== first.stride)) return undefined;
  if (chunks.some((c) => c.values?.constructor !== Ctor || c.stride !== first.stride)) return undefined;
  const n = chunks.reduce((a, c) => a + c.length, 0);
  const { values: proto, stride } = rawValues(first);
  const out = new (proto.constructor as new (n: number) => RawValues)(n * stride);
  let row = 0;
  for (const c of chunks) {
    out.set(rawValues(c).values.subarray(0, c.length * stride), row * stride);
    row += c.length;
  }
  for (const p of patches) {
    const src = rawValues(p.data).values;
    for (let k = 0; k < p.positions.length; k++) {
      const at = p.positions[k]! * stride;
      for (let w = 0; w < stride; w++) out[at + w] = src[k * stride + w]!;
    }
  }
  const { bitmap, nullCount } = patchedValidity(chunks, patches, n);
  return makeAnyData({ type: first.type, length: n, nullCount, nullBitmap: bitmap, data: asValues(first, out) });
}

type Patch = { positions: ArrayLike<number>; data: arrow.Data };

/** The validity bitmap of a patched column (none when neither side has nulls). */
function patchedValidity(chunks: arrow.Data[], patches: Patch[], n: number) {
  if (chunks.every((c) => c.nullCount === 0) && patches.every((p) => p.data.nullCount === 0)) {
    return { bitmap: undefined, nullCount: 0 };
  }
  const bitmap = new Uint8Array(((n + 63) & ~63) >> 3);
  const set = (i: number, valid: boolean): void => {
    if (valid) bitmap[i >> 3]! |= 1 << (i & 7);
    else bitmap[i >> 3]! &= ~(1 << (i & 7));
  };
  let row = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++) set(row++, isValidAt(c, i));
  for (const p of patches) for (let k = 0; k < p.positions.length; k++) set(p.positions[k]!, isValidAt(p.data, k));
  let nullCount = 0;
  for (let i = 0; i < n; i++) if (!((bitmap[i >> 3]! >> (i & 7)) & 1)) nullCount++;
  return { bitmap, nullCount };
}

/** `patchColumn` for strings and binary (32-bit offsets): each row's bytes from the original or its patch. */
function patchVarWidth(chunks: arrow.Data[], patches: Patch[]): arrow.Data | undefined {
  const all = [...chunks, ...patches.map((p) => p.data)];
  if (all.some((d) => !(d.valueOffsets instanceof Int32Array) || d.type.typeId !== chunks[0]!.type.typeId)) {
    return undefined;
  }
  const n = chunks.reduce((a, c) => a + c.length, 0);
  // Where each output row comes from: a chunk (index) or a patch (chunks.length + index), and its row there.
  const srcOf = new Int32Array(n);
  const rowOf = new Int32Array(n);
  let row = 0;
  chunks.forEach((c, ci) => {
    for (let i = 0; i < c.length; i++, row++) {
      srcOf[row] = ci;
      rowOf[row] = i;
    }
  });
  patches.forEach((p, pi) => {
    for (let k = 0; k < p.positions.length; k++) {
      srcOf[p.positions[k]!] = chunks.length + pi;
      rowOf[p.positions[k]!] = k;
    }
  });
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const o = all[srcOf[i]!]!.valueOffsets as Int32Array;
    offsets[i + 1] = offsets[i]! + o[rowOf[i]! + 1]! - o[rowOf[i]!]!;
  }
  const bytes = new Uint8Array(offsets[n]!);
  for (let i = 0; i < n; i++) {
    const d = all[srcOf[i]!]!;
    const o = d.valueOffsets as Int32Array;
    bytes.set((d.values as Uint8Array).subarray(o[rowOf[i]!]!, o[rowOf[i]! + 1]!), offsets[i]!);
  }
  const { bitmap, nullCount } = patchedValidity(chunks, patches, n);
  return makeAnyData({
    type: chunks[0]!.type,
    length: n,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: bytes,
  });
}
