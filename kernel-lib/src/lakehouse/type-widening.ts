/**
 * Type widening (PROTOCOL.md "Type Widening"): a column's type may have been
 * widened after files were written, which the schema records in the field's
 * `delta.typeChanges` metadata. Readers read old files as the new, wider type
 * (the scan's cast does the conversion) and must refuse type changes they do
 * not know. This module is the list of changes the protocol allows.
 */
import type { DeltaType, StructType } from './schema.js';

const INT_RANK: Record<string, number> = { byte: 1, short: 2, integer: 3, long: 4 };
const DECIMAL_RE = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

/** Is `from` → `to` one of the protocol's supported widenings? */
export function isSupportedWidening(from: string, to: string): boolean {
  const f = from.trim();
  const t = to.trim();
  if (f in INT_RANK && t in INT_RANK) return INT_RANK[f]! < INT_RANK[t]!;
  if (t === 'double') return f === 'float' || (f in INT_RANK && f !== 'long');
  if (f === 'date') return t === 'timestamp_ntz';
  const td = DECIMAL_RE.exec(t);
  if (!td) return false;
  const [p2, s2] = [Number(td[1]), Number(td[2])];
  const fd = DECIMAL_RE.exec(f);
  // decimal(p, s) → decimal(p + k1, s + k2) with k1 ≥ k2 ≥ 0; integers as decimal(10, 0) / decimal(20, 0).
  const [p1, s1] = fd ? [Number(fd[1]), Number(fd[2])] : f === 'long' ? [20, 0] : f in INT_RANK ? [10, 0] : [-1, -1];
  if (p1 < 0) return false;
  const k1 = p2 - p1;
  const k2 = s2 - s1;
  return k1 >= k2 && k2 >= 0;
}

/** Describes the first type change in `schema` this reader does not support, or undefined if all are. */
export function assertTypeChangesSupported(schema: StructType): string | undefined {
  const visit = (type: DeltaType, path: string): string | undefined => {
    if (typeof type === 'string') return undefined;
    if (type.type === 'array') return visit(type.elementType, `${path}.element`);
    if (type.type === 'map') return visit(type.keyType, `${path}.key`) ?? visit(type.valueType, `${path}.value`);
    for (const f of type.fields) {
      const name = path ? `${path}.${f.name}` : f.name;
      const changes = f.metadata?.['delta.typeChanges'];
      if (Array.isArray(changes)) {
        for (const c of changes as { fromType?: unknown; toType?: unknown; fieldPath?: unknown }[]) {
          const where = typeof c.fieldPath === 'string' ? `${name}.${c.fieldPath}` : name;
          if (typeof c.fromType !== 'string' || typeof c.toType !== 'string') {
            return `column ${where} has a malformed delta.typeChanges entry`;
          }
          if (!isSupportedWidening(c.fromType, c.toType)) {
            return `column ${where} changed type from ${c.fromType} to ${c.toType}`;
          }
        }
      }
      const inner = visit(f.type, name);
      if (inner) return inner;
    }
    return undefined;
  };
  return visit(schema, '');
}
