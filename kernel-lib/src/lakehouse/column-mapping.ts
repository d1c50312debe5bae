/**
 * Column mapping (PROTOCOL.md "Column Mapping"): with `delta.columnMapping.mode`
 * `name` or `id`, data files, partition values and statistics use each column's
 * *physical* name (`delta.columnMapping.physicalName`) or Parquet field id
 * (`delta.columnMapping.id`), while users see the schema's logical names. The
 * scan reads a file, renames its columns (nested ones too) to logical names
 * here, and from then on works in logical names only.
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import type { Metadata, Protocol } from './actions.js';
import type { DeltaType, StructField, StructType } from './schema.js';

export type ColumnMappingMode = 'none' | 'name' | 'id';

const PHYSICAL_NAME = 'delta.columnMapping.physicalName';
const FIELD_ID = 'delta.columnMapping.id';
const PARQUET_FIELD_ID = 'PARQUET:field_id';

/**
 * The table's mapping mode. The property counts only when the protocol supports
 * column mapping (reader 2, or reader 3 listing `columnMapping`); unknown modes
 * are refused by `assertReadSupported`.
 */
export function columnMappingMode(protocol: Protocol, metadata: Metadata): ColumnMappingMode {
  const v = protocol.minReaderVersion;
  if (v !== 2 && !(v === 3 && protocol.readerFeatures?.includes('columnMapping'))) return 'none';
  const mode = metadata.configuration?.['delta.columnMapping.mode'];
  return mode === 'name' || mode === 'id' ? mode : 'none';
}

/** The name a field has in data files, partition values and stats. */
export function physicalName(field: StructField, mode: ColumnMappingMode): string {
  if (mode === 'none') return field.name;
  const p = field.metadata?.[PHYSICAL_NAME];
  return typeof p === 'string' ? p : field.name;
}

/** Index of the file column holding `field` (by physical name, or by field id in `id` mode), or -1. */
function fileIndex(fields: arrow.Field[], field: StructField, mode: ColumnMappingMode): number {
  if (mode === 'id') {
    const id = field.metadata?.[FIELD_ID];
    if (id !== undefined && id !== null) {
      const want = String(id);
      const byId = fields.findIndex((f) => f.metadata.get(PARQUET_FIELD_ID) === want);
      if (byId >= 0) return byId;
      // A file without any field ids cannot be resolved by id; the spec allows nulls or refusal.
      if (fields.some((f) => f.metadata.has(PARQUET_FIELD_ID))) return -1;
    }
  }
  const name = physicalName(field, mode);
  return fields.findIndex((f) => f.name === name);
}

/**
 * A file's batch with its columns renamed to the schema's logical names (recursively
 * inside structs, lists and maps). Columns the schema does not map are dropped;
 * columns the file lacks are simply absent (the scan fills them with nulls).
 */
export function toLogicalBatch(raw: arrow.RecordBatch, schema: StructType, mode: ColumnMappingMode): arrow.RecordBatch {
  const fields: arrow.Field[] = [];
  const children: arrow.Data[] = [];
  for (const f of schema.fields) {
    const idx = fileIndex(raw.schema.fields, f, mode);
    if (idx < 0) continue;
    const src = raw.schema.fields[idx]!;
    const data = relabel(raw.getChildAt(idx)!.data[0]!, f.type, mode);
    fields.push(new arrow.Field(f.name, data.type, src.nullable, src.metadata));
    children.push(data);
  }
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: raw.numRows, nullCount: 0, children });
  return new arrow.RecordBatch(new arrow.Schema(fields), struct);
}

