/**
 * Notebook-level settings in `metadata.stillwater` (schema/notebook-metadata.schema.json).
 * Browser-safe. Checked by hand (not ajv) so the tags barrel stays dependency-free;
 * a unit test checks the same fixtures against the JSON Schema.
 */
import type { Diagnostic } from './diagnostics.js';

export interface NotebookSettings {
  name?: string;
  description?: string;
  lakehouseRoot?: string;
  defaults: { cache: boolean; retries: number; timeoutSeconds: number | null };
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Reads `metadata.stillwater` from a notebook's metadata; problems become `bad-metadata` errors. */
export function readNotebookSettings(metadata: unknown): { settings: NotebookSettings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const settings: NotebookSettings = { defaults: { cache: true, retries: 0, timeoutSeconds: null } };
  const bad = (field: string, why: string) =>
    diagnostics.push({
      severity: 'error',
      code: 'bad-metadata',
      message: `notebook metadata.stillwater${field ? `.${field}` : ''}: ${why}`,
    });
  const raw = isObject(metadata) ? metadata.stillwater : undefined;
  if (raw === undefined) return { settings, diagnostics };
  if (!isObject(raw)) {
    bad('', 'must be an object');
    return { settings, diagnostics };
  }
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'name':
        if (typeof value === 'string' && NAME.test(value)) settings.name = value;
        else bad(key, `must be a string matching ${NAME.source}, got ${JSON.stringify(value)}`);
        break;
      case 'description':
        if (typeof value === 'string') settings.description = value;
        else bad(key, 'must be a string');
        break;
      case 'lakehouseRoot':
        if (typeof value === 'string' && value !== '') settings.lakehouseRoot = value;
        else bad(key, 'must be a non-empty string');
        break;
      case 'defaults':
        if (!isObject(value)) {
          bad(key, 'must be an object');
          break;
        }
        for (const [dk, dv] of Object.entries(value)) {
          if (dk === 'cache' && typeof dv === 'boolean') settings.defaults.cache = dv;
          else if (dk === 'retries' && Number.isInteger(dv) && (dv as number) >= 0)
            settings.defaults.retries = dv as number;
          else if (dk === 'timeoutSeconds' && Number.isInteger(dv) && (dv as number) >= 1)
            settings.defaults.timeoutSeconds = dv as number;
          else if (dk === 'cache' || dk === 'retries' || dk === 'timeoutSeconds')
            bad(`defaults.${dk}`, `invalid value ${JSON.stringify(dv)}`);
          else bad(`defaults.${dk}`, 'unknown setting (expected cache, retries, timeoutSeconds)');
        }
        break;
      default:
        bad(key, 'unknown setting (expected name, description, lakehouseRoot, defaults)');
    }
  }
  return { settings, diagnostics };
}

/**
 * A warning when `metadata.kernelspec` names a kernel other than tslab: the compiler
 * reads the cells as TypeScript for tslab, so the pipeline may not do what the notebook
 * does in its own kernel. No kernelspec, no warning (hand-written notebooks).
 */
export function kernelspecDiagnostics(metadata: unknown): Diagnostic[] {
  const spec = isObject(metadata) ? metadata.kernelspec : undefined;
  if (spec === undefined) return [];
  const name = isObject(spec) ? spec.name : spec;
  if (name === 'tslab') return [];
  const language = isObject(spec) && typeof spec.language === 'string' ? ` (language ${spec.language})` : '';
  return [
    {
      severity: 'warning',
      code: 'kernelspec',
      message: `notebook kernel is ${JSON.stringify(name ?? null)}${language}, not tslab: Stillwater compiles the cells as TypeScript for tslab, so the pipeline may not do what the notebook does`,
    },
  ];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
