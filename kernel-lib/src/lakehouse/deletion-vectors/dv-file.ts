/**
 * Deletion vector files (PROTOCOL.md "Deletion Vector File Storage Format"), big-endian:
 * a version byte (1), then per DV: dataSize (u32), the DV bytes (see roaring.ts),
 * and the CRC-32 of those bytes (u32). A descriptor's `offset` points at the DV's
 * dataSize field and its `sizeInBytes` is dataSize.
 */
import { DeletionVectorFormatError } from './roaring.js';

export const DV_FILE_VERSION = 1;

/** Concatenates serialised DVs into one DV file; `offsets[i]` is DV i's descriptor offset. */
export function encodeDvFile(dvs: Uint8Array[]): { bytes: Uint8Array; offsets: number[] } {
  const size = 1 + dvs.reduce((a, d) => a + 8 + d.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = DV_FILE_VERSION;
  const offsets: number[] = [];
  let pos = 1;
  for (const dv of dvs) {
    offsets.push(pos);
    view.setUint32(pos, dv.length, false);
    bytes.set(dv, pos + 4);
    view.setUint32(pos + 4 + dv.length, crc32(dv), false);
    pos += 8 + dv.length;
  }
  return { bytes, offsets };
}

/** The DV bytes stored at `offset` of a DV file, checked against the descriptor's size and the stored CRC. */
export function readDvFromFile(file: Uint8Array, offset: number, sizeInBytes: number, where: string): Uint8Array {
  if (file.length === 0 || file[0] !== DV_FILE_VERSION) {
    throw new DeletionVectorFormatError(`${where}: unknown deletion vector file version ${file[0]} (expected 1)`);
  }
  if (!Number.isSafeInteger(offset) || offset < 1 || offset + 8 > file.length) {
    throw new DeletionVectorFormatError(`${where}: offset ${offset} is outside the ${file.length}-byte file`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const dataSize = view.getUint32(offset, false);
  if (dataSize !== sizeInBytes) {
    throw new DeletionVectorFormatError(
      `${where}: the file stores ${dataSize} bytes at offset ${offset}, the log says ${sizeInBytes}`,
    );
  }
  const end = offset + 4 + dataSize;
  if (end + 4 > file.length) throw new DeletionVectorFormatError(`${where}: the deletion vector is truncated`);
  const data = file.subarray(offset + 4, end);
  const stored = view.getUint32(end, false);
  const actual = crc32(data);
  if (stored !== actual) {
    throw new DeletionVectorFormatError(
      `${where}: checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the file is corrupt`,
    );
  }
  return data;
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE, as java.util.zip.CRC32); node's zlib.crc32 needs Node ≥ 20.15, this runs on any 20. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
