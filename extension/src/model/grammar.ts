/**
 * The only module that talks to `@stillwater/kernel/tags`: the tag grammar (reading
 * and writing tags), the parameters-cell reader and the DAG builder live there, once,
 * for the compiler and the extension alike. What is here is the editor's side —
 * mapping the kernel's cell roles to the editor's simpler ones and back.
 */
import {
  buildPipelineGraph,
  formatCellTags,
  type CellRole as KernelCellRole,
  parseCellTags,
  readPipelineParameters,
  STEP_NAME_MAX_LENGTH,
  STEP_NAME_PATTERN,
} from '@stillwater/kernel/tags';
import type { CellInfo, CellRole, Diagnostic, PipelineAnalysis, PipelineParameter } from './types.js';

export { STEP_KINDS } from '@stillwater/kernel/tags';

/** Whether `tag` is a well-formed `prev:NAME`, and NAME. */
function prevOf(tag: string): string | undefined {
  const asOption = parseCellTags(['step:x', tag]);
  if (asOption.problems.length > 0 || asOption.role.role !== 'step') return undefined;
  return asOption.role.prev[0];
}

/** A cell's role from its tags (problems are reported by `analyse`, not here). */
export function decodeRole(tags: readonly string[]): CellRole {
  const { role } = parseCellTags(tags);
  if (role.role === 'step') return { role: 'step', name: role.name, kind: role.kind ?? 'other', prev: [...role.prev] };
  return { role: role.role, prev: [] };
}

/**
 * The tags for `role`, written by the kernel's `formatCellTags`: the editor sets the
 * role, name, kind and dependencies; step options the editor does not show (`cache:`,
 * `retries:`, …) stay while the cell stays a step, and tags other tools own are kept.
 * Throws (CellTagFormatError) for a step name outside the grammar.
 */
export function encodeRole(role: CellRole, existing: readonly string[]): string[] {
  const current = parseCellTags(existing).role;
  let next: KernelCellRole;
  if (role.role === 'step') {
    const options = current.role === 'step' ? current : { prev: [], limits: {} };
    next = {
      ...options,
      role: 'step',
      name: role.name ?? '',
      prev: [...role.prev],
      // `kind:other` is the default: not written.
      kind: role.kind && role.kind !== 'other' ? role.kind : undefined,
    };
    if (next.kind === undefined) delete next.kind;
  } else next = { role: role.role };
  return formatCellTags(next, existing);
}

/** `prev:OLD` → `prev:NEW` (or removed when `next` is null); other tags untouched. */
export function rewritePrev(tags: readonly string[], old: string, next: string | null): string[] {
  const out: string[] = [];
  for (const t of tags) {
    if (prevOf(t) === old) {
      if (next !== null && !out.includes(`prev:${next}`)) out.push(`prev:${next}`);
    } else out.push(t);
  }
  return out;
}

/** Why `name` cannot name a step among `taken`, or null when it can. */
export function stepNameProblem(name: string, taken: readonly string[]): string | null {
  if (name === '') return 'a step needs a name';
  if (!STEP_NAME_PATTERN.test(name)) return 'use lower-case letters, digits and _ (not starting with a digit)';
  if (name.length > STEP_NAME_MAX_LENGTH)
    return `at most ${STEP_NAME_MAX_LENGTH} characters (this one has ${name.length})`;
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
    // A name declared again is the compiler's duplicate-parameter error; the first one counts.
    if (block?.role === 'parameters')
      for (const p of readParameters(cell)) if (!parameters.some((q) => q.name === p.name)) parameters.push(p);
    if (block?.role === 'step') stepOfCell.set(cell.id, block.step);
  }
  return { steps, edges: graph.edges, diagnostics, parameters, roles, stepOfCell };
}

/** The parameters a parameters cell declares, read by the kernel's browser-safe reader. */
function readParameters(cell: CellInfo): PipelineParameter[] {
  return readPipelineParameters(cell.source).map((p) => ({
    name: p.name,
    type: p.type,
    default: p.default,
    defaultValue:
      typeof p.default === 'number' || typeof p.default === 'boolean' ? String(p.default) : JSON.stringify(p.default),
    cellIndex: cell.index,
  }));
}
