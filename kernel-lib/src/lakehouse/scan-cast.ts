/**
 * Column conversion for the scan: a column chunk as decoded from a data file →
 * exactly the Arrow type of the table schema. Timestamps of any unit → µs,
 * decimals rescaled exactly, ints widened/narrowed, nested types re-labelled;
 * and, for type widening (PROTOCOL.md "Type Widening"), integers → decimal and
 * date → timestamp_ntz. Also the constant and all-null columns the scan makes
 * for partition values and columns a file lacks.
 */
import * as arrow from 'apache-arrow';
import { readDecimalWords, writeDecimalWords } from './decimal-words.js';
import type { PartitionScalar } from './partition.js';
import { type DeltaType, decimalParams } from './schema.js';

/** Casts one column chunk to the target Arrow type (see module doc for the supported conversions). */
export function castData(data: arrow.Data, target: arrow.DataType): arrow.Data {
  const src = data.type;
  if (arrow.DataType.isDictionary(src)) {
    const vec = arrow.makeVector(data);
    return castData(arrow.vectorFromArray([...vec], src.dictionary).data[0]!, target);
  }
  const base = { offset: data.offset, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap };
  if (arrow.DataType.isTimestamp(target)) {
    if (arrow.DataType.isDate(src)) return dateToTimestamp(data, target);
    if (!arrow.DataType.isTimestamp(src)) throw new Error('not a timestamp');
    const values = data.values as BigInt64Array;
    const factor = { 0: -1_000_000n, 1: -1000n, 2: 1n, 3: 1000n }[src.unit]!;
    if (factor === 1n) {
      return arrow.makeData({ type: target, ...base, data: values });
    }
    const out = new BigInt64Array(data.length);
    const valid = validity(data);
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) continue;
      const v = values[i]!;
      out[i] = factor > 0n ? floorDiv(v, factor) : v * -factor;
    }
    return arrow.makeData({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), data: out });
  }
  if (arrow.DataType.isDecimal(target)) {
    if (arrow.DataType.isInt(src)) return intToDecimal(data, target);
    if (!arrow.DataType.isDecimal(src)) throw new Error('not a decimal');
    if (src.scale === target.scale && src.bitWidth === 128) {
      return arrow.makeData({ type: target, ...base, data: data.values as Uint32Array });
    }
    const inWords = data.values as Uint32Array;
    const out = new Uint32Array(data.length * 4);
    const valid = validity(data);
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) continue;
      let v = readDecimalWords(inWords, i, src.bitWidth);
      const diff = target.scale - src.scale;
      v = diff >= 0 ? v * 10n ** BigInt(diff) : v / 10n ** BigInt(-diff);
      writeDecimalWords(out, i, v);
    }
    return arrow.makeData({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), data: out });
  }
  if (arrow.DataType.isDate(target)) {
    if (arrow.DataType.isDate(src) && src.unit === arrow.DateUnit.DAY) {
      return arrow.makeData({ type: target, ...base, data: data.values as Int32Array });
    }
    if (arrow.DataType.isTimestamp(src) || arrow.DataType.isDate(src)) {
      const vec = arrow.makeVector(data);
      const out = new Int32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const ms = vec.get(i) as number | null;
        if (ms !== null) out[i] = Math.floor(ms / 86_400_000);
      }
      return arrow.makeData({ type: target, ...base, offset: 0, data: out });
    }
    throw new Error('not a date');
  }
  if (arrow.DataType.isInt(target) || arrow.DataType.isFloat(target)) {
    if (!arrow.DataType.isInt(src) && !arrow.DataType.isFloat(src)) throw new Error('not numeric');
    const sameInt =
      arrow.DataType.isInt(src) &&
      arrow.DataType.isInt(target) &&
      src.bitWidth === target.bitWidth &&
      src.isSigned === target.isSigned;
    const sameFloat =
      arrow.DataType.isFloat(src) && arrow.DataType.isFloat(target) && src.precision === target.precision;
    if (sameInt || sameFloat) return mk({ type: target, ...base, data: data.values });
    const Out = target.ArrayType as unknown as {
      new (n: number): ArrayLike<number | bigint> & Record<number, unknown>;
    };
    const out = new Out(data.length);
    const values = data.values as ArrayLike<number | bigint>;
    const bigOut = arrow.DataType.isInt(target) && target.bitWidth === 64;
    const valid = validity(data);
    for (let i = 0; i < data.length; i++) {
      if (!valid(i)) continue;
      const v = values[i]!;
      out[i] = bigOut ? BigInt(v) : Number(v);
    }
    return mk({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), data: out });
  }
  if (arrow.DataType.isUtf8(target) || arrow.DataType.isBinary(target) || arrow.DataType.isBool(target)) {
    if (src.typeId === target.typeId)
      return arrow.makeData({ type: target, ...base, valueOffsets: data.valueOffsets, data: data.values } as never);
    const vec = arrow.makeVector(data);
    return arrow.vectorFromArray([...vec], target).data[0]!;
  }
  if (arrow.DataType.isStruct(target)) {
    if (!arrow.DataType.isStruct(src)) throw new Error('not a struct');
    const sliced = data.offset === 0 ? data : data.slice(0, data.length);
    const children = target.children.map((tf) => {
      let idx = src.children.findIndex((c) => c.name === tf.name);
      if (idx < 0) idx = src.children.findIndex((c) => c.name.toLowerCase() === tf.name.toLowerCase());
      const child = idx < 0 ? undefined : sliced.children[idx];
      return child ? castData(child, tf.type) : nullData(tf.type, data.length);
    });
    return arrow.makeData({ type: target, ...base, offset: 0, nullBitmap: ownBitmap(data), children });
  }
  if (arrow.DataType.isList(target)) {
    if (!arrow.DataType.isList(src) && !arrow.DataType.isMap(src)) throw new Error('not a list');
    return arrow.makeData({
      type: target,
      ...base,
      valueOffsets: data.valueOffsets as Int32Array,
      child: castChild(data, target.children[0]!.type),
    });
  }
  if (arrow.DataType.isMap(target)) {
    if (!arrow.DataType.isMap(src)) throw new Error('not a map');
    return arrow.makeData({
      type: target,
      ...base,
      valueOffsets: data.valueOffsets as Int32Array,
      child: castChild(data, target.children[0]!.type) as arrow.Data<arrow.Struct>,
    });
  }
  throw new Error(`unsupported target type ${String(target)}`);
}

