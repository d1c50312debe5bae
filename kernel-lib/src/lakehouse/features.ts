/**
 * Protocol safety (PROTOCOL.md "Protocol Evolution" / "Table Features"): a
 * reader must refuse a table that needs a reader feature it does not
 * implement, and a writer must refuse one whose active writer features it
 * does not enforce. Silently reading such a table returns wrong rows
 * (deletion vectors, column mapping) — so we fail loudly, naming the feature.
 *
 * Implemented: reader version 1 (and reader 3 with only `vacuumProtocolCheck`),
 * writer version 2 (and writer 3–7 as long as no unsupported feature is in use).
 */
import type { Metadata, Protocol } from './actions.js';
import { UnsupportedFeatureError } from './errors.js';
import { type DeltaType, parseSchema, type StructType } from './schema.js';

/** The protocol version itself is outside what this implementation knows (e.g. minReaderVersion 99). */
export class UnsupportedProtocolVersionError extends UnsupportedFeatureError {}

/** Reader features this implementation reads correctly. */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set(['vacuumProtocolCheck']);

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
  // Column mapping support is required by reader 2 and the `columnMapping` feature; with mapping
  // off (mode none or unset, which only the metadata tells) physical names are the logical ones.
  const mode = metadata?.configuration?.['delta.columnMapping.mode'];
  const mappingOff = metadata !== undefined && (mode === undefined || mode === 'none');
  if (v < 3) {
    for (const f of LEGACY_READER_FEATURES[v] ?? []) {
      if (f === 'columnMapping' && mappingOff) continue;
      refuse(
        f,
        'read',
        tablePath,
        mode ? `reader version ${v}, delta.columnMapping.mode=${mode}` : `reader version ${v}`,
      );
    }
  } else {
    for (const f of protocol.readerFeatures ?? []) {
      if (f === 'columnMapping' && mappingOff) continue;
      if (!SUPPORTED_READER_FEATURES.has(f)) refuse(f, 'read', tablePath, 'reader feature');
    }
  }
  if (metadata) {
    const mode = metadata.configuration?.['delta.columnMapping.mode'];
    if (mode && mode !== 'none') refuse('columnMapping', 'read', tablePath, `delta.columnMapping.mode=${mode}`);
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

/** `delta.appendOnly=true`: writers must never remove files. */
export function isAppendOnly(metadata: Metadata): boolean {
  return metadata.configuration?.['delta.appendOnly']?.toLowerCase() === 'true';
}
