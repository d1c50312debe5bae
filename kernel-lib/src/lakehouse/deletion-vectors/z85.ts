/**
 * Z85 (ZeroMQ's Base85, https://rfc.zeromq.org/spec/32/), the variant Delta uses
 * for inline deletion vectors and the UUIDs in DV file names (PROTOCOL.md
 * "Deletion Vector Descriptor Schema"). Z85 works on 4-byte groups; like Delta's
 * Base85Codec, input of other lengths is zero-padded when encoding and the
 * decoder is told the real byte length to cut the padding off.
 */
import { DeltaError } from '../errors.js';

/** Text that is not valid Z85 (bad character or length). */
export class Z85Error extends DeltaError {}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes (zero-padded to a multiple of 4) as Z85 text: 5 characters per 4 bytes. */
export function z85Encode(bytes: Uint8Array): string {
  const groups = Math.ceil(bytes.length / 4);
  let out = '';
  for (let g = 0; g < groups; g++) {
    let v = 0;
    for (let k = 0; k < 4; k++) v = v * 256 + (bytes[g * 4 + k] ?? 0);
    const chars = new Array<string>(5);
    for (let k = 4; k >= 0; k--) {
      chars[k] = ALPHABET[v % 85]!;
      v = Math.floor(v / 85);
    }
    out += chars.join('');
  }
  return out;
}

/** Decodes Z85 text; `byteLength` (default: all) drops the encoder's zero padding. */
export function z85Decode(text: string, byteLength?: number): Uint8Array {
  if (text.length % 5 !== 0) throw new Z85Error(`Z85 text must have a multiple of 5 characters, got ${text.length}`);
  const full = (text.length / 5) * 4;
  const n = byteLength ?? full;
  if (n > full || n < full - 3) {
    throw new Z85Error(`Z85 text of ${text.length} characters cannot hold ${n} bytes`);
  }
  const out = new Uint8Array(full);
  for (let g = 0; g < text.length / 5; g++) {
    let v = 0;
    for (let k = 0; k < 5; k++) {
      const c = text.charCodeAt(g * 5 + k);
      const d = c < 128 ? DECODE[c]! : -1;
      if (d < 0) throw new Z85Error(`invalid Z85 character ${JSON.stringify(text[g * 5 + k])} at ${g * 5 + k}`);
      v = v * 85 + d;
    }
    if (v > 0xffffffff) throw new Z85Error(`Z85 group at ${g * 5} overflows 32 bits`);
    out[g * 4] = v >>> 24;
    out[g * 4 + 1] = (v >>> 16) & 0xff;
    out[g * 4 + 2] = (v >>> 8) & 0xff;
    out[g * 4 + 3] = v & 0xff;
  }
  return n === full ? out : out.subarray(0, n);
}
