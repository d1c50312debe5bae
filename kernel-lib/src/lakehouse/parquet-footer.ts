/**
 * The row count of a Parquet file from its footer alone (`FileMetaData.num_rows`,
 * field 3 of the Thrift compact-encoded footer), for files whose `add` has no
 * stats — without decoding any data. parquet-wasm 0.8 exposes footers only
 * through its async `ParquetFile`, which rejects in-memory Blobs here.
 */
import { DeltaError } from './errors.js';

/** Bytes that are not a Parquet file (or whose footer is damaged). */
export class ParquetFooterError extends DeltaError {}

const MAGIC = 0x31524150; // "PAR1" little-endian

/** `num_rows` of the Parquet file `bytes`. */
export function parquetRowCount(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || view.getUint32(bytes.length - 4, true) !== MAGIC) {
    throw new ParquetFooterError('not a Parquet file (no PAR1 footer)');
  }
  const len = view.getUint32(bytes.length - 8, true);
  if (len + 8 > bytes.length - 4) throw new ParquetFooterError(`footer length ${len} exceeds the file`);
  const r = new Compact(bytes.subarray(bytes.length - 8 - len, bytes.length - 8));
  let field = 0;
  for (;;) {
    const header = r.byte();
    if (header === 0) break;
    const type = header & 0x0f;
    const delta = header >> 4;
    field = delta ? field + delta : r.zigzag();
    if (field === 3 && type === 6) return r.zigzag();
    r.skip(type);
  }
  throw new ParquetFooterError('footer has no num_rows');
}

/** Just enough of Thrift's compact protocol to walk past fields. */
class Compact {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new ParquetFooterError('footer is truncated');
    return this.b[this.pos++]!;
  }
  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const x = this.byte();
      v += (x & 0x7f) * mul;
      if (!(x & 0x80)) return v;
      mul *= 128;
    }
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  skip(type: number): void {
    switch (type) {
      case 1:
      case 2:
        return; // booleans live in the field header
      case 3:
        this.pos++;
        return;
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case 7:
        this.pos += 8;
        return;
      case 8:
        this.pos += this.varint();
        return;
      case 9:
      case 10: {
        const h = this.byte();
        const n = h >> 4 === 15 ? this.varint() : h >> 4;
        for (let i = 0; i < n; i++) this.skipElement(h & 0x0f);
        return;
      }
      case 11: {
        const n = this.varint();
        if (n === 0) return;
        const kv = this.byte();
        for (let i = 0; i < n; i++) {
          this.skipElement(kv >> 4);
          this.skipElement(kv & 0x0f);
        }
        return;
      }
      case 12: {
        for (;;) {
          const h = this.byte();
          if (h === 0) return;
          if (!(h >> 4)) this.zigzag();
          this.skip(h & 0x0f);
        }
      }
      default:
        throw new ParquetFooterError(`unknown Thrift type ${type} in the footer`);
    }
  }
  /** Collection elements: booleans take a byte there. */
  private skipElement(type: number): void {
    if (type === 1 || type === 2) this.pos++;
    else this.skip(type);
  }
}
