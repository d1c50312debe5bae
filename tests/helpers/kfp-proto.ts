/**
 * Strict reading of KFP IR (protobuf JSON form) against `../shared/kfp/proto/pipeline_spec.proto`
 * with protobufjs: every key must be a field of its message (proto name or lowerCamel JSON
 * name), every enum value a declared name, scalars of their field's type, and the
 * well-known types (Struct, Value, Duration) in their JSON forms. Returns the problems found.
 */
import path from 'node:path';
import protobuf from 'protobufjs';

const WELL_KNOWN_JSON = new Set(['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue']);

export function loadKfpProto(protoDir: string): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') || path.isAbsolute(target) ? target : path.join(protoDir, target);
  root.loadSync(path.join(protoDir, 'pipeline_spec.proto'), { keepCase: true });
  root.resolveAll();
  return root;
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export function strictProtoErrors(root: protobuf.Root, typeName: string, value: unknown): string[] {
  const errors: string[] = [];
  checkMessage(root.lookupType(typeName), value, typeName, errors);
  return errors;
}

function checkMessage(type: protobuf.Type, value: unknown, at: string, errors: string[]): void {
  const full = type.fullName.slice(1);
  if (WELL_KNOWN_JSON.has(full)) return; // any JSON
  if (full === 'google.protobuf.Duration') {
    if (typeof value !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(value)) errors.push(`${at}: not a Duration "Ns"`);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`${at}: expected a ${full} object`);
    return;
  }
  const byJsonName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byJsonName.set(f.name, f);
    byJsonName.set(camel(f.name), f);
  }
  const oneofsSeen = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const field = byJsonName.get(key);
    if (!field) {
      errors.push(`${at}: unknown field "${key}" in ${full}`);
      continue;
    }
    if (field.partOf) {
      const seen = oneofsSeen.get(field.partOf.name);
      if (seen) errors.push(`${at}: "${key}" and "${seen}" are both set in oneof ${field.partOf.name}`);
      oneofsSeen.set(field.partOf.name, key);
    }
    checkField(field, v, `${at}.${key}`, errors);
  }
}

function checkField(field: protobuf.Field, value: unknown, at: string, errors: string[]): void {
  if (field.map) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`${at}: expected a map`);
      return;
    }
    for (const [k, v] of Object.entries(value)) checkSingle(field, v, `${at}[${JSON.stringify(k)}]`, errors);
    return;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      errors.push(`${at}: expected a list`);
      return;
    }
    for (const [i, v] of value.entries()) checkSingle(field, v, `${at}[${i}]`, errors);
    return;
  }
  checkSingle(field, value, at, errors);
}

function checkSingle(field: protobuf.Field, value: unknown, at: string, errors: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in resolved.values)) {
      errors.push(`${at}: ${JSON.stringify(value)} is not a value of enum ${resolved.name}`);
    }
    return;
  }
  if (resolved instanceof protobuf.Type) {
    checkMessage(resolved, value, at, errors);
    return;
  }
  const ok = (() => {
    switch (field.type) {
      case 'string':
        return typeof value === 'string';
      case 'bool':
        return typeof value === 'boolean';
      case 'double':
      case 'float':
        return typeof value === 'number';
      case 'int32':
      case 'int64':
      case 'uint32':
      case 'uint64':
      case 'sint32':
      case 'sint64':
        return (
          (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value))
        );
      case 'bytes':
        return typeof value === 'string';
      default:
        return false;
    }
  })();
  if (!ok) errors.push(`${at}: ${JSON.stringify(value)} is not a ${field.type}`);
}
