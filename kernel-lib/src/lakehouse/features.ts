/**
 * Protocol safety (PROTOCOL.md "Protocol Evolution" / "Table Features"): a
 * reader must refuse a table that needs a reader feature it does not
 * implement, and a writer must refuse one whose active writer features it
 * does not enforce. Silently reading such a table returns wrong rows
 * (deletion vectors, column mapping) — so we fail loudly, naming the feature.
 *
 * Implemented: reader versions 1–3 with the reader features below (deletion
 * vectors, column mapping in name and id mode, timestamp without time zone, V2
 * checkpoints, type widening); writer version 2 (and writer 3–7 as long as no
 * unsupported feature is in use).
 */
import type { Metadata, Protocol } from './actions.js';
import { UnsupportedFeatureError } from './errors.js';
import { type DeltaType, parseSchema, type StructType } from './schema.js';
import { assertTypeChangesSupported } from './type-widening.js';

/** The protocol version itself is outside what this implementation knows (e.g. minReaderVersion 99). */
export class UnsupportedProtocolVersionError extends UnsupportedFeatureError {}

/** Reader features this implementation reads correctly. */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  'vacuumProtocolCheck',
  'checkpointProtection',
  'deletionVectors',
  'columnMapping',
  'timestampNtz',
  'v2Checkpoint',
  'typeWidening',
  // Spark 3.5 / Delta 3.x wrote the same type widening under its preview name.
  'typeWidening-preview',
]);

const COLUMN_MAPPING_MODES = new Set(['none', 'name', 'id']);

/**
 * Writer features whose presence in the protocol is fine as long as the table
 * does not actually use them (checked against metadata by `assertWriteSupported`);
 * `appendOnly` is enforced by the writer (no removes).
 */
export const SUPPORTED_WRITER_FEATURES: ReadonlySet<string> = new Set([
  'appendOnly',
  'invariants',
  'checkConstraints',
  'changeDataFeed',
  'generatedColumns',
  'identityColumns',
  'vacuumProtocolCheck',
  // DML writes deletion vectors (dml/dv-writes.ts), checkpoints carry them, VACUUM keeps the referenced DV files.
  'deletionVectors',
  // Data files, partition values and stats use physical names and field ids (column-mapping.ts, data-files.ts).
  'columnMapping',
  // Writes widen column types only as the protocol allows, recording delta.typeChanges (schema-enforcement.ts).
  'typeWidening',
]);

/** Legacy (pre-features) reader versions: 2 means column mapping. */
const LEGACY_READER_FEATURES: Record<number, string[]> = { 1: [], 2: ['columnMapping'] };

/** Throws `UnsupportedFeatureError` unless this implementation can read the table correctly. */
export function assertReadSupported(protocol: Protocol, tablePath: string, metadata?: Metadata): void {
  const v = protocol.minReaderVersion;
  if (!Number.isInteger(v) || v < 1 || v > 3) {
    throw new UnsupportedProtocolVersionError(
      `minReaderVersion=${v}`,
      'read',
      `table ${tablePath} requires Delta reader version ${v}; this implementation supports reader versions 1–3`,
    );
  }
  const features = v < 3 ? (LEGACY_READER_FEATURES[v] ?? []) : (protocol.readerFeatures ?? []);
  for (const f of features) {
    if (!SUPPORTED_READER_FEATURES.has(f)) refuse(f, 'read', tablePath, 'reader feature');
  }
  if (!metadata) return;
  const mode = metadata.configuration?.['delta.columnMapping.mode'];
  if (mode !== undefined && !COLUMN_MAPPING_MODES.has(mode)) {
    refuse('columnMapping', 'read', tablePath, `unknown delta.columnMapping.mode=${mode}`);
  }
  if ((mode === 'name' || mode === 'id') && !features.includes('columnMapping')) {
    // Files may use physical names the protocol does not tell us to honour: reading by display names would return nulls.
    refuse(
      'columnMapping',
      'read',
      tablePath,
      `delta.columnMapping.mode=${mode} on reader version ${v} without the feature`,
    );
  }
  if (features.includes('typeWidening') || features.includes('typeWidening-preview')) {
    let schema: StructType | undefined;
    try {
      schema = parseSchema(metadata.schemaString);
    } catch {
      // an unparsable schema is reported by the snapshot
    }
    if (schema) {
      const bad = assertTypeChangesSupported(schema);
      if (bad) refuse('typeWidening', 'read', tablePath, bad);
    }
  }
}

