/**
 * Phase 6: per step, what it reads from outside its own cells — parameters, functions
 * (and the parameters they need), borrowed imports, and inputs: a variable declared by an
 * ancestor step (the nearest ancestor wins, then the latest cell), which becomes that
 * ancestor's output. Reading a non-ancestor's variable or changing an input is warned about.
 */
import type * as ts from 'typescript';
import type { PipelineGraph } from '../graph.js';
import type { Declarations } from './declarations.js';
import type { ParametersViaFunctions } from './functions-cells.js';
import type { NotebookProgram } from './notebook-program.js';
import type { ReferenceFinder } from './references.js';
import { cmp, type Ref, type Report, type StepFlow, type TopDecl } from './types.js';

export interface StepFlows {
  /** In the graph's step order. */
  flows: Map<string, StepFlow>;
  /** Per producing step: output name → its declaration. */
  outputDecls: Map<string, Map<string, TopDecl>>;
  /** `step.output` → the steps that take it as an input. */
  consumers: Map<string, string[]>;
}

export interface FlowInputs {
  np: NotebookProgram;
  decls: Declarations;
  finder: ReferenceFinder;
  parameterSymbols: ReadonlyMap<ts.Symbol, string>;
  parametersViaFunctions: ParametersViaFunctions;
  report: Report;
}

export function traceStepFlows(graph: PipelineGraph, x: FlowInputs): StepFlows {
  const stepNames = graph.steps.map((s) => s.name);
  const flows = new Map<string, StepFlow>(
    stepNames.map((n) => [n, { name: n, inputs: [], outputs: [], parameters: [], metrics: [], borrowedImports: [] }]),
  );
  const out: StepFlows = { flows, outputDecls: new Map(stepNames.map((n) => [n, new Map()])), consumers: new Map() };
  for (const step of graph.steps) traceStep(step, ancestorDistances(step.name, graph), out, x);
  return out;
}

function traceStep(
  step: PipelineGraph['steps'][number],
  dist: Map<string, number>,
  out: StepFlows,
  { np, decls, finder, parameterSymbols, parametersViaFunctions, report }: FlowInputs,
): void {
  const flow = out.flows.get(step.name)!;
  const refs = finder.refsOf(step.cells.flatMap((i) => decls.statementsByCell.get(i) ?? []));
  const own = new Set(step.cells);
  const params = new Set<string>();
  const fnSyms: ts.Symbol[] = [];
  const inputs = new Map<string, { from: string; decl: TopDecl; usages: Ref[] }>();
  const warnedMissing = new Set<string>();
  const where = (id: ts.Identifier) => {
    const at = np.cellAt(id.getStart(np.sf)).index;
    return { at, line: np.lineIn(at, id) };
  };
  for (const r of refs) {
    const ds = decls.bySymbol.get(r.sym)!;
    if (ds.some((d) => own.has(d.cell))) continue;
    const param = parameterSymbols.get(r.sym);
    if (param) {
      params.add(param);
      continue;
    }
    const home = ds.map((d) => ({ d, b: np.blockOf(d.cell) }));
    if (home.some((h) => h.b.role === 'functions')) {
      fnSyms.push(r.sym);
      continue;
    }
    if (home.some((h) => h.b.role === 'imports' || h.b.role === 'parameters')) continue;
    const imported = home.find((h) => h.d.kind === 'import' && h.d.importInfo);
    if (imported) {
      const info = imported.d.importInfo!;
      if (!flow.borrowedImports.includes(info)) {
        flow.borrowedImports.push(info);
        const { at, line } = where(r.id);
        report(
          'warning',
          'import-across-steps',
          at,
          `step "${step.name}" uses "${r.id.text}", imported in cell ${info.cell} of another step; the import is re-included, but move it to an imports cell`,
          { line, variable: r.id.text, step: step.name },
        );
      }
      continue;
    }
    const stepOf = (h: (typeof home)[number]) => (h.b as { step: string }).step;
    const best = home
      .filter((h) => h.b.role === 'step' && dist.has(h.b.step))
      .sort((a, b) => dist.get(stepOf(a))! - dist.get(stepOf(b))! || b.d.cell - a.d.cell)[0];
    if (!best) {
      const other = home.find((h) => h.b.role === 'step');
      if (other && !warnedMissing.has(r.id.text)) {
        warnedMissing.add(r.id.text);
        const producer = stepOf(other);
        const { at, line } = where(r.id);
        report(
          'warning',
          'non-ancestor-read',
          at,
          `step "${step.name}" reads "${r.id.text}", defined by step "${producer}" which is not an ancestor; add the tag "prev:${producer}" to step "${step.name}"`,
          { line, variable: r.id.text, step: step.name, tag: `prev:${producer}` },
        );
      }
      continue;
    }
    const entry = inputs.get(r.id.text) ?? { from: stepOf(best), decl: best.d, usages: [] };
    entry.usages.push(r);
    inputs.set(r.id.text, entry);
  }
  for (const p of parametersViaFunctions(fnSyms)) params.add(p);
  flow.parameters = [...params].sort();
  for (const [name, input] of [...inputs].sort((a, b) => cmp(a[0], b[0]))) {
    const key = `${input.from}.${name}`;
    out.outputDecls.get(input.from)!.set(name, input.decl);
    out.consumers.set(key, [...(out.consumers.get(key) ?? []), step.name]);
    flow.inputs.push({ name, from: input.from, marshal: 'structured-clone' });
    const changed = input.usages.find((u) => u.usage !== 'read');
    if (changed) {
      const { at, line } = where(changed.id);
      report(
        'warning',
        'mutates-input',
        at,
        `step "${step.name}" ${changed.usage === 'reassign' ? 'reassigns' : 'mutates'} "${name}", received from step "${input.from}"; the change will not flow to other steps (declare a new variable instead)`,
        { line, variable: name, step: step.name },
      );
    }
  }
}

/** Distances from `name` to each of its ancestors (1 = direct dependency). */
export function ancestorDistances(name: string, graph: PipelineGraph): Map<string, number> {
  const byName = new Map(graph.steps.map((s) => [s.name, s]));
  const out = new Map<string, number>();
  let frontier = [...(byName.get(name)?.deps ?? [])];
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const n of frontier) {
      if (out.has(n) || n === name || !byName.has(n)) continue;
      out.set(n, d);
      next.push(...byName.get(n)!.deps);
    }
    frontier = next;
  }
  return out;
}