/** `data` with its nested field names replaced by the logical names of `type` (buffers untouched). */
function relabel(data: arrow.Data, type: DeltaType, mode: ColumnMappingMode): arrow.Data {
  if (typeof type === 'string' || !hasStruct(type)) return data;
  const t = data.type;
  const base = {
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap,
  };
  if (type.type === 'struct' && arrow.DataType.isStruct(t)) {
    const fields: arrow.Field[] = [];
    const kids: arrow.Data[] = [];
    for (const f of type.fields) {
      const idx = fileIndex(t.children, f, mode);
      if (idx < 0) continue;
      const child = relabel(data.children[idx]!, f.type, mode);
      fields.push(new arrow.Field(f.name, child.type, t.children[idx]!.nullable, t.children[idx]!.metadata));
      kids.push(child);
    }
    return arrow.makeData({ type: new arrow.Struct(fields), ...base, children: kids });
  }
  if (type.type === 'array' && arrow.DataType.isList(t)) {
    const child = relabel(data.children[0]!, type.elementType, mode);
    const f = t.children[0]!;
    return arrow.makeData({
      type: new arrow.List(new arrow.Field(f.name, child.type, f.nullable, f.metadata)),
      ...base,
      valueOffsets: data.valueOffsets as Int32Array,
      child,
    });
  }
  if (type.type === 'map' && arrow.DataType.isMap(t)) {
    const entries = data.children[0]!;
    const et = entries.type as arrow.Struct;
    const key = relabel(entries.children[0]!, type.keyType, mode);
    const value = relabel(entries.children[1]!, type.valueType, mode);
    const entryFields = [
      new arrow.Field(et.children[0]!.name, key.type, et.children[0]!.nullable),
      new arrow.Field(et.children[1]!.name, value.type, et.children[1]!.nullable),
    ];
    const entryData = arrow.makeData({
      type: new arrow.Struct(entryFields),
      offset: entries.offset,
      length: entries.length,
      nullCount: entries.nullCount,
      nullBitmap: entries.nullBitmap,
      children: [key, value],
    });
    const entriesField = t.children[0]!;
    return arrow.makeData({
      type: new arrow.Map_(
        new arrow.Field(entriesField.name, entryData.type, entriesField.nullable) as arrow.Field<arrow.Struct>,
        t.keysSorted,
      ),
      ...base,
      valueOffsets: data.valueOffsets as Int32Array,
      child: entryData as arrow.Data<arrow.Struct>,
    });
  }
  return data; // shape mismatch: the scan's cast reports it against the logical type
}

function hasStruct(type: DeltaType): boolean {
  if (typeof type === 'string') return false;
  if (type.type === 'struct') return true;
  if (type.type === 'array') return hasStruct(type.elementType);
  return hasStruct(type.keyType) || hasStruct(type.valueType);
}

/**
 * How the log names a table's top-level columns in `partitionValues` and `stats`:
 * the schema and partition columns under those names, and the way back to logical
 * names. Columns whose type was widened lose their stats here (old files' bounds
 * are in the old type), so pruning never misreads them.
 */
export interface LogColumnView {
  schema: StructType;
  partitionColumns: string[];
  /** Log (physical) name → logical name. */
  logicalName: Map<string, string>;
  /** Logical name → log (physical) name. */
  logNames: Map<string, string>;
}

export function logColumnView(schema: StructType, partitionColumns: string[], mode: ColumnMappingMode): LogColumnView {
  const parts = new Set(partitionColumns);
  const logicalName = new Map<string, string>();
  const logNames = new Map<string, string>();
  const fields: StructField[] = [];
  for (const f of schema.fields) {
    const name = physicalName(f, mode);
    logicalName.set(name, f.name);
    logNames.set(f.name, name);
    if (!parts.has(f.name) && Array.isArray(f.metadata?.['delta.typeChanges'])) continue;
    fields.push({ ...f, name });
  }
  return {
    schema: { type: 'struct', fields },
    partitionColumns: partitionColumns.map((p) => {
      const f = schema.fields.find((x) => x.name === p);
      return f ? physicalName(f, mode) : p;
    }),
    logicalName,
    logNames,
  };
}

/** The mapping mode a writer applies: the table property (the protocol is upgraded to match when it is set). */
export function writeMappingMode(metadata: Metadata): ColumnMappingMode {
  const mode = metadata.configuration?.['delta.columnMapping.mode'];
  return mode === 'name' || mode === 'id' ? mode : 'none';
}

/**
 * Metadata with column mapping applied to every field that lacks it (new
 * tables, columns added by schema evolution, a replaced schema): each gets the
 * next `delta.columnMapping.id` and a physical name — `col-<uuid>` for a new
 * table, its own name when mapping is turned on for a table whose files already
 * use the logical names (as Spark does). `maxColumnId` is kept up to date.
 * Metadata without `delta.columnMapping.mode` name/id comes back unchanged.
 */
