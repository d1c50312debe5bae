/**
 * The Kale-compatible cell tag grammar (schema/cell-tags.schema.json).
 * Browser-safe: no Node APIs, no TypeScript compiler.
 */
import type { DiagnosticCode } from './diagnostics.js';
import { imageProblem, keyedEntries, labelValueProblem, limitProblem, qualifiedNameProblem } from './k8s-grammar.js';
import { STEP_KINDS, type StepKind, type StepLimits } from './spec.js';

export const STEP_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
/**
 * Step names become file and folder names (`steps/NAME.mjs.map`, run work folders,
 * temp files beside them) and container names elsewhere: 64 keeps them all well
 * inside the file system's 255-byte limit, as Kubernetes' 63 does for its names.
 */
export const STEP_NAME_MAX_LENGTH = 64;

/** Why `name` cannot name a step (pattern or length), or undefined when it can. */
export function stepNameProblem(name: string): string | undefined {
  if (!STEP_NAME_PATTERN.test(name)) return `step name "${name}" must match [a-z_][a-z0-9_]*`;
  if (name.length > STEP_NAME_MAX_LENGTH) {
    return `step name "${name.slice(0, 20)}…" is ${name.length} characters long; at most ${STEP_NAME_MAX_LENGTH}`;
  }
  return undefined;
}

/** Options of a step, from tags on the cell carrying its `step:` tag. */
export interface StepOptions {
  prev: string[];
  kind?: StepKind;
  cache?: boolean;
  retries?: number;
  timeoutSeconds?: number;
  limits: StepLimits;
  /** Kale's `image:REF`: the container image the exports run the step in. */
  image?: string;
  /** Kale's `annotation:KEY:VALUE` tags: pod annotations in the exports. */
  annotations?: Record<string, string>;
  /** Kale's `label:KEY:VALUE` tags: pod labels in the exports. */
  labels?: Record<string, string>;
}

/** What a cell is, according to its own tags alone. */
export type CellRole =
  | ({ role: 'step'; name: string } & StepOptions)
  | { role: 'imports' }
  | { role: 'functions' }
  | { role: 'parameters' }
  | { role: 'metrics' }
  | { role: 'skip' }
  /** No role tag: the cell joins the preceding tagged block. */
  | { role: 'continue' };

export interface TagProblem {
  tag: string;
  code: DiagnosticCode;
  message: string;
}

export interface ParsedCellTags {
  role: CellRole;
  problems: TagProblem[];
}

const ROLE_TAGS: Record<string, CellRole['role']> = {
  imports: 'imports',
  functions: 'functions',
  'pipeline-parameters': 'parameters',
  'pipeline-metrics': 'metrics',
  skip: 'skip',
};

const NON_NEGATIVE_INT = /^(0|[1-9][0-9]*)$/;
const POSITIVE_INT = /^[1-9][0-9]*$/;

/**
 * Parses one cell's tags. Never throws: problems (unknown tag, bad name, bad
 * value, conflicting roles, step options without a step) are returned so the
 * caller can attach the cell to them. Tags other tools own are not ours to
 * reject, so only tags that look like ours are checked: every tag is ours.
 */
