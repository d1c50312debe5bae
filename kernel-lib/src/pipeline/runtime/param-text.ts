/**
 * The text of a parameter value on a command line (`--param NAME=VALUE`,
 * STEP-CONTRACT.md), both ways — the one definition the CLI, the runner and the step
 * runtime share: strings go as they are, every other value as JSON; text is read back
 * by the parameter's declared type.
 */
import type { JsonValue, ParameterType } from '../spec.js';

/** The `--param` text of a value. */
export function formatParamText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `text` read as a value of `type`, or why it is none (`expected`: what a value of the type looks like). */
export function parseParamText(
  type: ParameterType,
  text: string,
):
  | { ok: true; value: JsonValue }
  | { ok: false; expected: 'a finite number' | 'true or false' | 'JSON'; detail?: string } {
  switch (type) {
    case 'string':
      return { ok: true, value: text };
    case 'number': {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, expected: 'a finite number' };
    }
    case 'boolean':
      if (text === 'true') return { ok: true, value: true };
      if (text === 'false') return { ok: true, value: false };
      return { ok: false, expected: 'true or false' };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as JsonValue };
      } catch (e) {
        return { ok: false, expected: 'JSON', detail: (e as Error).message };
      }
  }
}

/** `NAME=VALUE` split at its first `=` (the value may hold more); undefined without a name. */
export function splitAssignment(text: string): [name: string, value: string] | undefined {
  const eq = text.indexOf('=');
  return eq > 0 ? [text.slice(0, eq), text.slice(eq + 1)] : undefined;
}
