/**
 * Typed pipeline parameters. `--param NAME=VALUE` text is parsed against the
 * type the compiler inferred from the parameters cell, before any step runs, so
 * a typo fails in milliseconds rather than after an hour of training.
 */
import type { JsonValue, PipelineParameter } from '../pipeline/spec.js';
import { parseParamText, splitAssignment } from '../pipeline/runtime/param-text.js';
import { ParameterError } from './errors.js';

/**
 * Splits `NAME=VALUE` assignments (the value may itself contain `=`). The result has
 * no prototype, so `__proto__=1` is a name like any other (and refused as undeclared).
 */
export function parseAssignments(assignments: readonly string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const a of assignments) {
    const assignment = splitAssignment(a);
    if (!assignment) throw new ParameterError(a, `--param expects NAME=VALUE, got \`${a}\``);
    out[assignment[0]] = assignment[1];
  }
  return out;
}

/** What the runner's messages say a value of each type looks like. */
const EXPECTED: Record<PipelineParameter['type'], string> = {
  number: 'a number',
  boolean: 'true or false',
  string: 'a string',
  json: 'a JSON value',
};

/** Parses one value as the parameter's declared type (param-text.ts), or throws a ParameterError naming it. */
export function parseParameterValue(param: PipelineParameter, text: string): JsonValue {
  const parsed = parseParamText(param.type, text);
  if (parsed.ok) return parsed.value;
  throw new ParameterError(param.name, `parameter \`${param.name}\` expects ${EXPECTED[param.type]}, got \`${text}\``);
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
