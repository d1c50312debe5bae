/**
 * Schema enforcement and evolution on write (Delta's "schema validation" and
 * `mergeSchema`). Incoming Arrow data is matched to the table schema by column
 * name (case-insensitively, like Spark):
 * - a type that differs from the table's is rejected (no implicit casts, as in
 *   Delta) — `SchemaMismatchError` names the column and both types;
 * - a column the table lacks is rejected, or with `mergeSchema` appended to the
 *   schema as a nullable column;
 * - a nullable table column missing from the data is filled with nulls; a NOT
 *   NULL one is rejected, as is a null in a NOT NULL column.
 * The result has the table's column order and canonical Arrow types.
 */
import * as arrow from 'apache-arrow';
import { CoercionError, coerceData } from './coerce.js';
import { SchemaMismatchError } from './errors.js';
import { isSupportedWidening } from './type-widening.js';
import {
  arrowTypeToDelta,
  type DeltaType,
  deltaTypeToArrow,
  SchemaError,
  type StructField,
  type StructType,
  typeToString,
} from './schema.js';

export interface AlignedWrite {
  /** Data in the (possibly evolved) table schema's order and canonical Arrow types. */
  table: arrow.Table;
  /** The table schema after this write. */
  schema: StructType;
  /** True when `mergeSchema` added columns (or widened types). */
  evolved: boolean;
}

/** Delta types equal, ignoring nullability (checked separately) and field metadata. */
export function sameType(a: DeltaType, b: DeltaType): boolean {
  return typeToString(a) === typeToString(b);
}

/** The Delta schema of Arrow data, with unsupported Arrow types reported as a schema mismatch. */
export function dataSchema(data: arrow.Schema, tablePath: string): StructType {
  const fields: StructField[] = [];
  const seen = new Map<string, string>();
  for (const f of data.fields) {
    const key = f.name.toLowerCase();
    if (seen.has(key)) {
      throw new SchemaMismatchError(
        `write to ${tablePath}: the data has the column ${f.name} twice (as ${seen.get(key)} and ${f.name})`,
        f.name,
      );
    }
    seen.set(key, f.name);
    let type: DeltaType;
    try {
      type = arrowTypeToDelta(f.type, f.name);
    } catch (e) {
      if (e instanceof SchemaError) throw new SchemaMismatchError(`write to ${tablePath}: ${e.message}`, f.name);
      throw e;
    }
    fields.push({ name: f.name, type: withoutNtz(type), nullable: f.nullable, metadata: {} });
  }
  return { type: 'struct', fields };
}

/**
 * Zone-less Arrow timestamps (pandas' naive datetimes) are written as Delta
 * `timestamp`, their values taken as UTC: `timestamp_ntz` would need the
 * timestampNtz table feature (reader 3 / writer 7), which this implementation
 * neither writes nor reads.
 */
function withoutNtz(t: DeltaType): DeltaType {
  if (t === 'timestamp_ntz') return 'timestamp';
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'struct':
      return { ...t, fields: t.fields.map((f) => ({ ...f, type: withoutNtz(f.type) })) };
    case 'array':
      return { ...t, elementType: withoutNtz(t.elementType) };
    case 'map':
      return { ...t, keyType: withoutNtz(t.keyType), valueType: withoutNtz(t.valueType) };
  }
}

