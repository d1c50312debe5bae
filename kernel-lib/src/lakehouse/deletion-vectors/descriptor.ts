/**
 * Deletion vector descriptors (`add.deletionVector`, PROTOCOL.md "Deletion Vector
 * Descriptor Schema"): loading the rows a descriptor invalidates, and making
 * descriptors for new DVs — inline (`'i'`, Z85 in the log) or in a DV file (`'u'`).
 */
import type { DeletionVectorDescriptor } from '../actions.js';
import { DataFileError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { tableRelativePath } from '../table-path.js';
import { newDvFileLocation, relativeDvPath } from './encode-path.js';
import { encodeDvFile, readDvFromFile } from './dv-file.js';
import { decodeDeletionVector, encodeDeletionVectorCounted } from './roaring.js';
import { z85Decode, z85Encode } from './z85.js';

/** The DV's identity within a logical file key: `<storageType><pathOrInlineDv>[@<offset>]`. */
export function dvUniqueId(dv: DeletionVectorDescriptor): string {
  const off = dv.offset !== undefined && dv.offset !== null ? `@${dv.offset}` : '';
  return `${dv.storageType}${dv.pathOrInlineDv}${off}`;
}

/** Where an on-disk DV lives, relative to the table root (undefined for inline DVs). */
export function dvFilePath(storage: Storage, dv: DeletionVectorDescriptor): string | undefined {
  if (dv.storageType === 'i') return undefined;
  if (dv.storageType === 'u') return relativeDvPath(dv.pathOrInlineDv);
  if (dv.storageType === 'p')
    return tableRelativePath(storage, dv.pathOrInlineDv, `deletion vector ${dv.pathOrInlineDv}`);
  throw new DataFileError(`deletion vector storage type '${dv.storageType}' is not one of 'u', 'i', 'p'`);
}

/**
 * The sorted row indexes `dv` invalidates. `fileCache` lets the DVs of one scan
 * share reads of a DV file (Spark packs many DVs into one). Errors name the data file.
 */
export async function loadDeletionVector(
  storage: Storage,
  dv: DeletionVectorDescriptor,
  dataFile: string,
  fileCache?: Map<string, Promise<Uint8Array>>,
): Promise<number[]> {
  const where = `deletion vector of data file ${dataFile} in table ${storage.root}`;
  try {
    let bytes: Uint8Array;
    const path = dvFilePath(storage, dv);
    if (path === undefined) {
      bytes = z85Decode(dv.pathOrInlineDv, dv.sizeInBytes);
    } else {
      let file = fileCache?.get(path);
      if (!file) {
        file = storage.read(path);
        fileCache?.set(path, file);
      }
      bytes = readDvFromFile(await file, dv.offset ?? 0, dv.sizeInBytes, path);
    }
    const rows = decodeDeletionVector(bytes);
    if (rows.length !== Number(dv.cardinality)) {
      throw new DataFileError(`it holds ${rows.length} rows, the log says cardinality ${dv.cardinality}`);
    }
    return rows;
  } catch (e) {
    const reason =
      (e as Error).name === 'StorageNotFoundError'
        ? `its file ${dvFilePath(storage, dv)} is missing`
        : (e as Error).message;
    throw new DataFileError(`${where} cannot be read: ${reason}`, { cause: e });
  }
}

/** An inline descriptor for a small DV (Spark inlines DVs only below a few bytes; callers decide). */
export function inlineDeletionVector(rows: ArrayLike<number>): DeletionVectorDescriptor {
  const { bytes, cardinality } = encodeDeletionVectorCounted(rows);
  return { storageType: 'i', pathOrInlineDv: z85Encode(bytes), sizeInBytes: bytes.length, cardinality };
}

/**
 * Writes one DV file holding every row set in `rowSets` and returns a `'u'`
 * descriptor for each, in order. `prefix` is Spark's optional random directory prefix.
 */
export async function writeDeletionVectorFile(
  storage: Storage,
  rowSets: ArrayLike<number>[],
  prefix = '',
): Promise<DeletionVectorDescriptor[]> {
  const dvs = rowSets.map((rows) => encodeDeletionVectorCounted(rows));
  const { bytes, offsets } = encodeDvFile(dvs.map((d) => d.bytes));
  const loc = newDvFileLocation(prefix);
  await storage.write(loc.path, bytes);
  return dvs.map((dv, i) => ({
    storageType: 'u',
    pathOrInlineDv: loc.pathOrInlineDv,
    offset: offsets[i]!,
    sizeInBytes: dv.bytes.length,
    cardinality: dv.cardinality,
  }));
}
