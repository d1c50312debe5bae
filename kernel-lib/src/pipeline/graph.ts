/**
 * Cells → steps and dependencies (Kale's "notebook processor" stage), from tags
 * alone. Browser-safe: the JupyterLab extension draws the DAG with it without a
 * kernel. Data-flow (which variables cross which edge) is `analysis.ts`' job.
 */
import { type CellRole, parseCellTags, type StepOptions } from './cell-tags.js';
import { cellDiagnostic, type Diagnostic, sortDiagnostics } from './diagnostics.js';
import { readKaleStepDefaults } from './kale-defaults.js';
import { kernelspecDiagnostics, type NotebookSettings, readNotebookSettings } from './settings.js';
import type { StepKind, StepSettings } from './spec.js';

/** A notebook cell as the graph builder needs it. Non-code cells are ignored. */
export interface GraphCellInput {
  tags: readonly string[];
  source: string;
  cellType?: 'code' | 'markdown' | 'raw' | string;
}

/** Which block a cell ended up in after applying the "untagged joins preceding" rule. */
export type CellBlock =
  | { role: 'step'; step: string }
  | { role: 'imports' | 'functions' | 'parameters' | 'metrics' | 'skip' }
  /** Untagged code cell before any tagged cell, or a non-code cell. */
  | { role: 'ignored' };