export function parseCellTags(tags: readonly string[]): ParsedCellTags {
  const problems: TagProblem[] = [];
  let role: CellRole['role'] | undefined;
  let roleTag = '';
  let stepName = '';
  const options: StepOptions = { prev: [], limits: {} };
  const optionTags: string[] = [];

  const setRole = (r: CellRole['role'], tag: string) => {
    if (role !== undefined) {
      problems.push({
        tag,
        code: 'conflicting-tags',
        message: `tag "${tag}" conflicts with tag "${roleTag}": a cell has one role`,
      });
      return false;
    }
    role = r;
    roleTag = tag;
    return true;
  };

  for (const raw of tags) {
    const tag = raw.trim();
    if (tag === '') continue;
    const roleOf = ROLE_TAGS[tag];
    if (roleOf) {
      setRole(roleOf, tag);
      continue;
    }
    const colon = tag.indexOf(':');
    const key = colon < 0 ? tag : tag.slice(0, colon);
    const value = colon < 0 ? '' : tag.slice(colon + 1);
    switch (key) {
      case 'step':
      case 'block': {
        const problem = stepNameProblem(value);
        if (problem) {
          problems.push({ tag, code: 'bad-step-name', message: `tag "${shortTag(tag)}": ${problem}` });
        } else if (setRole('step', tag)) {
          stepName = value;
        }
        break;
      }
      case 'prev': {
        optionTags.push(tag);
        const problem = stepNameProblem(value);
        if (problem) problems.push({ tag, code: 'bad-step-name', message: `tag "${shortTag(tag)}": ${problem}` });
        else if (!options.prev.includes(value)) options.prev.push(value);
        break;
      }
      case 'kind':
        optionTags.push(tag);
        if ((STEP_KINDS as readonly string[]).includes(value)) options.kind = value as StepKind;
        else problems.push(badValue(tag, `kind must be one of ${STEP_KINDS.join('|')}`));
        break;
      case 'cache':
        optionTags.push(tag);
        if (value === 'enabled' || value === 'disabled') options.cache = value === 'enabled';
        else problems.push(badValue(tag, 'cache must be "enabled" or "disabled"'));
        break;
      case 'retries':
        optionTags.push(tag);
        if (NON_NEGATIVE_INT.test(value)) options.retries = Number(value);
        else problems.push(badValue(tag, 'retries must be a non-negative integer'));
        break;
      case 'timeout':
        optionTags.push(tag);
        if (POSITIVE_INT.test(value)) options.timeoutSeconds = Number(value);
        else problems.push(badValue(tag, 'timeout must be a positive whole number of seconds'));
        break;
      case 'limit': {
        optionTags.push(tag);
        // The quantity never holds ":", the resource name may not either: split at the last one.
        const c2 = value.lastIndexOf(':');
        const what = c2 < 0 ? value : value.slice(0, c2);
        const qty = c2 < 0 ? '' : value.slice(c2 + 1);
        const problem = c2 < 0 ? 'expected limit:RESOURCE:QTY (e.g. limit:memory:2Gi)' : limitProblem(what, qty);
        if (problem) problems.push(badValue(tag, problem));
        else setKeyed(options.limits, what, qty, tag);
        break;
      }
      case 'image': {
        optionTags.push(tag);
        const problem = imageProblem(value);
        if (problem) problems.push(badValue(tag, problem));
        else if (options.image !== undefined && options.image !== value)
          problems.push(conflict(tag, `image:${options.image}`));
        else options.image = value;
        break;
      }
      case 'annotation':
      case 'label': {
        optionTags.push(tag);
        // KEY:VALUE — keys hold no ":", values may.
        const c2 = value.indexOf(':');
        const name = c2 < 0 ? value : value.slice(0, c2);
        const text = c2 < 0 ? '' : value.slice(c2 + 1);
        const problem =
          c2 < 0
            ? `expected ${key}:KEY:VALUE`
            : (qualifiedNameProblem(name) ?? (key === 'label' ? labelValueProblem(text) : undefined));
        const field = key === 'label' ? 'labels' : 'annotations';
        if (problem) problems.push(badValue(tag, problem));
        else {
          const into = options[field] ?? {};
          options[field] = into;
          setKeyed(into, name, text, tag);
        }
        break;
      }
      default:
        problems.push({
          tag,
          code: 'unknown-tag',
          message: `unknown tag "${tag}" (expected step:NAME, block:NAME, prev:NAME, kind:…, imports, functions, pipeline-parameters, pipeline-metrics, skip, cache:…, retries:N, timeout:S, limit:RESOURCE:QTY, image:REF, annotation:KEY:VALUE, label:KEY:VALUE)`,
        });
    }
  }

  if (role !== 'step' && optionTags.length > 0) {
    for (const tag of optionTags) {
      problems.push({
        tag,
        code: 'option-without-step',
        message: `tag "${tag}" is a step option but the cell has no step:NAME tag`,
      });
    }
  }

  if (role === 'step') return { role: { role: 'step', name: stepName, ...options }, problems };
  return { role: { role: role ?? 'continue' } as CellRole, problems };

  /** One value per key (a resource, an annotation, a label): the same key twice with two values conflicts. */
  function setKeyed(into: Record<string, string | undefined>, name: string, text: string, tag: string): void {
    const before = into[name];
    if (before !== undefined && before !== text)
      problems.push(conflict(tag, tag.slice(0, tag.length - text.length) + before));
    else into[name] = text;
  }
}

function badValue(tag: string, why: string): TagProblem {
  return { tag, code: 'bad-tag-value', message: `tag "${shortTag(tag)}": ${why}` };
}

function conflict(tag: string, other: string): TagProblem {
  return {
    tag,
    code: 'conflicting-tags',
    message: `tag "${shortTag(tag)}" conflicts with tag "${shortTag(other)}": one value per key`,
  };
}

