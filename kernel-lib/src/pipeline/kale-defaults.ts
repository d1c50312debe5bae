/**
 * Kale's notebook-wide step settings: `metadata.kubeflow_notebook.steps_defaults`, a list of
 * `annotation:`, `label:` and `limit:` tags applied to every step (what Kale's panel writes
 * for pod labels, annotations and limits). A step's own tags win, key by key. Browser-safe.
 */
import { parseCellTags, type StepOptions } from './cell-tags.js';
import type { Diagnostic } from './diagnostics.js';

export type KaleStepDefaults = Pick<StepOptions, 'limits' | 'annotations' | 'labels'>;

/** The only tags Kale takes as step defaults. */
const DEFAULT_KEYS = new Set(['annotation', 'label', 'limit']);

export function readKaleStepDefaults(metadata: unknown): { defaults: KaleStepDefaults; diagnostics: Diagnostic[] } {
  const defaults: KaleStepDefaults = { limits: {} };
  const diagnostics: Diagnostic[] = [];
  const kale = (metadata as { kubeflow_notebook?: { steps_defaults?: unknown } } | undefined)?.kubeflow_notebook;
  const list = kale?.steps_defaults;
  if (list === undefined) return { defaults, diagnostics };
  const bad = (why: string) =>
    diagnostics.push({
      severity: 'error',
      code: 'bad-metadata',
      message: `notebook metadata.kubeflow_notebook.steps_defaults: ${why}`,
    });
  if (!Array.isArray(list)) {
    bad('must be a list of annotation:, label: and limit: tags');
    return { defaults, diagnostics };
  }
  const tags: string[] = [];
  for (const tag of list) {
    const key = typeof tag === 'string' ? tag.slice(0, tag.indexOf(':')) : '';
    if (DEFAULT_KEYS.has(key)) tags.push(tag as string);
    else bad(`${JSON.stringify(tag)} is not an annotation:, label: or limit: tag`);
  }
  const { role, problems } = parseCellTags(['step:defaults', ...tags]);
  for (const p of problems) bad(p.message);
  if (role.role === 'step') {
    defaults.limits = role.limits;
    if (role.annotations) defaults.annotations = role.annotations;
    if (role.labels) defaults.labels = role.labels;
  }
  return { defaults, diagnostics };
}