/** Validates `data` against `schema` (and evolves it with `mergeSchema`); see module doc. */
export function alignToSchema(
  data: arrow.Table,
  schema: StructType,
  opts: { mergeSchema?: boolean; tablePath: string; typeWidening?: boolean },
): AlignedWrite {
  const incoming = dataSchema(data.schema, opts.tablePath);
  const byName = new Map(incoming.fields.map((f, i) => [f.name.toLowerCase(), i]));
  const fields = [...schema.fields];
  let evolved = false;
  for (const f of incoming.fields) {
    const existing = fields.find((t) => t.name.toLowerCase() === f.name.toLowerCase());
    if (!existing) {
      if (!opts.mergeSchema) {
        throw new SchemaMismatchError(
          `write to ${opts.tablePath}: column ${f.name} (${typeToString(f.type)}) is not in the table schema ` +
            `[${schema.fields.map((x) => `${x.name}: ${typeToString(x.type)}`).join(', ')}]; ` +
            'pass mergeSchema to add it',
          f.name,
        );
      }
      fields.push({ name: f.name, type: f.type, nullable: true, metadata: {} });
      evolved = true;
      continue;
    }
    if (!sameType(existing.type, f.type)) {
      const widened = widen(existing, f.type, opts);
      if (widened) {
        fields[fields.indexOf(existing)] = widened;
        evolved = true;
        continue;
      }
      throw new SchemaMismatchError(
        `write to ${opts.tablePath}: column ${existing.name} has type ${typeToString(existing.type)} in the table ` +
          `but ${typeToString(f.type)} in the data${wideningHint(existing.type, f.type, opts)}`,
        existing.name,
      );
    }
  }
  const outSchema: StructType = { type: 'struct', fields };
  const arrowFields = fields.map((f) => new arrow.Field(f.name, deltaTypeToArrow(f.type, f.name), f.nullable));
  // Empty batches add nothing (and Arrow JS builds them with malformed children).
  const filled = data.batches.filter((batch) => batch.numRows > 0);
  const batches = filled.map((batch) => {
    const children = fields.map((f, c) => {
      const i = byName.get(f.name.toLowerCase());
      if (i === undefined) {
        if (!f.nullable) {
          throw new SchemaMismatchError(
            `write to ${opts.tablePath}: column ${f.name} is NOT NULL in the table but missing from the data`,
            f.name,
          );
        }
        return arrow.vectorFromArray(new Array(batch.numRows).fill(null), arrowFields[c]!.type).data[0]!;
      }
      const d = batch.data.children[i]!;
      if (!f.nullable && d.nullCount > 0) {
        throw new SchemaMismatchError(
          `write to ${opts.tablePath}: column ${f.name} is NOT NULL in the table but the data has ${d.nullCount} null value(s)`,
          f.name,
        );
      }
      try {
        return coerceData(d, arrowFields[c]!.type, f.name);
      } catch (e) {
        if (e instanceof CoercionError)
          throw new SchemaMismatchError(`write to ${opts.tablePath}: ${e.message}`, f.name);
        throw e;
      }
    });
    return new arrow.RecordBatch(
      new arrow.Schema(arrowFields),
      arrow.makeData({ type: new arrow.Struct(arrowFields), length: batch.numRows, nullCount: 0, children }),
    );
  });
  const out = batches.length > 0 ? new arrow.Table(batches) : new arrow.Table(new arrow.Schema(arrowFields));
  return { table: out, schema: outSchema, evolved };
}

/**
 * Type widening on write (PROTOCOL.md "Type Widening"): with the table's
 * `delta.enableTypeWidening=true` and `mergeSchema`, a column whose data comes
 * in a wider type the protocol allows (byte → short → int → long, float →
 * double, int → double, decimal precision/scale up) takes that type; the
 * change is recorded in the field's `delta.typeChanges` and old files are read
 * as the new type. Undefined when the change is not such a widening.
 */
function widen(
  existing: StructType['fields'][number],
  to: DeltaType,
  opts: { mergeSchema?: boolean; typeWidening?: boolean },
): StructType['fields'][number] | undefined {
  if (!opts.typeWidening || !opts.mergeSchema || typeof existing.type !== 'string' || typeof to !== 'string') {
    return undefined;
  }
  if (to === 'timestamp_ntz' || !isSupportedWidening(existing.type, to)) return undefined;
  const changes = Array.isArray(existing.metadata?.['delta.typeChanges'])
    ? (existing.metadata!['delta.typeChanges'] as unknown[])
    : [];
  return {
    ...existing,
    type: to,
    metadata: {
      ...(existing.metadata ?? {}),
      'delta.typeChanges': [...changes, { fromType: existing.type, toType: to }],
    },
  };
}

function wideningHint(from: DeltaType, to: DeltaType, opts: { mergeSchema?: boolean; typeWidening?: boolean }): string {
  const allowed =
    typeof from === 'string' && typeof to === 'string' && to !== 'timestamp_ntz' && isSupportedWidening(from, to);
  if (!allowed) return opts.mergeSchema ? ' (not a type widening the Delta protocol allows)' : '';
  if (!opts.typeWidening) return ' (a widening: set delta.enableTypeWidening=true on the table and pass mergeSchema)';
  return ' (a widening: pass mergeSchema to widen the column)';
}
