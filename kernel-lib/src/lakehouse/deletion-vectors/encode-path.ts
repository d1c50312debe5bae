/**
 * Where an on-disk deletion vector lives (PROTOCOL.md "Derived Fields"): for
 * `storageType: 'u'`, `pathOrInlineDv` is an optional random prefix followed by
 * the file's UUID as 20 Z85 characters, and the file is
 * `<table>/<prefix>/deletion_vector_<uuid>.bin`; for `'p'` it is an absolute path.
 */
import { randomUUID } from 'node:crypto';
import { z85Decode, z85Encode, Z85Error } from './z85.js';

/** Length of a Z85-encoded UUID (16 bytes). */
const UUID_Z85_LENGTH = 20;

/** `d2c639aa-8816-431a-aaf6-d3fe2512ff61` → its 20 Z85 characters. */
export function uuidToZ85(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Z85Error(`not a UUID: ${uuid}`);
  return z85Encode(Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16))));
}

/** 20 Z85 characters → the UUID in canonical textual form. */
export function z85ToUuid(text: string): string {
  const hex = Buffer.from(z85Decode(text, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The DV file's path relative to the table root, from a `'u'` descriptor's `pathOrInlineDv`. */
export function relativeDvPath(pathOrInlineDv: string): string {
  if (pathOrInlineDv.length < UUID_Z85_LENGTH) {
    throw new Z85Error(`deletion vector path ${JSON.stringify(pathOrInlineDv)} is shorter than a Z85 UUID`);
  }
  const prefix = pathOrInlineDv.slice(0, -UUID_Z85_LENGTH);
  const uuid = z85ToUuid(pathOrInlineDv.slice(-UUID_Z85_LENGTH));
  return `${prefix ? `${prefix}/` : ''}deletion_vector_${uuid}.bin`;
}

/** A new DV file location: the `pathOrInlineDv` to put in descriptors and the relative path to write to. */
export function newDvFileLocation(prefix = ''): { pathOrInlineDv: string; path: string; uuid: string } {
  const uuid = randomUUID();
  const pathOrInlineDv = `${prefix}${uuidToZ85(uuid)}`;
  return { pathOrInlineDv, path: relativeDvPath(pathOrInlineDv), uuid };
}