/** Throws `UnsupportedFeatureError` unless this implementation can write the table without breaking its rules. */
export function assertWriteSupported(protocol: Protocol, metadata: Metadata, tablePath: string): void {
  assertReadSupported(protocol, tablePath, metadata);
  const w = protocol.minWriterVersion;
  if (!Number.isInteger(w) || w < 1 || w > 7) {
    throw new UnsupportedProtocolVersionError(
      `minWriterVersion=${w}`,
      'write',
      `table ${tablePath} requires Delta writer version ${w}; this implementation supports writer versions 1–7`,
    );
  }
  if (w === 7) {
    for (const f of protocol.writerFeatures ?? []) {
      if (!SUPPORTED_WRITER_FEATURES.has(f)) refuse(f, 'write', tablePath, 'writer feature');
    }
  }
  // Writer 3–6 imply features (constraints, CDF, generated/identity columns, column mapping)
  // that matter only when in use: the metadata checks below and in assertReadSupported cover them.
  assertNoActiveWriterFeatures(metadata, tablePath);
}

function refuse(feature: string, access: 'read' | 'write', tablePath: string, why: string): never {
  throw new UnsupportedFeatureError(
    feature,
    access,
    `cannot ${access} table ${tablePath}: it uses the Delta ${access === 'read' ? 'reader' : 'writer'} feature '${feature}' (${why}), which this implementation does not support`,
  );
}

/** Features a writer must enforce when the metadata uses them; we enforce none, so we refuse. */
function assertNoActiveWriterFeatures(metadata: Metadata, tablePath: string): void {
  const conf = metadata.configuration ?? {};
  // Modes name and id are written with physical names and field ids; another mode we cannot write.
  const mode = conf['delta.columnMapping.mode'];
  if (mode && !['none', 'name', 'id'].includes(mode)) {
    refuse('columnMapping', 'write', tablePath, `delta.columnMapping.mode=${mode}`);
  }
  for (const key of Object.keys(conf)) {
    if (key.startsWith('delta.constraints.')) {
      refuse('checkConstraints', 'write', tablePath, `CHECK constraint ${key.slice('delta.constraints.'.length)}`);
    }
  }
  if (conf['delta.enableChangeDataFeed']?.toLowerCase() === 'true') {
    refuse('changeDataFeed', 'write', tablePath, 'delta.enableChangeDataFeed=true');
  }
  let schema: StructType;
  try {
    schema = parseSchema(metadata.schemaString);
  } catch {
    return; // an unparsable schema is reported by the snapshot, not here
  }
  const visit = (type: DeltaType, prefix: string): void => {
    if (typeof type === 'string') return;
    if (type.type === 'struct') {
      for (const f of type.fields) {
        const name = prefix ? `${prefix}.${f.name}` : f.name;
        const md = f.metadata ?? {};
        if ('delta.invariants' in md) refuse('invariants', 'write', tablePath, `column ${name} has an invariant`);
        if ('delta.generationExpression' in md) {
          refuse('generatedColumns', 'write', tablePath, `column ${name} is a generated column`);
        }
        if (Object.keys(md).some((k) => k.startsWith('delta.identity.'))) {
          refuse('identityColumns', 'write', tablePath, `column ${name} is an identity column`);
        }
        visit(f.type, name);
      }
    } else if (type.type === 'array') visit(type.elementType, `${prefix}.element`);
    else {
      visit(type.keyType, `${prefix}.key`);
      visit(type.valueType, `${prefix}.value`);
    }
  };
  visit(schema, '');
}

