/**
 * The Delta schema model (PROTOCOL.md "Schema Serialization Format") and its
 * mapping to Arrow types. Delta keeps the schema as a JSON string in
 * `metaData.schemaString`; readers and writers work in Arrow, so both
 * directions live here and must round-trip exactly:
 * decimal(p,s) ↔ Decimal128(p,s), date ↔ Date32 (days), timestamp ↔ Timestamp(µs, UTC),
 * timestamp_ntz ↔ Timestamp(µs, no zone), binary ↔ Binary, nested struct/array/map.
 */
import * as arrow from 'apache-arrow';
import { DeltaError } from './errors.js';

export type PrimitiveTypeName =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | 'variant'
  | `decimal(${number},${number})`;

export interface StructField {
  name: string;
  type: DeltaType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

export interface StructType {
  type: 'struct';
  fields: StructField[];
}

export interface ArrayType {
  type: 'array';
  elementType: DeltaType;
  containsNull: boolean;
}

export interface MapType {
  type: 'map';
  keyType: DeltaType;
  valueType: DeltaType;
  valueContainsNull: boolean;
}

export type DeltaType = PrimitiveTypeName | StructType | ArrayType | MapType;

/** A schema string or Arrow type that this implementation cannot represent. */
export class SchemaError extends DeltaError {}

const PRIMITIVES = new Set([
  'string',
  'long',
  'integer',
  'short',
  'byte',
  'float',
  'double',
  'boolean',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
  'variant',
]);

const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/;

/** Arrow field-metadata key that carries a Delta field's `metadata` object (JSON). */
export const DELTA_METADATA_KEY = 'delta.metadata';

/** Parses `decimal(p,s)` into precision and scale, or undefined for other types. */
export function decimalParams(type: DeltaType): { precision: number; scale: number } | undefined {
  if (typeof type !== 'string') return undefined;
  const m = DECIMAL_RE.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/** Parses `metaData.schemaString`; the top level must be a struct. */
export function parseSchema(schemaString: string): StructType {
  let raw: unknown;
  try {
    raw = JSON.parse(schemaString);
  } catch (e) {
    throw new SchemaError(`schemaString is not valid JSON: ${(e as Error).message}`);
  }
  const t = parseType(raw, '<root>');
  if (typeof t === 'string' || t.type !== 'struct') {
    throw new SchemaError(`schemaString must describe a struct at the top level, got ${JSON.stringify(raw)}`);
  }
  return t;
}

function parseType(raw: unknown, where: string): DeltaType {
  if (typeof raw === 'string') {
    if (PRIMITIVES.has(raw)) return raw as PrimitiveTypeName;
    // Old Spark versions wrote bare `decimal` for decimal(10,0).
    if (raw === 'decimal') return 'decimal(10,0)';
    const m = DECIMAL_RE.exec(raw);
    if (m) {
      const p = Number(m[1]);
      const s = Number(m[2]);
      if (p < 1 || p > 38 || s < 0 || s > p) throw new SchemaError(`invalid decimal type ${raw} at ${where}`);
      return `decimal(${p},${s})`;
    }
    throw new SchemaError(`unknown Delta type ${JSON.stringify(raw)} at ${where}`);
  }
  if (raw === null || typeof raw !== 'object') throw new SchemaError(`invalid type ${JSON.stringify(raw)} at ${where}`);
  const o = raw as Record<string, unknown>;
  switch (o.type) {
    case 'struct': {
      if (!Array.isArray(o.fields)) throw new SchemaError(`struct without fields at ${where}`);
      return {
        type: 'struct',
        fields: o.fields.map((f, i) => {
          const fo = f as Record<string, unknown>;
          if (typeof fo?.name !== 'string') throw new SchemaError(`field #${i} of ${where} has no name`);
          const name = fo.name;
          return {
            name,
            type: parseType(fo.type, where === '<root>' ? name : `${where}.${name}`),
            nullable: fo.nullable !== false,
            metadata: (fo.metadata && typeof fo.metadata === 'object' ? fo.metadata : {}) as Record<string, unknown>,
          };
        }),
      };
    }
    case 'array':
      return {
        type: 'array',
        elementType: parseType(o.elementType, `${where}.element`),
        containsNull: o.containsNull !== false,
      };
    case 'map':
      return {
        type: 'map',
        keyType: parseType(o.keyType, `${where}.key`),
        valueType: parseType(o.valueType, `${where}.value`),
        valueContainsNull: o.valueContainsNull !== false,
      };
    default:
      throw new SchemaError(`unknown Delta type ${JSON.stringify(raw)} at ${where}`);
  }
}

/** Serialises a schema to the JSON string stored in `metaData.schemaString`. */
export function schemaToString(schema: StructType): string {
  return JSON.stringify(schema);
}

/** Delta type → Arrow type. */
export function deltaTypeToArrow(type: DeltaType, where = '<type>'): arrow.DataType {
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return new arrow.Utf8();
      case 'long':
        return new arrow.Int64();
      case 'integer':
        return new arrow.Int32();
      case 'short':
        return new arrow.Int16();
      case 'byte':
        return new arrow.Int8();
      case 'float':
        return new arrow.Float32();
      case 'double':
        return new arrow.Float64();
      case 'boolean':
        return new arrow.Bool();
      case 'binary':
        return new arrow.Binary();
      case 'date':
        return new arrow.DateDay();
      case 'timestamp':
        return new arrow.TimestampMicrosecond('UTC');
      case 'timestamp_ntz':
        return new arrow.TimestampMicrosecond(null);
      case 'variant':
        throw new SchemaError(`type variant (at ${where}) has no Arrow mapping here`);
      default: {
        const d = decimalParams(type);
        if (!d) throw new SchemaError(`unknown Delta type ${type} at ${where}`);
        return new arrow.Decimal(d.scale, d.precision, 128);
      }
    }
  }
  switch (type.type) {
    case 'struct':
      return new arrow.Struct(type.fields.map((f) => deltaFieldToArrow(f, `${where}.${f.name}`)));
    case 'array':
      return new arrow.List(
        new arrow.Field('element', deltaTypeToArrow(type.elementType, `${where}.element`), type.containsNull),
      );
    case 'map':
      return new arrow.Map_(
        new arrow.Field(
          'entries',
          new arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>([
            new arrow.Field('key', deltaTypeToArrow(type.keyType, `${where}.key`), false),
            new arrow.Field('value', deltaTypeToArrow(type.valueType, `${where}.value`), type.valueContainsNull),
          ] as arrow.Field[]),
          false,
        ) as arrow.Field<arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>>,
        false,
      );
  }
}

