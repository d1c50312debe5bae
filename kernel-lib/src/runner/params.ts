/**
 * Typed pipeline parameters. `--param NAME=VALUE` text is parsed against the
 * type the compiler inferred from the parameters cell, before any step runs, so
 * a typo fails in milliseconds rather than after an hour of training.
 */
import type { JsonValue, PipelineParameter } from '../pipeline/spec.js';
import { ParameterError } from './errors.js';

/**
 * Splits `NAME=VALUE` assignments (the value may itself contain `=`). The result has
 * no prototype, so `__proto__=1` is a name like any other (and refused as undeclared).
 */
export function parseAssignments(assignments: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new ParameterError(a, `--param expects NAME=VALUE, got \`${a}\``);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

/** Parses one value as the parameter's declared type, or throws a ParameterError naming it. */
export function parseParameterValue(param: PipelineParameter, text: string): JsonValue {
  const bad = (expected: string) =>
    new ParameterError(param.name, `parameter \`${param.name}\` expects ${expected}, got \`${text}\``);
  switch (param.type) {
    case 'number': {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) throw bad('a number');
      return v;
    }
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw bad('true or false');
    case 'string':
      return text;
    case 'json':
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        throw bad('a JSON value');
      }
  }
}

/** Values of every parameter: defaults, overridden by `given` (text or already-typed values). */
export function resolveParameters(
  declared: readonly PipelineParameter[],
  given: Record<string, string | JsonValue>,
): Record<string, JsonValue> {
  const byName = new Map(declared.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) {
      const known = declared.map((p) => p.name).join(', ') || '(none)';
      throw new ParameterError(name, `unknown parameter \`${name}\`; the pipeline declares: ${known}`);
    }
  }
  const out: Record<string, JsonValue> = Object.create(null);
  for (const p of declared) {
    // Own names only: a parameter called `toString` is not Object.prototype's.
    const v = Object.hasOwn(given, p.name) ? given[p.name] : undefined;
    if (v === undefined) out[p.name] = p.default;
    else if (typeof v === 'string' && p.type !== 'string') out[p.name] = parseParameterValue(p, v);
    else out[p.name] = checkTyped(p, v);
  }
  return out;
}

function checkTyped(p: PipelineParameter, v: JsonValue): JsonValue {
  const ok =
    p.type === 'json' ||
    (p.type === 'number' && typeof v === 'number' && Number.isFinite(v)) ||
    (p.type === 'boolean' && typeof v === 'boolean') ||
    (p.type === 'string' && typeof v === 'string');
  if (!ok) {
    throw new ParameterError(p.name, `parameter \`${p.name}\` expects a ${p.type}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The `--param NAME=VALUE` text a step receives for a value (strings raw, everything else as JSON). */
export function formatParameterValue(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
