/**
 * The RoaringBitmap serialisation Delta stores deletion vectors in (PROTOCOL.md
 * "Deletion Vector Format"), both directions:
 *
 *   DV bytes   = magic 1681511377 (u32 LE) + a 64-bit bitmap in the portable format:
 *                numBuckets (u64 LE), then per bucket, keys ascending:
 *                key = high 32 bits (u32 LE, top bit 0) + a 32-bit RoaringBitmap.
 *   32-bit     = RoaringFormatSpec: cookie 12346 (no run containers; u32 size follows)
 *                or 12347 | (size-1) << 16 (run-container bitmap follows), container
 *                headers (key u16, cardinality-1 u16), offsets, then array (u16 values),
 *                bitmap (1024 u64) or run (u16 count, then start/length-1 pairs) containers.
 *
 * Decoding also accepts Delta's older "native" layout (magic 1681511376, big-endian
 * bitmap count and sizes, one 32-bit bitmap per high key from 0), which the
 * protocol's inline example uses. Encoding writes the portable layout only and
 * picks, per 16-bit container, the smallest of array / bitmap / run — as
 * CRoaring's and Java's `runOptimize` do — so Spark and delta-rs read our DVs.
 *
 * Row sets are sorted arrays of row indexes (numbers; exact up to 2^53).
 */
import { DeltaError } from '../errors.js';

/** Bytes that are not a deletion vector in a format this codec knows. */
export class DeletionVectorFormatError extends DeltaError {}

export const DV_MAGIC_PORTABLE = 1681511377;
export const DV_MAGIC_NATIVE = 1681511376;
const COOKIE_NO_RUN = 12346;
const COOKIE_RUN = 12347;
/** Java/CRoaring omit container offsets in the run format below this many containers. */
const NO_OFFSET_THRESHOLD = 4;
const MAX_ARRAY = 4096;
const BITMAP_BYTES = 8192;
const TWO_32 = 2 ** 32;

/** Serialises a set of row indexes (any order, duplicates ignored) as Delta DV bytes (magic + portable 64-bit). */
export function encodeDeletionVector(rows: ArrayLike<number>): Uint8Array {
  return encodeDeletionVectorCounted(rows).bytes;
}

/** Like `encodeDeletionVector`, also returning the number of distinct rows (the descriptor's cardinality). */
export function encodeDeletionVectorCounted(rows: ArrayLike<number>): { bytes: Uint8Array; cardinality: number } {
  const sorted = sortedUnique(rows);
  const buckets: { key: number; bytes: Uint8Array }[] = [];
  let i = 0;
  while (i < sorted.length) {
    const key = Math.floor(sorted[i]! / TWO_32);
    let j = i;
    while (j < sorted.length && Math.floor(sorted[j]! / TWO_32) === key) j++;
    const low = new Uint32Array(j - i);
    for (let k = i; k < j; k++) low[k - i] = sorted[k]! - key * TWO_32;
    buckets.push({ key, bytes: serializeRoaring32(low) });
    i = j;
  }
  const size = 4 + 8 + buckets.reduce((a, b) => a + 4 + b.bytes.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, DV_MAGIC_PORTABLE, true);
  view.setBigUint64(4, BigInt(buckets.length), true);
  let pos = 12;
  for (const b of buckets) {
    view.setUint32(pos, b.key, true);
    out.set(b.bytes, pos + 4);
    pos += 4 + b.bytes.length;
  }
  return { bytes: out, cardinality: sorted.length };
}

/** Decodes Delta DV bytes (portable or native layout) into the sorted row indexes. */
export function decodeDeletionVector(bytes: Uint8Array): number[] {
  const r = new Reader(bytes);
  const magic = r.u32(true);
  const rows: number[] = [];
  if (magic === DV_MAGIC_PORTABLE) {
    const n = r.u64();
    let prevKey = -1;
    for (let b = 0; b < n; b++) {
      const key = r.u32(true);
      if (key <= prevKey)
        throw new DeletionVectorFormatError(`bucket keys are not ascending (${key} after ${prevKey})`);
      if (key >= 2 ** 31) throw new DeletionVectorFormatError(`bucket key ${key} has its top bit set`);
      prevKey = key;
      deserializeRoaring32(r, key * TWO_32, rows);
    }
  } else if (readU32BE(bytes, 0) === DV_MAGIC_NATIVE) {
    const n = r.u32(false);
    for (let key = 0; key < n; key++) {
      const size = r.u32(false);
      const end = r.pos + size;
      deserializeRoaring32(r, key * TWO_32, rows);
      if (r.pos !== end)
        throw new DeletionVectorFormatError(`bitmap ${key} is ${r.pos - end + size} bytes, header says ${size}`);
    }
  } else {
    throw new DeletionVectorFormatError(
      `unknown deletion vector magic number ${magic} (expected ${DV_MAGIC_PORTABLE}, RoaringBitmapArray portable format)`,
    );
  }
  if (r.pos !== bytes.length) {
    throw new DeletionVectorFormatError(`${bytes.length - r.pos} trailing bytes after the deletion vector bitmap`);
  }
  return rows;
}

