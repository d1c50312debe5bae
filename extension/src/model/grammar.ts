/**
 * The only module that talks to `@stillwater/kernel/tags`: the tag grammar and DAG
 * builder live there, once, for the compiler and the extension alike. What is here is
 * the editor's side — classifying a cell's existing tags (with the kernel's parser) so
 * an edit rewrites only the role tags and keeps everything else, and writing role tags
 * back, checked by parsing them again.
 */
import { buildPipelineGraph, parseCellTags, STEP_NAME_PATTERN } from '@stillwater/kernel/tags';
import type { CellInfo, CellRole, CellRoleName, Diagnostic, PipelineAnalysis, PipelineParameter } from './types.js';

export { STEP_KINDS } from '@stillwater/kernel/tags';

/** The tag written for each single-tag role (the inverse of the kernel's parser). */
const ROLE_TAG: Record<Exclude<CellRoleName, 'step' | 'continue'>, string> = {
  imports: 'imports',
  functions: 'functions',
  parameters: 'pipeline-parameters',
  metrics: 'pipeline-metrics',
  skip: 'skip',
};

type TagClass = 'role' | 'prev' | 'kind' | 'other';

/** What one tag means, by asking the kernel's parser about it alone and as a step option. */
function classify(tag: string): { cls: TagClass; prev?: string } {
  if (parseCellTags([tag]).role.role !== 'continue') return { cls: 'role' };
  const asOption = parseCellTags(['step:x', tag]).role;
  if (asOption.role === 'step') {
    if (asOption.prev.length > 0) return { cls: 'prev', prev: asOption.prev[0]! };
    if (asOption.kind) return { cls: 'kind' };
  }
  return { cls: 'other' };
}

/** A cell's role from its tags (problems are reported by `analyse`, not here). */
export function decodeRole(tags: readonly string[]): CellRole {
  const { role } = parseCellTags(tags);
  if (role.role === 'step') return { role: 'step', name: role.name, kind: role.kind ?? 'other', prev: [...role.prev] };
  return { role: role.role, prev: [] };
}

/**
 * The tags for `role`, keeping the cell's other tags (step options such as `cache:` or
 * `retries:` when it stays a step, and tags other tools own). Role tags come first.
 */
export function encodeRole(role: CellRole, existing: readonly string[]): string[] {
  const isStep = role.role === 'step';
  const kept = existing.filter((t) => {
    if (classify(t).cls !== 'other') return false;
    // Step options on a non-step cell would be an error: drop them with the step role.
    return isStep || !parseCellTags([t]).problems.some((p) => p.code === 'option-without-step');
  });
  let own: string[] = [];
  if (role.role === 'step') {
    const name = role.name ?? '';
    own = [`step:${name}`];
    if (role.kind && role.kind !== 'other') own.push(`kind:${role.kind}`);
    for (const p of role.prev) if (!own.includes(`prev:${p}`)) own.push(`prev:${p}`);
  } else if (role.role !== 'continue') {
    own = [ROLE_TAG[role.role]];
  }
  const tags = [...own, ...kept];
  const back = decodeRole(tags);
  if (back.role !== role.role || (isStep && back.name !== role.name)) {
    throw new Error(`tags ${JSON.stringify(tags)} do not read back as ${role.role}${isStep ? `:${role.name}` : ''}`);
  }
  return tags;
}

/** `prev:OLD` → `prev:NEW` (or removed when `next` is null); other tags untouched. */
export function rewritePrev(tags: readonly string[], old: string, next: string | null): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const c = classify(t);
    if (c.cls === 'prev' && c.prev === old) {
      if (next !== null && !out.includes(`prev:${next}`)) out.push(`prev:${next}`);
    } else out.push(t);
  }
  return out;
}

/** Why `name` cannot name a step among `taken`, or null when it can. */
export function stepNameProblem(name: string, taken: readonly string[]): string | null {
  if (name === '') return 'a step needs a name';
  if (!STEP_NAME_PATTERN.test(name)) return 'use lower-case letters, digits and _ (not starting with a digit)';
  if (taken.includes(name)) return `a step named "${name}" already exists`;
  return null;
}

/** Steps, edges, diagnostics and parameters of the notebook's cells. */
export function analyse(cells: readonly CellInfo[], notebookMetadata?: unknown): PipelineAnalysis {
  const graph = buildPipelineGraph(
    cells.map((c) => ({ tags: c.tags, source: c.source, cellType: c.cellType })),
    notebookMetadata,
  );
  const idAt = (i: number | undefined) => (i === undefined ? undefined : cells[i]?.id);
  const steps = graph.steps.map((s) => ({ ...s, cellIndex: s.cells[0]!, cellId: idAt(s.cells[0])! }));
  const diagnostics: Diagnostic[] = graph.diagnostics.map((d) => {
    const cellId = idAt(d.cell);
    return cellId ? { ...d, cellId } : d;
  });
  const roles = new Map<string, CellRole>();
  const stepOfCell = new Map<string, string>();
  const parameters: PipelineParameter[] = [];
  for (const cell of cells) {
    if (cell.cellType !== 'code') continue;
    roles.set(cell.id, decodeRole(cell.tags));
    const block = graph.cells[cell.index];
    if (block?.role === 'parameters') parameters.push(...readParameters(cell));
    if (block?.role === 'step') stepOfCell.set(cell.id, block.step);
  }
  return { steps, edges: graph.edges, diagnostics, parameters, roles, stepOfCell };
}

/**
 * `const NAME = literal` lines of a parameters cell, for the panel's editable defaults.
 * The compiler checks the cell properly; this only lists what is there.
 */
function readParameters(cell: CellInfo): PipelineParameter[] {
  const out: PipelineParameter[] = [];
  const decl = /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(.+?);?\s*(?:\/\/.*)?$/;
  for (const line of cell.source.split('\n')) {
    const m = decl.exec(line);
    if (m) out.push({ name: m[1]!, defaultValue: m[2]!.trim(), cellIndex: cell.index });
  }
  return out;
}
