/**
 * Column mapping (PROTOCOL.md "Column Mapping"): with `delta.columnMapping.mode`
 * `name` or `id`, data files, partition values and statistics use each column's
 * *physical* name (`delta.columnMapping.physicalName`) or Parquet field id
 * (`delta.columnMapping.id`), while users see the schema's logical names. The
 * scan reads a file, renames its columns (nested ones too) to logical names
 * here, and from then on works in logical names only.
 */
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