export function withColumnMapping(metadata: Metadata, existingFiles: boolean): Metadata {
  if (writeMappingMode(metadata) === 'none') return metadata;
  const conf = metadata.configuration ?? {};
  const schema = JSON.parse(metadata.schemaString) as StructType;
  let maxId = Number(conf['delta.columnMapping.maxColumnId'] ?? 0) || 0;
  const visitType = (type: DeltaType): DeltaType => {
    if (typeof type === 'string') return type;
    if (type.type === 'struct') return { ...type, fields: type.fields.map(visitField) };
    if (type.type === 'array') return { ...type, elementType: visitType(type.elementType) };
    return { ...type, keyType: visitType(type.keyType), valueType: visitType(type.valueType) };
  };
  const visitField = (f: StructField): StructField => {
    const md = { ...(f.metadata ?? {}) };
    if (md[FIELD_ID] === undefined) md[FIELD_ID] = ++maxId;
    else maxId = Math.max(maxId, Number(md[FIELD_ID]));
    if (typeof md[PHYSICAL_NAME] !== 'string') md[PHYSICAL_NAME] = existingFiles ? f.name : `col-${randomUUID()}`;
    return { ...f, type: visitType(f.type), metadata: md };
  };
  const mapped = visitType(schema) as StructType;
  return {
    ...metadata,
    schemaString: JSON.stringify(mapped),
    configuration: { ...conf, 'delta.columnMapping.maxColumnId': String(maxId) },
  };
}

/**
 * A table (columns in the schema's logical names) as it goes into a data file:
 * every field, nested ones too, renamed to its physical name and carrying its
 * column id as the Parquet field id. Buffers are shared, nothing is copied.
 */
export function toPhysicalTable(table: arrow.Table, schema: StructType, mode: ColumnMappingMode): arrow.Table {
  if (mode === 'none') return table;
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const fields = table.schema.fields.map((af) => {
    const f = byName.get(af.name);
    return f ? physicalField(af, f, mode) : af;
  });
  const schemaOut = new arrow.Schema(fields, table.schema.metadata);
  const batches = table.batches.map((b) => {
    const children = b.data.children.map((d, i) => retype(d, fields[i]!.type));
    const data = arrow.makeData({ type: new arrow.Struct(fields), length: b.numRows, nullCount: 0, children });
    return new arrow.RecordBatch(schemaOut, data);
  });
  return new arrow.Table(schemaOut, batches);
}

function physicalField(af: arrow.Field, f: StructField, mode: ColumnMappingMode): arrow.Field {
  const md = new Map(af.metadata);
  const id = f.metadata?.[FIELD_ID];
  if (id !== undefined && id !== null) md.set(PARQUET_FIELD_ID, String(id));
  return new arrow.Field(physicalName(f, mode), physicalType(af.type, f.type, mode), af.nullable, md);
}

function physicalType(t: arrow.DataType, type: DeltaType, mode: ColumnMappingMode): arrow.DataType {
  if (typeof type === 'string') return t;
  if (type.type === 'struct' && arrow.DataType.isStruct(t)) {
    return new arrow.Struct(
      t.children.map((c) => {
        const f = type.fields.find((x) => x.name === c.name);
        return f ? physicalField(c, f, mode) : c;
      }),
    );
  }
  if (type.type === 'array' && arrow.DataType.isList(t)) {
    const c = t.children[0]!;
    return new arrow.List(
      new arrow.Field(c.name, physicalType(c.type, type.elementType, mode), c.nullable, c.metadata),
    );
  }
  if (type.type === 'map' && arrow.DataType.isMap(t)) {
    const entries = t.children[0]!;
    const [k, v] = (entries.type as arrow.Struct).children as [arrow.Field, arrow.Field];
    const kt = physicalType(k.type, type.keyType, mode);
    const vt = physicalType(v.type, type.valueType, mode);
    const struct = new arrow.Struct([new arrow.Field(k.name, kt, k.nullable), new arrow.Field(v.name, vt, v.nullable)]);
    return new arrow.Map_(
      new arrow.Field(entries.name, struct, entries.nullable) as arrow.Field<arrow.Struct>,
      t.keysSorted,
    );
  }
  return t;
}

/** `data` labelled with `type` (same layout, other field names), children too. */
function retype(data: arrow.Data, type: arrow.DataType): arrow.Data {
  if (type === data.type || type.children?.length === 0 || !type.children) return data.clone(type);
  const children = data.children.map((c, i) => retype(c, type.children[i]!.type));
  return arrow.makeData({
    type,
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap,
    ...(data.valueOffsets ? { valueOffsets: data.valueOffsets } : {}),
    ...(children.length === 1 && !arrow.DataType.isStruct(type) ? { child: children[0] } : { children }),
  } as never);
}