/** Type widening date → timestamp_ntz: midnight of the day, in µs. */
function dateToTimestamp(data: arrow.Data, target: arrow.Timestamp): arrow.Data {
  const vec = arrow.makeVector(data);
  const out = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const ms = vec.get(i) as number | null;
    if (ms !== null) out[i] = BigInt(ms) * 1000n;
  }
  return arrow.makeData({
    type: target,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: ownBitmap(data),
    data: out,
  });
}

/** Type widening integer → decimal(p, s): the value times 10^s, exactly. */
function intToDecimal(data: arrow.Data, target: arrow.Decimal): arrow.Data {
  const values = data.values as ArrayLike<number | bigint>;
  const out = new Uint32Array(data.length * 4);
  const scale = 10n ** BigInt(target.scale);
  const valid = validity(data);
  for (let i = 0; i < data.length; i++) {
    if (valid(i)) writeDecimalWords(out, i, BigInt(values[i]!) * scale);
  }
  return arrow.makeData({
    type: target,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: ownBitmap(data),
    data: out,
  });
}

function castChild(data: arrow.Data, type: arrow.DataType): arrow.Data {
  const child = data.children[0];
  return child ? castData(child, type) : nullData(type, 0);
}

/** `makeData` with props checked at run time (its overloads cannot express a type chosen at run time). */
function mk(props: Record<string, unknown>): arrow.Data {
  return arrow.makeData(props as never) as arrow.Data;
}

function ownBitmap(data: arrow.Data): Uint8Array | undefined {
  if (data.offset === 0 || !data.nullBitmap || data.nullCount === 0)
    return data.nullCount === 0 ? undefined : data.nullBitmap;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function validity(data: arrow.Data): (i: number) => boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return () => true;
  return (i) => data.getValid(i);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** A column of `n` nulls of any type (built by Arrow's builders so nested layouts are valid). */
export function nullData(type: arrow.DataType, n: number): arrow.Data {
  return arrow.vectorFromArray(new Array(n).fill(null), type).data[0]!;
}

/** A column repeating one partition value. */
export function constantData(v: PartitionScalar, deltaType: DeltaType, type: arrow.DataType, n: number): arrow.Data {
  if (v === null) return nullData(type, n);
  if (decimalParams(deltaType)) {
    const out = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) writeDecimalWords(out, i, v as bigint);
    return arrow.makeData({ type: type as arrow.Decimal, length: n, nullCount: 0, data: out });
  }
  switch (deltaType) {
    case 'timestamp':
    case 'timestamp_ntz':
      return arrow.makeData({
        type: type as arrow.Timestamp,
        length: n,
        nullCount: 0,
        data: new BigInt64Array(n).fill(v as bigint),
      });
    case 'date':
      return arrow.makeData({
        type: type as arrow.DateDay,
        length: n,
        nullCount: 0,
        data: new Int32Array(n).fill(v as number),
      });
    case 'long':
      return arrow.makeData({
        type: type as arrow.Int64,
        length: n,
        nullCount: 0,
        data: new BigInt64Array(n).fill(v as bigint),
      });
    default:
      return arrow.vectorFromArray(new Array(n).fill(v), type).data[0]!;
  }
}
