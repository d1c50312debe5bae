/**
 * Brings Arrow column data to the canonical Arrow type of its Delta type
 * (`deltaTypeToArrow`): the same Delta type can arrive as many Arrow types —
 * dictionary-encoded strings (what `tableFromArrays` makes of string arrays),
 * large strings, unsigned ints, ms/ns timestamps, Date64, timestamps in
 * another zone. Data files must hold one physical type per column, so writes
 * convert at the buffer level (exact; ns timestamps truncate to µs, as Spark does).
 */
import * as arrow from 'apache-arrow';
import { DeltaError } from './errors.js';
import { isValidAt, makeAnyData, takeData } from './take.js';

/** The data cannot be represented in the column's Delta type. */
export class CoercionError extends DeltaError {}

/** Returns `d` as `target` (buffers shared when the layout already matches). */
export function coerceData(d: arrow.Data, target: arrow.DataType, where: string): arrow.Data {
  const src = d.type;
  if (arrow.DataType.isDictionary(src)) return coerceData(decodeDictionary(d, where), target, where);
  const fail = (): never => {
    throw new CoercionError(`column ${where}: cannot store Arrow ${String(src)} as ${String(target)}`);
  };
  /** `d`'s validity (offset, length, null bitmap) as `target` with other buffers or children. */
  const reshaped = (parts: Record<string, unknown>): arrow.Data =>
    makeAnyData({
      type: target,
      offset: d.offset,
      length: d.length,
      nullCount: d.nullCount,
      nullBitmap: d.nullBitmap,
      ...parts,
    });
  const withValues = (values: ArrayBufferView, extra: Record<string, unknown> = {}): arrow.Data =>
    reshaped({ data: values, ...extra });

  if (arrow.DataType.isInt(target)) {
    if (!arrow.DataType.isInt(src)) return fail();
    if (src.bitWidth === target.bitWidth && src.isSigned === target.isSigned) return d.clone(target);
    const values = d.values as unknown as ArrayLike<number | bigint>;
    if (target.bitWidth === 64) return withValues(BigInt64Array.from(values as ArrayLike<number>, (x) => BigInt(x)));
    const Ctor = target.ArrayType as unknown as {
      from(a: ArrayLike<number>, f?: (x: number) => number): ArrayBufferView;
    };
    return withValues(Ctor.from(values as ArrayLike<number>, (x) => Number(x)));
  }
  if (arrow.DataType.isFloat(target)) {
    if (!arrow.DataType.isFloat(src)) return fail();
    if (src.precision === target.precision) return d.clone(target);
    return withValues(
      target.precision === arrow.Precision.DOUBLE
        ? Float64Array.from(d.values as Float32Array)
        : Float32Array.from(d.values as Float64Array),
    );
  }
  if (arrow.DataType.isDate(target)) {
    if (!arrow.DataType.isDate(src)) return fail();
    if (src.unit === arrow.DateUnit.DAY) return d.clone(target);
    const ms = d.values as unknown as BigInt64Array;
    return withValues(Int32Array.from(ms, (x) => Number(floorDiv(BigInt(x), 86_400_000n))));
  }
  if (arrow.DataType.isTimestamp(target)) {
    if (!arrow.DataType.isTimestamp(src)) return fail();
    if (src.unit === target.unit) return d.clone(target);
    const v = d.values as unknown as BigInt64Array;
    const out = new BigInt64Array(v.length);
    const f = unitFactor(src.unit, target.unit);
    for (let i = 0; i < v.length; i++) out[i] = f.mul ? BigInt(v[i]!) * f.by : floorDiv(BigInt(v[i]!), f.by);
    return withValues(out);
  }
  if (arrow.DataType.isDecimal(target)) {
    if (!arrow.DataType.isDecimal(src) || src.scale !== target.scale || src.bitWidth !== target.bitWidth) return fail();
    return d.clone(target);
  }
  if (arrow.DataType.isBool(target)) return arrow.DataType.isBool(src) ? d.clone(target) : fail();
  if (arrow.DataType.isUtf8(target) || arrow.DataType.isBinary(target)) {
    if (arrow.DataType.isUtf8(src) || arrow.DataType.isBinary(src)) return d.clone(target);
    if (arrow.DataType.isLargeUtf8(src) || arrow.DataType.isLargeBinary(src)) {
      const off = d.valueOffsets as unknown as BigInt64Array;
      const last = Number(off[off.length - 1] ?? 0n);
      if (last > 0x7fffffff) fail();
      return withValues(d.values, { valueOffsets: Int32Array.from(off, (x) => Number(x)) });
    }
    if (arrow.DataType.isFixedSizeBinary(src)) {
      const w = src.byteWidth;
      return withValues(d.values, { valueOffsets: Int32Array.from({ length: d.length + 1 }, (_, i) => i * w) });
    }
    return fail();
  }
  if (arrow.DataType.isStruct(target)) {
    if (!arrow.DataType.isStruct(src) || src.children.length !== target.children.length) return fail();
    const children = target.children.map((f, i) => coerceData(d.children[i]!, f.type, `${where}.${f.name}`));
    return reshaped({ children });
  }
  if (arrow.DataType.isList(target)) {
    const elem = target.children[0]!.type;
    if (arrow.DataType.isList(src)) {
      return reshaped({
        valueOffsets: d.valueOffsets as Int32Array,
        child: coerceData(d.children[0]!, elem, `${where}.element`),
      });
    }
    if (arrow.DataType.isFixedSizeList(src)) {
      const size = src.listSize;
      return reshaped({
        valueOffsets: Int32Array.from({ length: d.length + 1 }, (_, i) => i * size),
        child: coerceData(d.children[0]!, elem, `${where}.element`),
      });
    }
    return fail();
  }
  if (arrow.DataType.isMap(target)) {
    if (!arrow.DataType.isMap(src)) return fail();
    return reshaped({
      valueOffsets: d.valueOffsets as Int32Array,
      child: coerceData(d.children[0]!, target.children[0]!.type, where),
    });
  }
  return fail();
}