/** Is `feature` named in the protocol's table features (reader or writer)? */
export function hasFeature(protocol: Protocol, feature: string): boolean {
  return (protocol.writerFeatures ?? []).includes(feature) || (protocol.readerFeatures ?? []).includes(feature);
}

/**
 * The protocol a table needs for its properties: `delta.enableDeletionVectors=true`
 * needs the `deletionVectors` reader+writer feature (reader 3 / writer 7);
 * `delta.columnMapping.mode` name or id needs column mapping (reader 2 / writer 5,
 * or the `columnMapping` feature on a table-features protocol). Starts from
 * `current` (an existing table's protocol) and only ever adds; without such a
 * property a new table stays at reader 1 / writer 2, readable by every Delta reader.
 */
export function protocolForProperties(properties: Record<string, string>, current?: Protocol): Protocol {
  const base: Protocol = current ?? { minReaderVersion: 1, minWriterVersion: 2 };
  const on = (k: string) => properties[k]?.toLowerCase() === 'true';
  const cm = properties['delta.columnMapping.mode'];
  const hasCm = hasFeature(base, 'columnMapping') || (base.minReaderVersion === 2 && base.minWriterVersion >= 5);
  const wantsCm = (cm === 'name' || cm === 'id') && !hasCm;
  // Reader+writer table features (reader 3 / writer 7) the properties turn on.
  const added = [
    ...(on('delta.enableDeletionVectors') && !hasFeature(base, 'deletionVectors') ? ['deletionVectors'] : []),
    ...(on('delta.enableTypeWidening') && !hasFeature(base, 'typeWidening') ? ['typeWidening'] : []),
  ];
  if (added.length === 0 && !wantsCm) return base;
  if (added.length === 0 && base.minWriterVersion < 7) {
    // Column mapping alone: the legacy protocol versions that imply it.
    return {
      minReaderVersion: Math.max(2, base.minReaderVersion),
      minWriterVersion: Math.max(5, base.minWriterVersion),
    };
  }
  if (wantsCm) added.push('columnMapping');
  // Upgrading an existing table to table features: its legacy versions' implied features must be
  // listed explicitly (a new table uses none of them).
  const legacyWriter = current && base.minWriterVersion < 7 ? legacyWriterFeatures(base.minWriterVersion) : [];
  const legacyReader =
    current && base.minReaderVersion < 3 ? (LEGACY_READER_FEATURES[base.minReaderVersion] ?? []) : [];
  return {
    minReaderVersion: 3,
    minWriterVersion: 7,
    readerFeatures: [...new Set([...(base.readerFeatures ?? []), ...legacyReader, ...added])],
    writerFeatures: [...new Set([...(base.writerFeatures ?? []), ...legacyWriter, ...legacyReader, ...added])],
  };
}

/** Features writer versions 2–6 imply (PROTOCOL.md "Table Features"); 1 implies none we would list. */
function legacyWriterFeatures(v: number): string[] {
  const byVersion: [number, string][] = [
    [2, 'appendOnly'],
    [2, 'invariants'],
    [3, 'checkConstraints'],
    [4, 'changeDataFeed'],
    [4, 'generatedColumns'],
    [5, 'columnMapping'],
    [6, 'identityColumns'],
  ];
  // Only features this writer enforces: a table actively using another one was refused before any upgrade.
  return byVersion.filter(([min, f]) => v >= min && SUPPORTED_WRITER_FEATURES.has(f)).map(([, f]) => f);
}

/** `delta.appendOnly=true`: writers must never remove files. */
export function isAppendOnly(metadata: Metadata): boolean {
  return metadata.configuration?.['delta.appendOnly']?.toLowerCase() === 'true';
}