/** One 32-bit RoaringBitmap (portable format) from sorted, distinct values. */
export function serializeRoaring32(values: Uint32Array): Uint8Array {
  type Container = { key: number; card: number; kind: 'array' | 'bitmap' | 'run'; body: Uint8Array };
  const containers: Container[] = [];
  let i = 0;
  while (i < values.length) {
    const key = values[i]! >>> 16;
    let j = i;
    let runs = 0;
    while (j < values.length && values[j]! >>> 16 === key) {
      if (j === i || values[j]! !== values[j - 1]! + 1) runs++;
      j++;
    }
    const lows = new Uint16Array(j - i);
    for (let k = i; k < j; k++) lows[k - i] = values[k]! & 0xffff;
    containers.push(encodeContainer(key, lows, runs));
    i = j;
  }
  const n = containers.length;
  const hasRun = containers.some((c) => c.kind === 'run');
  const withOffsets = !hasRun || n >= NO_OFFSET_THRESHOLD;
  const headerSize = (hasRun ? 4 + Math.ceil(n / 8) : 8) + 4 * n + (withOffsets ? 4 * n : 0);
  const size = headerSize + containers.reduce((a, c) => a + c.body.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  if (hasRun) {
    view.setUint32(0, COOKIE_RUN | ((n - 1) << 16), true);
    pos = 4;
    containers.forEach((c, k) => {
      if (c.kind === 'run') out[pos + (k >> 3)]! |= 1 << (k & 7);
    });
    pos += Math.ceil(n / 8);
  } else {
    view.setUint32(0, COOKIE_NO_RUN, true);
    view.setUint32(4, n, true);
    pos = 8;
  }
  for (const c of containers) {
    view.setUint16(pos, c.key, true);
    view.setUint16(pos + 2, c.card - 1, true);
    pos += 4;
  }
  let body = headerSize;
  if (withOffsets) {
    for (const c of containers) {
      view.setUint32(pos, body, true);
      pos += 4;
      body += c.body.length;
    }
  }
  body = headerSize;
  for (const c of containers) {
    out.set(c.body, body);
    body += c.body.length;
  }
  return out;
}

function encodeContainer(key: number, lows: Uint16Array, runs: number) {
  const card = lows.length;
  const runSize = 2 + 4 * runs;
  const plainSize = card <= MAX_ARRAY ? 2 * card : BITMAP_BYTES;
  if (runSize < plainSize) {
    const body = new Uint8Array(runSize);
    const v = new DataView(body.buffer);
    v.setUint16(0, runs, true);
    let r = 0;
    let start = 0;
    for (let k = 1; k <= card; k++) {
      if (k === card || lows[k]! !== lows[k - 1]! + 1) {
        v.setUint16(2 + 4 * r, lows[start]!, true);
        v.setUint16(4 + 4 * r, k - 1 - start, true);
        r++;
        start = k;
      }
    }
    return { key, card, kind: 'run' as const, body };
  }
  if (card <= MAX_ARRAY) {
    const body = new Uint8Array(2 * card);
    const v = new DataView(body.buffer);
    for (let k = 0; k < card; k++) v.setUint16(2 * k, lows[k]!, true);
    return { key, card, kind: 'array' as const, body };
  }
  const body = new Uint8Array(BITMAP_BYTES);
  for (const x of lows) body[x >> 3]! |= 1 << (x & 7);
  return { key, card, kind: 'bitmap' as const, body };
}

/** Reads one 32-bit RoaringBitmap at the reader's position, appending `base + value` to `out`. */
function deserializeRoaring32(r: Reader, base: number, out: number[]): void {
  const start = r.pos;
  const cookie = r.u32(true);
  let n: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === COOKIE_RUN) {
    n = (cookie >>> 16) + 1;
    runFlags = r.bytes(Math.ceil(n / 8));
  } else if (cookie === COOKIE_NO_RUN) {
    n = r.u32(true);
  } else {
    throw new DeletionVectorFormatError(`not a RoaringBitmap: cookie ${cookie} at byte ${start}`);
  }
  const keys: number[] = [];
  const cards: number[] = [];
  for (let k = 0; k < n; k++) {
    keys.push(r.u16());
    cards.push(r.u16() + 1);
  }
  if (!runFlags || n >= NO_OFFSET_THRESHOLD) r.skip(4 * n); // offsets: containers follow in order anyway
  for (let k = 0; k < n; k++) {
    const high = base + keys[k]! * 65536;
    if (k > 0 && keys[k]! <= keys[k - 1]!) throw new DeletionVectorFormatError('container keys are not ascending');
    const isRun = runFlags ? ((runFlags[k >> 3]! >> (k & 7)) & 1) === 1 : false;
    if (isRun) {
      const runs = r.u16();
      for (let q = 0; q < runs; q++) {
        const s = r.u16();
        const len = r.u16();
        for (let x = s; x <= s + len; x++) out.push(high + x);
      }
    } else if (cards[k]! <= MAX_ARRAY) {
      for (let q = 0; q < cards[k]!; q++) out.push(high + r.u16());
    } else {
      const bm = r.bytes(BITMAP_BYTES);
      for (let byte = 0; byte < BITMAP_BYTES; byte++) {
        const b = bm[byte]!;
        if (b === 0) continue;
        for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) out.push(high + byte * 8 + bit);
      }
    }
  }
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new DeletionVectorFormatError(
        `deletion vector is truncated: needs byte ${this.pos + n}, has ${this.buf.length}`,
      );
    }
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(littleEndian: boolean): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    if (v > 2n ** 31n) throw new DeletionVectorFormatError(`implausible bucket count ${v}`);
    this.pos += 8;
    return Number(v);
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

function readU32BE(b: Uint8Array, at: number): number {
  return b.length < at + 4 ? -1 : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function sortedUnique(rows: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(rows as ArrayLike<number>);
  for (const x of a) {
    if (!Number.isSafeInteger(x) || x < 0) throw new DeletionVectorFormatError(`row index ${x} is not an integer ≥ 0`);
  }
  a.sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[n++] = a[i]!;
  return a.subarray(0, n);
}
