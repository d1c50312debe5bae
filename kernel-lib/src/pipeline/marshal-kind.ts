/**
 * Picks how a variable crosses a step boundary from its static type (type
 * checker), by the declared symbol of the type: apache-arrow's `Table`, our
 * `DeltaTable`/`Lakehouse`/`XGBoostModel`, structured-cloneable data, or a
 * reason it cannot cross (functions, promises, class instances with methods…).
 */
import type * as ts from 'typescript';
import { tsc } from './typescript.js';
import type { MarshalKind } from './spec.js';

export type MarshalVerdict = { ok: true; kind: MarshalKind; untyped?: boolean } | { ok: false; reason: string };

const STRUCTURED_BUILTINS = new Set([
  'Date',
  'RegExp',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Buffer',
  'Error',
  'TypeError',
  'RangeError',
]);
const COLLECTIONS = new Set(['Map', 'Set', 'ReadonlyMap', 'ReadonlySet', 'Array', 'ReadonlyArray']);

/** Our handle classes, recognised when declared inside @stillwater/kernel (or its source, kernel-lib). */
const KERNEL_CLASSES: Record<string, MarshalKind> = {
  DeltaTable: 'delta-table',
  Lakehouse: 'lakehouse',
  XGBoostModel: 'xgboost-model',
};
const KIND_LABEL: Record<MarshalKind, string> = {
  arrow: 'an Arrow Table',
  'delta-table': 'a DeltaTable',
  lakehouse: 'a Lakehouse',
  'xgboost-model': 'an XGBoostModel',
  'structured-clone': 'plain data',
};
const KERNEL_FILE = /[\\/](@stillwater[\\/]kernel|kernel-lib)[\\/]/;
const ARROW_FILE = /[\\/]apache-arrow[\\/]/;

export function classifyType(checker: ts.TypeChecker, program: ts.Program, type: ts.Type): MarshalVerdict {
  return classify(checker, program, type, 0, new Set());
}

function classify(
  checker: ts.TypeChecker,
  program: ts.Program,
  type: ts.Type,
  depth: number,
  seen: Set<ts.Type>,
): MarshalVerdict {
  const name = () => checker.typeToString(type);
  const f = type.flags;
  if (f & (tsc.TypeFlags.Any | tsc.TypeFlags.Unknown)) return { ok: true, kind: 'structured-clone', untyped: true };
  if (f & (tsc.TypeFlags.ESSymbol | tsc.TypeFlags.UniqueESSymbol)) return { ok: false, reason: 'is a symbol' };
  if (
    f &
    (tsc.TypeFlags.NumberLike |
      tsc.TypeFlags.StringLike |
      tsc.TypeFlags.BooleanLike |
      tsc.TypeFlags.BigIntLike |
      tsc.TypeFlags.Null |
      tsc.TypeFlags.Undefined |
      tsc.TypeFlags.Void |
      tsc.TypeFlags.Never)
  )
    return { ok: true, kind: 'structured-clone' };
  if (seen.has(type) || depth > 6) return { ok: true, kind: 'structured-clone' };
  seen.add(type);

  if (type.isUnion()) {
    let special: MarshalKind | undefined;
    let plain = false;
    let untyped = false;
    for (const t of type.types) {
      if (t.flags & (tsc.TypeFlags.Null | tsc.TypeFlags.Undefined)) continue;
      const v = classify(checker, program, t, depth + 1, seen);
      if (!v.ok) return v;
      untyped ||= !!v.untyped;
      if (v.kind === 'structured-clone') plain = true;
      else if (special && special !== v.kind)
        return { ok: false, reason: `mixes ${special} and ${v.kind} (${name()})` };
      else special = v.kind;
    }
    if (special && plain) return { ok: false, reason: `mixes ${special} and plain data (${name()})` };
    return { ok: true, kind: special ?? 'structured-clone', untyped };
  }
  if (type.isIntersection()) {
    for (const t of type.types) {
      const v = classify(checker, program, t, depth + 1, seen);
      if (!v.ok || v.kind !== 'structured-clone') return v;
    }
    return { ok: true, kind: 'structured-clone' };
  }

  const symbol = type.aliasSymbol && !type.getSymbol() ? type.aliasSymbol : type.getSymbol();
  const symName = symbol?.getName() ?? '';
  const declFile = symbol?.declarations?.[0]?.getSourceFile();
  const file = declFile?.fileName ?? '';
  if (symName === 'Table' && ARROW_FILE.test(file)) return { ok: true, kind: 'arrow' };
  const kernelKind = KERNEL_CLASSES[symName];
  if (kernelKind && KERNEL_FILE.test(file)) return { ok: true, kind: kernelKind };
  if (symName === 'Promise' || symName === 'PromiseLike')
    return { ok: false, reason: `is a Promise (${name()}); await it in the step that creates it` };

  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0)
    return { ok: false, reason: `is a function (${name()})` };

  const fromLib = declFile
    ? program.isSourceFileDefaultLibrary(declFile) || /[\\/]@types[\\/]node[\\/]/.test(file)
    : false;
  if (fromLib && STRUCTURED_BUILTINS.has(symName)) return { ok: true, kind: 'structured-clone' };
  if (checker.isTupleType(type) || (fromLib && COLLECTIONS.has(symName))) {
    const args = checker.getTypeArguments(type as ts.TypeReference);
    for (const a of args) {
      const v = classify(checker, program, a, depth + 1, seen);
      if (!v.ok) return { ok: false, reason: `holds values that cannot cross steps: ${v.reason}` };
      if (v.kind !== 'structured-clone')
        return {
          ok: false,
          reason: `holds ${KIND_LABEL[v.kind]} inside ${symName || 'a tuple'}; pass each as its own variable`,
        };
    }
    return { ok: true, kind: 'structured-clone' };
  }
  if (fromLib) return { ok: false, reason: `is a ${symName || name()}, which cannot be serialised` };

  const isClass = !!symbol && (symbol.flags & tsc.SymbolFlags.Class) !== 0;
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (decl && (tsc.isMethodDeclaration(decl) || tsc.isMethodSignature(decl) || tsc.isGetAccessor(decl)))
      return {
        ok: false,
        reason: isClass
          ? `is an instance of class ${symName} with methods (${prop.getName()}())`
          : `has a method ${prop.getName()}() (${name()})`,
      };
    if (!decl) continue;
    const pt = checker.getTypeOfSymbolAtLocation(prop, decl);
    const v = classify(checker, program, pt, depth + 1, seen);
    if (!v.ok) return { ok: false, reason: `has property "${prop.getName()}" that ${v.reason}` };
    if (v.kind !== 'structured-clone')
      return {
        ok: false,
        reason: `holds ${KIND_LABEL[v.kind]} in property "${prop.getName()}"; pass it as its own variable`,
      };
  }
  return { ok: true, kind: 'structured-clone' };
}