/** Dictionary → plain values (nulls where the index is null). */
function decodeDictionary(d: arrow.Data, where: string): arrow.Data {
  const dict = d.dictionary;
  if (!dict) throw new CoercionError(`column ${where}: dictionary-encoded data without a dictionary`);
  const dictData = dict.data.length === 1 ? dict.data[0]! : arrow.makeVector(dict.data).data[0]!;
  const indices = d.values as unknown as ArrayLike<number | bigint>;
  const idx = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) idx[i] = Number(indices[i]!);
  if (d.nullCount > 0) {
    // Null slots may hold garbage indices; point them at entry 0 and restore the nulls below.
    for (let i = 0; i < d.length; i++) if (!isValidAt(d, i)) idx[i] = 0;
  }
  const taken = takeData(dict.data.length === 1 ? dictData : concatData(dict.data), idx);
  if (d.nullCount === 0) return taken;
  const bitmap = new Uint8Array(((d.length + 63) & ~63) >> 3);
  let nulls = 0;
  for (let i = 0; i < d.length; i++) {
    if (isValidAt(d, i) && isValidAt(taken, i)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return taken.clone(taken.type, 0, taken.length, nulls, [
    taken.valueOffsets,
    taken.values,
    bitmap,
    taken.typeIds,
  ] as unknown as arrow.Data['buffers']);
}

function concatData(chunks: readonly arrow.Data[]): arrow.Data {
  const lengths = chunks.map((c) => c.length);
  const total = lengths.reduce((a, b) => a + b, 0);
  // Gather each chunk fully, then stitch through a table-less take: pick rows chunk by chunk.
  const vec = arrow.makeVector(chunks as arrow.Data[]);
  const builder = arrow.makeBuilder({ type: vec.type, nullValues: [null] });
  for (let i = 0; i < total; i++) builder.append(vec.get(i));
  return builder.finish().flush();
}

const UNIT_PER_SECOND: Record<arrow.TimeUnit, bigint> = {
  [arrow.TimeUnit.SECOND]: 1n,
  [arrow.TimeUnit.MILLISECOND]: 1000n,
  [arrow.TimeUnit.MICROSECOND]: 1_000_000n,
  [arrow.TimeUnit.NANOSECOND]: 1_000_000_000n,
};

function unitFactor(from: arrow.TimeUnit, to: arrow.TimeUnit): { mul: boolean; by: bigint } {
  const a = UNIT_PER_SECOND[from];
  const b = UNIT_PER_SECOND[to];
  return a <= b ? { mul: true, by: b / a } : { mul: false, by: a / b };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
