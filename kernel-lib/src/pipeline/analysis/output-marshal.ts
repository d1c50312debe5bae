/**
 * Phase 8: how each step output crosses to its consumers (Arrow IPC, table reference,
 * model bytes, structured clone — from its type), what cannot cross at all, and the
 * pitfalls: untyped outputs, aliases of other outputs, side-effect imports in step cells.
 */
import { classifyType } from '../marshal-kind.js';
import type { MarshalKind } from '../spec.js';
import { tsc } from '../typescript.js';
import type { NotebookProgram } from './notebook-program.js';
import type { StepFlows } from './step-flows.js';
import { cmp, firstLine, type PreparedCell, type Report, type TopDecl } from './types.js';

export function assignMarshalKinds(
  np: NotebookProgram,
  { flows, outputDecls, consumers }: StepFlows,
  report: Report,
): void {
  for (const [stepName, outs] of outputDecls) {
    const flow = flows.get(stepName)!;
    for (const [name, decl] of [...outs].sort((a, b) => cmp(a[0], b[0]))) {
      const users = consumers.get(`${stepName}.${name}`) ?? [];
      const kind = marshalKindOf(np, decl, stepName, users, report);
      flow.outputs.push({ name, marshal: kind });
      for (const u of users)
        for (const i of flows.get(u)!.inputs) if (i.name === name && i.from === stepName) i.marshal = kind;
      // Aliasing: `const b = a` where `a` also crosses a step boundary.
      const init = tsc.isVariableDeclaration(decl.nameNode.parent) ? decl.nameNode.parent.initializer : undefined;
      if (init && tsc.isIdentifier(init) && (outs.has(init.text) || flow.inputs.some((i) => i.name === init.text)))
        report(
          'warning',
          'aliasing',
          decl.cell,
          `"${name}" aliases "${init.text}" in step "${stepName}"; downstream steps receive separate copies, so a change through one name is not seen through the other`,
          { line: np.lineIn(decl.cell, decl.nameNode), variable: name, step: stepName },
        );
    }
  }
}

function marshalKindOf(
  np: NotebookProgram,
  decl: TopDecl,
  stepName: string,
  users: string[],
  report: Report,
): MarshalKind {
  const name = decl.name;
  const where = { line: np.lineIn(decl.cell, decl.nameNode), variable: name, step: stepName };
  const usedBy = `is used by step ${users.map((u) => `"${u}"`).join(', ')}`;
  const elsewhere = `recompute it in ${users.length > 1 ? 'those steps' : 'that step'}`;
  if (decl.kind === 'function' || decl.kind === 'class' || decl.kind === 'enum') {
    const message = `${decl.kind} "${name}" of step "${stepName}" ${usedBy}, but a ${decl.kind} cannot be passed between steps; move it into a functions cell or ${elsewhere}`;
    report('error', 'unmarshallable', decl.cell, message, where);
    return 'structured-clone';
  }
  const verdict = classifyType(np.checker, np.program, np.checker.getTypeAtLocation(decl.nameNode));
  if (!verdict.ok) {
    const message = `variable "${name}" of step "${stepName}" ${usedBy}, but it ${verdict.reason}, so it cannot be passed between steps; move the code into a functions cell or ${elsewhere}`;
    report('error', 'unmarshallable', decl.cell, message, where);
    return 'structured-clone';
  }
  if (verdict.untyped) {
    const message = `variable "${name}" of step "${stepName}" has type any/unknown; it is passed by structured clone, which fails at run time if it holds functions or class instances (add a type annotation)`;
    report('warning', 'untyped-variable', decl.cell, message, where);
  }
  return verdict.kind;
}

/** Side-effect imports inside step cells only run in that step. */
export function warnStepSideEffectImports(cells: readonly PreparedCell[], report: Report): void {
  for (const c of cells.filter((p) => p.block.role === 'step'))
    for (const imp of c.imports.filter((i) => i.sideEffectOnly))
      report(
        'warning',
        'import-across-steps',
        c.index,
        `side-effect import "${firstLine(imp.text)}" runs only in step "${(c.block as { step: string }).step}"; move it to an imports cell if other steps rely on it`,
        { line: imp.startLine + 1 },
      );
}