/** The tag written for each single-tag role: the inverse of `ROLE_TAGS`. */
const TAG_OF_ROLE: Record<Exclude<CellRole['role'], 'step' | 'continue'>, string> = {
  imports: 'imports',
  functions: 'functions',
  parameters: 'pipeline-parameters',
  metrics: 'pipeline-metrics',
  skip: 'skip',
};

/** Keys of the step options: meaningless (an error) on a cell that is not a step. */
const STEP_OPTION_KEYS = new Set([
  'prev',
  'kind',
  'cache',
  'retries',
  'timeout',
  'limit',
  'image',
  'annotation',
  'label',
]);

/** A tag as messages show it: a 240-character one is cut to its start. */
function shortTag(tag: string): string {
  return tag.length > 40 ? `${tag.slice(0, 30)}…` : tag;
}

/** A role that cannot be written as tags (a value outside the grammar). */
export class CellTagFormatError extends Error {
  constructor(
    readonly role: CellRole,
    message: string,
  ) {
    super(message);
    this.name = 'CellTagFormatError';
  }
}

/**
 * The tags that say `role`: the inverse of `parseCellTags`, so
 * `parseCellTags(formatCellTags(r)).role` equals `r` (with `prev` deduplicated).
 * Role tags come first in a fixed order (`step:`, `kind:`, `prev:`…, `cache:`,
 * `retries:`, `timeout:`, `limit:cpu:`, `limit:memory:`, other `limit:`s, `image:`,
 * `annotation:`s, `label:`s — keyed ones by key), so an edit writes the same
 * tags whatever the cell had before.
 *
 * `existing` is the cell's current tags. Tags the grammar would read as part of a role
 * are replaced by `role`; the rest — tags other tools own and malformed ones, which
 * the user should still see reported — are kept, after the role's tags. Step options
 * are dropped with the step role, since on another cell they are an error.
 *
 * Throws CellTagFormatError if a value is outside the grammar (e.g. a step name the
 * parser would reject): writing such tags would silently change the cell's role.
 */
export function formatCellTags(role: CellRole, existing: readonly string[] = []): string[] {
  const own: string[] = [];
  if (role.role === 'step') {
    own.push(`step:${role.name}`);
    if (role.kind !== undefined) own.push(`kind:${role.kind}`);
    for (const p of role.prev) if (!own.includes(`prev:${p}`)) own.push(`prev:${p}`);
    if (role.cache !== undefined) own.push(`cache:${role.cache ? 'enabled' : 'disabled'}`);
    if (role.retries !== undefined) own.push(`retries:${role.retries}`);
    if (role.timeoutSeconds !== undefined) own.push(`timeout:${role.timeoutSeconds}`);
    if (role.limits.cpu !== undefined) own.push(`limit:cpu:${role.limits.cpu}`);
    if (role.limits.memory !== undefined) own.push(`limit:memory:${role.limits.memory}`);
    for (const [resource, qty] of keyedEntries(role.limits)) {
      if (resource !== 'cpu' && resource !== 'memory') own.push(`limit:${resource}:${qty}`);
    }
    if (role.image !== undefined) own.push(`image:${role.image}`);
    for (const [k, v] of keyedEntries(role.annotations)) own.push(`annotation:${k}:${v}`);
    for (const [k, v] of keyedEntries(role.labels)) own.push(`label:${k}:${v}`);
  } else if (role.role !== 'continue') {
    own.push(TAG_OF_ROLE[role.role]);
  }
  const problems = parseCellTags(own).problems;
  if (problems.length > 0) throw new CellTagFormatError(role, problems.map((p) => p.message).join('; '));

  const kept: string[] = [];
  for (const raw of existing) {
    const tag = raw.trim();
    if (tag === '' || own.includes(tag) || kept.includes(tag) || ownsTag(tag)) continue;
    const colon = tag.indexOf(':');
    if (role.role !== 'step' && STEP_OPTION_KEYS.has(colon < 0 ? tag : tag.slice(0, colon))) continue;
    kept.push(tag);
  }
  return [...own, ...kept];
}

/** Whether `tag`, well-formed, is part of what a `CellRole` describes (a role tag or a valid step option). */
function ownsTag(tag: string): boolean {
  if (parseCellTags([tag]).role.role !== 'continue') return true;
  return parseCellTags(['step:x', tag]).problems.length === 0;
}