function deltaFieldToArrow(f: StructField, where: string): arrow.Field {
  const md = new Map<string, string>();
  if (f.metadata && Object.keys(f.metadata).length > 0) md.set(DELTA_METADATA_KEY, JSON.stringify(f.metadata));
  return new arrow.Field(f.name, deltaTypeToArrow(f.type, where), f.nullable, md);
}

/** Delta schema → Arrow schema (field metadata kept under `delta.metadata`). */
export function deltaToArrow(schema: StructType): arrow.Schema {
  return new arrow.Schema(schema.fields.map((f) => deltaFieldToArrow(f, f.name)));
}

/** Arrow type → Delta type. Unsigned ints widen to the next signed type; dictionaries use their value type. */
export function arrowTypeToDelta(t: arrow.DataType, where = '<type>'): DeltaType {
  if (arrow.DataType.isDictionary(t)) return arrowTypeToDelta(t.dictionary, where);
  if (arrow.DataType.isInt(t)) {
    const { bitWidth, isSigned } = t;
    if (isSigned) return ({ 8: 'byte', 16: 'short', 32: 'integer', 64: 'long' } as const)[bitWidth];
    if (bitWidth === 8) return 'short';
    if (bitWidth === 16) return 'integer';
    if (bitWidth === 32) return 'long';
    throw new SchemaError(`column ${where}: Arrow uint64 has no lossless Delta type (use int64 or decimal(20,0))`);
  }
  if (arrow.DataType.isFloat(t)) return t.precision === arrow.Precision.DOUBLE ? 'double' : 'float';
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return 'string';
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t) || arrow.DataType.isFixedSizeBinary(t)) {
    return 'binary';
  }
  if (arrow.DataType.isBool(t)) return 'boolean';
  if (arrow.DataType.isDate(t)) return 'date';
  if (arrow.DataType.isTimestamp(t)) return t.timezone ? 'timestamp' : 'timestamp_ntz';
  if (arrow.DataType.isDecimal(t)) {
    if (t.precision > 38) throw new SchemaError(`column ${where}: decimal precision ${t.precision} exceeds 38`);
    return `decimal(${t.precision},${t.scale})`;
  }
  if (arrow.DataType.isList(t) || arrow.DataType.isFixedSizeList(t)) {
    const child = t.children[0]!;
    return {
      type: 'array',
      elementType: arrowTypeToDelta(child.type, `${where}.element`),
      containsNull: child.nullable,
    };
  }
  if (arrow.DataType.isMap(t)) {
    const entries = t.children[0]!.type as arrow.Struct;
    const [k, v] = entries.children;
    return {
      type: 'map',
      keyType: arrowTypeToDelta(k!.type, `${where}.key`),
      valueType: arrowTypeToDelta(v!.type, `${where}.value`),
      valueContainsNull: v!.nullable,
    };
  }
  if (arrow.DataType.isStruct(t)) {
    return { type: 'struct', fields: t.children.map((c) => arrowFieldToDelta(c, `${where}.${c.name}`)) };
  }
  throw new SchemaError(`column ${where}: Arrow type ${String(t)} has no Delta equivalent`);
}

function arrowFieldToDelta(f: arrow.Field, where: string): StructField {
  let metadata: Record<string, unknown> = {};
  const raw = f.metadata.get(DELTA_METADATA_KEY);
  if (raw) {
    try {
      metadata = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      metadata = {};
    }
  }
  return { name: f.name, type: arrowTypeToDelta(f.type, where), nullable: f.nullable, metadata };
}

/** Arrow schema → Delta schema. */
export function arrowToDelta(schema: arrow.Schema): StructType {
  return { type: 'struct', fields: schema.fields.map((f) => arrowFieldToDelta(f, f.name)) };
}

/** Finds a top-level field by name (exact first, then case-insensitive like Spark). */
export function findField(schema: StructType, name: string): StructField | undefined {
  return (
    schema.fields.find((f) => f.name === name) ?? schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())
  );
}

/** Human-readable type name for error messages (`decimal(10,2)`, `array<long>`, …). */
export function typeToString(type: DeltaType): string {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${typeToString(f.type)}`).join(',')}>`;
    case 'array':
      return `array<${typeToString(type.elementType)}>`;
    case 'map':
      return `map<${typeToString(type.keyType)},${typeToString(type.valueType)}>`;
  }
}