export interface GraphStep extends StepSettings {
  name: string;
  kind: StepKind;
  /** From `prev:` tags, in tag order (duplicates removed). */
  deps: string[];
  /** Indexes of the code cells of this step, in order. */
  cells: number[];
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface PipelineGraph {
  /** In notebook order. */
  steps: GraphStep[];
  edges: GraphEdge[];
  /** One entry per notebook cell (same indexes). */
  cells: CellBlock[];
  settings: NotebookSettings;
  diagnostics: Diagnostic[];
}

/**
 * Applies the tag grammar to every cell and builds the step DAG. Never throws;
 * problems are diagnostics naming the cell (index, first line) and the tag:
 * unknown tag, bad name/value, conflicting tags, prev: to an undefined step,
 * duplicate step, cycle, no steps.
 */
export function buildPipelineGraph(cells: readonly GraphCellInput[], notebookMetadata?: unknown): PipelineGraph {
  const { settings, diagnostics } = readNotebookSettings(notebookMetadata);
  diagnostics.push(...kernelspecDiagnostics(notebookMetadata));
  const kale = readKaleStepDefaults(notebookMetadata);
  diagnostics.push(...kale.diagnostics);
  const steps: GraphStep[] = [];
  const stepCell = new Map<string, number>();
  const blocks: CellBlock[] = [];
  let current: CellBlock = { role: 'ignored' };
  let currentStep: GraphStep | undefined;
  const cellRef = (i: number) => ({ index: i, source: cells[i]!.source });

  cells.forEach((cell, index) => {
    if ((cell.cellType ?? 'code') !== 'code') {
      blocks.push({ role: 'ignored' });
      return;
    }
    const { role, problems } = parseCellTags(cell.tags);
    for (const p of problems)
      diagnostics.push(cellDiagnostic('error', p.code, cellRef(index), p.message, { tag: p.tag }));
    if (role.role === 'continue') {
      if (current.role === 'ignored' && cell.source.trim() !== '') {
        diagnostics.push(
          cellDiagnostic(
            'warning',
            'leading-untagged',
            cellRef(index),
            'untagged cell before any tagged cell is not part of the pipeline (tag it imports, functions or step:NAME)',
          ),
        );
      }
      blocks.push(current);
      if (current.role === 'step') currentStep!.cells.push(index);
      return;
    }
    if (role.role === 'step') {
      const existing = steps.find((s) => s.name === role.name);
      if (existing) {
        if (current.role === 'step' && current.step === role.name) {
          // Kale users tag consecutive cells with the same block name: merge.
          mergeOptions(existing, role);
          existing.cells.push(index);
          blocks.push(current);
          return;
        }
        diagnostics.push(
          cellDiagnostic(
            'error',
            'duplicate-step',
            cellRef(index),
            `duplicate step "${role.name}" (already defined by cell ${stepCell.get(role.name)}); a step's cells must be consecutive`,
            { tag: stepTag(cell.tags, role.name), step: role.name },
          ),
        );
        current = { role: 'skip' };
        blocks.push(current);
        return;
      }
      currentStep = {
        name: role.name,
        kind: role.kind ?? 'other',
        deps: [],
        cells: [index],
        cache: settings.defaults.cache,
        retries: settings.defaults.retries,
        timeoutSeconds: settings.defaults.timeoutSeconds,
        limits: { ...kale.defaults.limits },
        ...(kale.defaults.annotations ? { annotations: { ...kale.defaults.annotations } } : {}),
        ...(kale.defaults.labels ? { labels: { ...kale.defaults.labels } } : {}),
      };
      mergeOptions(currentStep, role);
      steps.push(currentStep);
      stepCell.set(role.name, index);
      current = { role: 'step', step: role.name };
      blocks.push(current);
      return;
    }
    current = { role: role.role };
    currentStep = undefined;
    blocks.push(current);
  });

  const edges: GraphEdge[] = [];
  for (const step of steps) {
    const index = stepCell.get(step.name)!;
    for (const dep of step.deps) {
      const tag = `prev:${dep}`;
      if (dep === step.name) {
        diagnostics.push(
          cellDiagnostic(
            'error',
            'self-dependency',
            cellRef(index),
            `tag "${tag}": step "${dep}" cannot depend on itself`,
            {
              tag,
              step: step.name,
            },
          ),
        );
      } else if (!stepCell.has(dep)) {
        const known = steps.map((s) => s.name).join(', ') || 'none';
        diagnostics.push(
          cellDiagnostic(
            'error',
            'undefined-prev',
            cellRef(index),
            `tag "${tag}": step "${dep}" is not defined (defined steps: ${known})`,
            { tag, step: step.name },
          ),
        );
      } else edges.push({ from: dep, to: step.name });
    }
  }
  const cycle = findCycle(steps, edges);
  if (cycle) {
    const index = stepCell.get(cycle[0]!)!;
    diagnostics.push(
      cellDiagnostic('error', 'cycle', cellRef(index), `steps form a cycle: ${cycle.join(' → ')}`, {
        step: cycle[0]!,
        tag: `prev:${cycle[cycle.length - 2]}`,
      }),
    );
  }
  if (steps.length === 0) {
    diagnostics.push({
      severity: 'error',
      code: 'no-steps',
      message: 'the notebook has no step: tags, so there is no pipeline (tag a cell step:NAME)',
    });
  }
  return { steps, edges, cells: blocks, settings, diagnostics: sortDiagnostics(diagnostics) };
}

function mergeOptions(step: GraphStep, role: Extract<CellRole, { role: 'step' }> | StepOptions): void {
  for (const p of role.prev) if (!step.deps.includes(p)) step.deps.push(p);
  if (role.kind) step.kind = role.kind;
  if (role.cache !== undefined) step.cache = role.cache;
  if (role.retries !== undefined) step.retries = role.retries;
  if (role.timeoutSeconds !== undefined) step.timeoutSeconds = role.timeoutSeconds;
  Object.assign(step.limits, role.limits);
  if (role.image !== undefined) step.image = role.image;
  if (role.annotations) step.annotations = { ...step.annotations, ...role.annotations };
  if (role.labels) step.labels = { ...step.labels, ...role.labels };
}

function stepTag(tags: readonly string[], name: string): string {
  return tags.find((t) => t.trim() === `step:${name}` || t.trim() === `block:${name}`)?.trim() ?? `step:${name}`;
}

/** A dependency cycle as `[a, b, …, a]`, or undefined. Deterministic (notebook order). */
function findCycle(steps: readonly GraphStep[], edges: readonly GraphEdge[]): string[] | undefined {
  const deps = new Map<string, string[]>(steps.map((s) => [s.name, []]));
  for (const e of edges) deps.get(e.to)!.push(e.from);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const s of steps) {
    const c = visit(s.name);
    if (c) return c.reverse();
  }
  return undefined;
}

/**
 * Steps in an order where every step follows its dependencies (Kahn, ties in
 * notebook order). Throws if the graph has a cycle; check diagnostics first.
 */
export function topologicalOrder(steps: readonly { name: string; deps: readonly string[] }[]): string[] {
  const remaining = new Map(steps.map((s) => [s.name, new Set(s.deps.filter((d) => d !== s.name))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = steps.find(
      (s) => remaining.has(s.name) && [...remaining.get(s.name)!].every((d) => !remaining.has(d)),
    );
    if (!ready) throw new Error(`steps form a cycle among: ${[...remaining.keys()].join(', ')}`);
    order.push(ready.name);
    remaining.delete(ready.name);
  }
  return order;
}

/** Every step `name` transitively depends on (not including itself). */
export function ancestorsOf(name: string, steps: readonly Pick<GraphStep, 'name' | 'deps'>[]): Set<string> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const out = new Set<string>();
  const todo = [...(byName.get(name)?.deps ?? [])];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (out.has(n) || n === name) continue;
    out.add(n);
    todo.push(...(byName.get(n)?.deps ?? []));
  }
  return out;
}
