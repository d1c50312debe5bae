/**
 * Data-flow analysis (Kale's "dependency analysis" stage, with a real type
 * checker). For each step: the free identifiers it reads that are top-level
 * declarations of an ancestor step become its inputs (nearest ancestor wins)
 * and that ancestor's outputs; names from imports/functions/parameters cells
 * are re-included or injected; outputs get a marshal kind from their type.
 * Also validates parameters and metrics cells and warns about known pitfalls.
 */
import path from 'node:path';
import type * as ts from 'typescript';
import { tsc } from './typescript.js';
import { cellDiagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import type { CellBlock, PipelineGraph } from './graph.js';
import { classifyType } from './marshal-kind.js';
import type { NotebookCell } from './notebook.js';
import { createNotebookProgram } from './program.js';
import type { JsonValue, MarshalKind, ParameterType, PipelineMetric, PipelineParameter } from './spec.js';
import { throwOperands } from './throw-sites.js';
import type { Span } from './throw-wrap.js';

/** A code cell taking part in the pipeline, with its magics blanked out. */
export interface PreparedCell {
  index: number;
  block: CellBlock;
  /** The original source (for source maps' sourcesContent). */
  source: string;
  /** Source with `%magic` lines replaced by blank lines (same line numbers). */
  code: string;
  /** Top-level import declarations: 0-based start/end lines within the cell and the text. */
  imports: ImportInfo[];
  /** Operands of `throw` statements that may throw a non-Error (wrapped by codegen to record a stack). */
  throwOperands?: Span[];
}

export interface ImportInfo {
  cell: number;
  startLine: number;
  endLine: number;
  /** [start, end) character offsets within the cell's code. */
  start: number;
  end: number;
  text: string;
  sideEffectOnly: boolean;
  namespace: boolean;
}

export interface StepFlow {
  name: string;
  inputs: { name: string; from: string; marshal: MarshalKind }[];
  outputs: { name: string; marshal: MarshalKind }[];
  parameters: string[];
  metrics: string[];
  /** Import declarations from other steps' cells this step relies on (re-included). */
  borrowedImports: ImportInfo[];
}

export interface Analysis {
  cells: PreparedCell[];
  steps: StepFlow[];
  parameters: PipelineParameter[];
  metrics: PipelineMetric[];
  diagnostics: Diagnostic[];
}

type DeclKind = 'let' | 'const' | 'var' | 'function' | 'class' | 'enum' | 'import';

interface TopDecl {
  name: string;
  cell: number;
  kind: DeclKind;
  nameNode: ts.Node;
  statement: ts.Statement;
  importInfo?: ImportInfo;
}

type Usage = 'read' | 'reassign' | 'mutate';

const MUTATORS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'delete',
  'add',
  'clear',
]);
const MAGIC_LINE = /^[ \t]*%/;
const VIRTUAL_NAME = '__stillwater_notebook__.ts';

/**
 * `onProgram` is given the TypeScript program the analysis used (not called when
 * syntax errors stop it before one is built): the analysis cache records the files
 * it read.
 */
export function analyzeNotebook(
  notebookPath: string,
  cells: readonly NotebookCell[],
  graph: PipelineGraph,
  onProgram?: (program: ts.Program, virtualPath: string) => void,
): Analysis {
  const diagnostics: Diagnostic[] = [];
  const diag = (
    severity: 'error' | 'warning',
    code: DiagnosticCode,
    cell: number,
    message: string,
    extra: Partial<Pick<Diagnostic, 'line' | 'tag' | 'step' | 'variable'>> = {},
  ) => diagnostics.push(cellDiagnostic(severity, code, { index: cell, source: cells[cell]!.source }, message, extra));

  // 1. Cells that take part, magics blanked, each parsed alone for syntax errors.
  const prepared: PreparedCell[] = [];
  let syntaxErrors = false;
  for (const cell of cells) {
    const block = graph.cells[cell.index]!;
    if (block.role === 'ignored' || block.role === 'skip') continue;
    const lines = cell.source.split('\n');
    const code = lines
      .map((l, i) => {
        if (!MAGIC_LINE.test(l)) return l;
        diag('warning', 'magic', cell.index, `tslab magic "${l.trim()}" is ignored in the pipeline`, { line: i + 1 });
        return '';
      })
      .join('\n');
    const sf = tsc.createSourceFile(`cell-${cell.index}.ts`, code, tsc.ScriptTarget.ES2022, true, tsc.ScriptKind.TS);
    const parseErrors = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics;
    for (const d of parseErrors.slice(0, 1)) {
      syntaxErrors = true;
      diag('error', 'syntax', cell.index, `syntax error: ${tsc.flattenDiagnosticMessageText(d.messageText, ' ')}`, {
        line: sf.getLineAndCharacterOfPosition(d.start).line + 1,
      });
    }
    const imports: ImportInfo[] = [];
    for (const st of sf.statements) {
      if (!tsc.isImportDeclaration(st) && !tsc.isImportEqualsDeclaration(st)) continue;
      const start = st.getStart(sf);
      const clause = tsc.isImportDeclaration(st) ? st.importClause : undefined;
      imports.push({
        cell: cell.index,
        startLine: sf.getLineAndCharacterOfPosition(start).line,
        endLine: sf.getLineAndCharacterOfPosition(st.end).line,
        start,
        end: st.end,
        text: code.slice(start, st.end),
        sideEffectOnly: tsc.isImportDeclaration(st) && !clause,
        namespace: !!clause?.namedBindings && tsc.isNamespaceImport(clause.namedBindings),
      });
    }
    prepared.push({ index: cell.index, block, source: cell.source, code, imports, throwOperands: throwOperands(sf) });
  }
  const empty: Analysis = { cells: prepared, steps: [], parameters: [], metrics: [], diagnostics };
  if (syntaxErrors) return empty;

  // Names declared only in skip cells: they exist in a top-to-bottom tslab run but not in the pipeline.
  const skippedNames = new Map<string, number>();
  for (const cell of cells) {
    if (graph.cells[cell.index]?.role !== 'skip' || cell.cellType !== 'code') continue;
    const skipSf = tsc.createSourceFile('skip.ts', cell.source.replace(/^[ \t]*%.*$/gm, ''), tsc.ScriptTarget.ES2022);
    for (const st of skipSf.statements) {
      const names: string[] = [];
      if (tsc.isVariableStatement(st))
        for (const d of st.declarationList.declarations) names.push(...bindingNames(d.name).map((i) => i.text));
      else if ((tsc.isFunctionDeclaration(st) || tsc.isClassDeclaration(st)) && st.name) names.push(st.name.text);
      for (const n of names) if (!skippedNames.has(n)) skippedNames.set(n, cell.index);
    }
  }
  const unresolvedSkipped: { id: ts.Identifier; skipCell: number }[] = [];

  // 2. One virtual module, one program, one checker.
  const cellStart = new Map<number, { offset: number; line: number }>();
  let text = '';
  let lineNo = 0;
  for (const c of prepared) {
    cellStart.set(c.index, { offset: text.length, line: lineNo });
    text += `${c.code}\n;\n`;
    lineNo += c.code.split('\n').length + 1;
  }
  const virtualPath = path.join(path.dirname(path.resolve(notebookPath)), VIRTUAL_NAME);
  const program = createNotebookProgram(virtualPath, text);
  onProgram?.(program, virtualPath);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(virtualPath)!;
  const offsets = prepared.map((c) => cellStart.get(c.index)!.offset);
  const cellAt = (pos: number): PreparedCell => {
    let lo = 0;
    let hi = offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return prepared[lo]!;
  };
  const lineIn = (cell: number, node: ts.Node) =>
    sf.getLineAndCharacterOfPosition(node.getStart(sf)).line - cellStart.get(cell)!.line + 1;
  const blockOf = (cell: number) => prepared.find((c) => c.index === cell)!.block;

  // 3. Top-level declarations and which cell holds each.
  const decls = new Map<ts.Symbol, TopDecl[]>();
  const statementsByCell = new Map<number, ts.Statement[]>();
  const addDecl = (
    nameNode: ts.Identifier,
    st: ts.Statement,
    kind: DeclKind,
    cell: number,
    importInfo?: ImportInfo,
  ) => {
    const sym = checker.getSymbolAtLocation(nameNode);
    if (!sym) return;
    const list = decls.get(sym) ?? [];
    list.push({ name: nameNode.text, cell, kind, nameNode, statement: st, ...(importInfo ? { importInfo } : {}) });
    decls.set(sym, list);
  };
  for (const st of sf.statements) {
    const cell = cellAt(st.getStart(sf));
    const list = statementsByCell.get(cell.index) ?? [];
    list.push(st);
    statementsByCell.set(cell.index, list);
    if (tsc.isVariableStatement(st)) {
      const flags = st.declarationList.flags;
      const kind: DeclKind = flags & tsc.NodeFlags.Const ? 'const' : flags & tsc.NodeFlags.Let ? 'let' : 'var';
      for (const d of st.declarationList.declarations)
        for (const id of bindingNames(d.name)) addDecl(id, st, kind, cell.index);
    } else if ((tsc.isFunctionDeclaration(st) || tsc.isClassDeclaration(st)) && st.name) {
      addDecl(st.name, st, tsc.isFunctionDeclaration(st) ? 'function' : 'class', cell.index);
    } else if (tsc.isEnumDeclaration(st)) {
      addDecl(st.name, st, 'enum', cell.index);
    } else if (tsc.isImportDeclaration(st) || tsc.isImportEqualsDeclaration(st)) {
      const relStart = st.getStart(sf) - cellStart.get(cell.index)!.offset;
      const info = cell.imports.find((i) => i.start === relStart);
      const names: ts.Identifier[] = [];
      if (tsc.isImportEqualsDeclaration(st)) names.push(st.name);
      else if (st.importClause && !st.importClause.isTypeOnly) {
        if (st.importClause.name) names.push(st.importClause.name);
        const nb = st.importClause.namedBindings;
        if (nb && tsc.isNamespaceImport(nb)) names.push(nb.name);
        if (nb && tsc.isNamedImports(nb)) for (const el of nb.elements) if (!el.isTypeOnly) names.push(el.name);
      }
      for (const n of names) addDecl(n, st, 'import', cell.index, info);
    }
  }
  const declsInCell = (cell: number) => [...decls.values()].flat().filter((d) => d.cell === cell);

  // 4. Parameters cells: literal const/let declarations only.
  const parameters: PipelineParameter[] = [];
  const paramSymbols = new Map<ts.Symbol, string>();
  for (const c of prepared.filter((p) => p.block.role === 'parameters')) {
    for (const st of statementsByCell.get(c.index) ?? []) {
      if (tsc.isEmptyStatement(st)) continue;
      const bad = (why: string, node: ts.Node = st) =>
        diag('error', 'bad-parameters-cell', c.index, `pipeline-parameters cell: ${why}`, {
          line: lineIn(c.index, node),
        });
      if (!tsc.isVariableStatement(st) || !(st.declarationList.flags & (tsc.NodeFlags.Const | tsc.NodeFlags.Let))) {
        bad(`only literal const/let declarations are allowed, found "${firstLine(st.getText(sf))}"`);
        continue;
      }
      for (const d of st.declarationList.declarations) {
        if (!tsc.isIdentifier(d.name)) {
          bad('destructuring is not allowed; declare one parameter per name', d);
          continue;
        }
        const pname = d.name.text;
        const value = d.initializer ? literalValue(d.initializer) : undefined;
        if (!value) {
          bad(
            `parameter "${pname}" must be initialised with a literal (number, string, boolean, null, array or object of literals)`,
            d,
          );
          continue;
        }
        if (parameters.some((p) => p.name === pname)) {
          diag('error', 'duplicate-parameter', c.index, `parameter "${pname}" is declared twice`, {
            line: lineIn(c.index, d),
            variable: pname,
          });
          continue;
        }
        parameters.push({ name: d.name.text, type: value.type, default: value.value, cell: c.index });
        const sym = checker.getSymbolAtLocation(d.name);
        if (sym) paramSymbols.set(sym, d.name.text);
      }
    }
  }

  // 5. References of every statement, resolved to top-level declarations.
  interface Ref {
    sym: ts.Symbol;
    id: ts.Identifier;
    usage: Usage;
  }
  const refsOf = (nodes: readonly ts.Node[]): Ref[] => {
    const out: Ref[] = [];
    const visit = (n: ts.Node): void => {
      if (tsc.isImportDeclaration(n) || tsc.isImportEqualsDeclaration(n)) return;
      if (tsc.isInterfaceDeclaration(n) || tsc.isTypeAliasDeclaration(n)) return;
      if (tsc.isHeritageClause(n)) {
        if (n.token === tsc.SyntaxKind.ExtendsKeyword && tsc.isClassLike(n.parent))
          for (const t of n.types) visit(t.expression);
        return;
      }
      if (tsc.isTypeNode(n) && !tsc.isExpressionWithTypeArguments(n)) return;
      if (tsc.isIdentifier(n)) {
        const p = n.parent;
        if (tsc.isPropertyAccessExpression(p) && p.name === n) return;
        if ((tsc.isPropertyAssignment(p) || tsc.isMethodDeclaration(p) || tsc.isPropertyDeclaration(p)) && p.name === n)
          return;
        const sym = tsc.isShorthandPropertyAssignment(p)
          ? checker.getShorthandAssignmentValueSymbol(p)
          : checker.getSymbolAtLocation(n);
        const ds = sym ? decls.get(sym) : undefined;
        if (sym && ds && !ds.some((d) => d.nameNode === n)) out.push({ sym, id: n, usage: usageOf(n) });
        else if (!sym && skippedNames.has(n.text))
          unresolvedSkipped.push({ id: n, skipCell: skippedNames.get(n.text)! });
        return;
      }
      tsc.forEachChild(n, visit);
    };
    for (const n of nodes) visit(n);
    return out;
  };

  // Functions cells: which parameters (transitively) each declaration needs.
  const functionsCells = prepared.filter((p) => p.block.role === 'functions');
  const fnRefs = new Map<ts.Symbol, Ref[]>();
  const globalFnRefs: Ref[] = [];
  for (const c of functionsCells) {
    for (const st of statementsByCell.get(c.index) ?? []) {
      const refs = refsOf([st]);
      const declared = declsInCell(c.index).filter((d) => d.statement === st);
      if (declared.length === 0) globalFnRefs.push(...refs);
      for (const d of declared) {
        const sym = checker.getSymbolAtLocation(d.nameNode as ts.Identifier);
        if (sym) fnRefs.set(sym, refs);
      }
      for (const r of refs) {
        const from = decls.get(r.sym)![0]!;
        const b = blockOf(from.cell);
        if (b.role === 'step')
          diag(
            'warning',
            'functions-reads-step-variable',
            c.index,
            `functions cell reads "${r.id.text}", a variable of step "${b.step}"; it is not available in other steps — pass it as an argument`,
            { line: lineIn(c.index, r.id), variable: r.id.text },
          );
      }
    }
  }
  const paramsViaFunctions = (syms: Iterable<ts.Symbol>): Set<string> => {
    const out = new Set<string>();
    const seen = new Set<ts.Symbol>();
    const todo = [...syms];
    for (const r of globalFnRefs) todo.push(r.sym);
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const p = paramSymbols.get(s);
      if (p) out.add(p);
      for (const r of fnRefs.get(s) ?? []) todo.push(r.sym);
    }
    return out;
  };

  // 6. Per step: inputs, parameters, borrowed imports; outputs of producers.
  const stepNames = graph.steps.map((s) => s.name);
  const distances = new Map(stepNames.map((n) => [n, ancestorDistances(n, graph)]));
  const flows = new Map<string, StepFlow>(
    stepNames.map((n) => [n, { name: n, inputs: [], outputs: [], parameters: [], metrics: [], borrowedImports: [] }]),
  );
  const outputDecls = new Map<string, Map<string, TopDecl>>(stepNames.map((n) => [n, new Map()]));
  const consumers = new Map<string, string[]>();
  for (const step of graph.steps) {
    const flow = flows.get(step.name)!;
    const stepStatements = step.cells.flatMap((i) => statementsByCell.get(i) ?? []);
    const refs = refsOf(stepStatements);
    const own = new Set(step.cells);
    const params = new Set<string>();
    const fnSyms: ts.Symbol[] = [];
    const inputs = new Map<string, { from: string; decl: TopDecl; usages: Ref[] }>();
    const warnedMissing = new Set<string>();
    const dist = distances.get(step.name)!;
    for (const r of refs) {
      const ds = decls.get(r.sym)!;
      if (ds.some((d) => own.has(d.cell))) continue;
      const param = paramSymbols.get(r.sym);
      if (param) {
        params.add(param);
        continue;
      }
      const home = ds.map((d) => ({ d, b: blockOf(d.cell) }));
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
          const at = cellAt(r.id.getStart(sf)).index;
          diag(
            'warning',
            'import-across-steps',
            at,
            `step "${step.name}" uses "${r.id.text}", imported in cell ${info.cell} of another step; the import is re-included, but move it to an imports cell`,
            { line: lineIn(at, r.id), variable: r.id.text, step: step.name },
          );
        }
        continue;
      }
      const candidates = home
        .filter((h) => h.b.role === 'step' && dist.has(h.b.step))
        .sort(
          (a, b) =>
            dist.get((a.b as { step: string }).step)! - dist.get((b.b as { step: string }).step)! ||
            b.d.cell - a.d.cell,
        );
      const best = candidates[0];
      if (!best) {
        const other = home.find((h) => h.b.role === 'step');
        if (other && !warnedMissing.has(r.id.text)) {
          warnedMissing.add(r.id.text);
          const producer = (other.b as { step: string }).step;
          const at = cellAt(r.id.getStart(sf)).index;
          diag(
            'warning',
            'non-ancestor-read',
            at,
            `step "${step.name}" reads "${r.id.text}", defined by step "${producer}" which is not an ancestor; add the tag "prev:${producer}" to step "${step.name}"`,
            { line: lineIn(at, r.id), variable: r.id.text, step: step.name, tag: `prev:${producer}` },
          );
        }
        continue;
      }
      const from = (best.b as { step: string }).step;
      const entry = inputs.get(r.id.text) ?? { from, decl: best.d, usages: [] };
      entry.usages.push(r);
      inputs.set(r.id.text, entry);
    }
    for (const p of paramsViaFunctions(fnSyms)) params.add(p);
    flow.parameters = [...params].sort();
    for (const [name, input] of [...inputs].sort((a, b) => cmp(a[0], b[0]))) {
      outputDecls.get(input.from)!.set(name, input.decl);
      consumers.set(`${input.from}.${name}`, [...(consumers.get(`${input.from}.${name}`) ?? []), step.name]);
      flow.inputs.push({ name, from: input.from, marshal: 'structured-clone' });
      const changed = input.usages.find((u) => u.usage !== 'read');
      if (changed) {
        const at = cellAt(changed.id.getStart(sf)).index;
        diag(
          'warning',
          'mutates-input',
          at,
          `step "${step.name}" ${changed.usage === 'reassign' ? 'reassigns' : 'mutates'} "${name}", received from step "${input.from}"; the change will not flow to other steps (declare a new variable instead)`,
          { line: lineIn(at, changed.id), variable: name, step: step.name },
        );
      }
    }
  }

  // Reads of names that only skip cells declare (reported once per step and name).
  const reportedSkipped = new Set<string>();
  for (const { id, skipCell } of unresolvedSkipped) {
    const at = cellAt(id.getStart(sf));
    const key = `${at.index}:${id.text}`;
    if (reportedSkipped.has(key) || at.block.role !== 'step') continue;
    reportedSkipped.add(key);
    diag(
      'warning',
      'skipped-read',
      at.index,
      `step "${at.block.step}" reads "${id.text}", which only skip cell ${skipCell} declares; it is undefined when the pipeline runs (move the declaration into a step)`,
      { line: lineIn(at.index, id), variable: id.text, step: at.block.step },
    );
  }

  // 7. Metrics cells: bare identifiers or console.log(identifier, …).
  const metrics: PipelineMetric[] = [];
  for (const c of prepared.filter((p) => p.block.role === 'metrics')) {
    for (const st of statementsByCell.get(c.index) ?? []) {
      if (tsc.isEmptyStatement(st)) continue;
      const ids = metricIdentifiers(st);
      if (!ids) {
        diag(
          'error',
          'bad-metrics-cell',
          c.index,
          `pipeline-metrics cell: only metric names (a variable, or console.log(variable)) are allowed, found "${firstLine(st.getText(sf))}"`,
          { line: lineIn(c.index, st) },
        );
        continue;
      }
      for (const id of ids) {
        const sym = checker.getSymbolAtLocation(id);
        const producer = (sym ? (decls.get(sym) ?? []) : [])
          .filter((d) => d.cell < c.index && blockOf(d.cell).role === 'step')
          .sort((a, b) => b.cell - a.cell)[0];
        if (!producer) {
          diag(
            'error',
            'unknown-metric',
            c.index,
            `metric "${id.text}" is not a top-level variable of any step above this cell`,
            { line: lineIn(c.index, id), variable: id.text },
          );
          continue;
        }
        const step = (blockOf(producer.cell) as { step: string }).step;
        const t = checker.getTypeAtLocation(producer.nameNode);
        if (!isMetricType(t)) {
          diag(
            'error',
            'bad-metrics-cell',
            c.index,
            `metric "${id.text}" of step "${step}" has type ${checker.typeToString(t)}; metrics must be numbers`,
            { line: lineIn(c.index, id), variable: id.text },
          );
          continue;
        }
        if (metrics.some((m) => m.name === id.text)) continue;
        metrics.push({ name: id.text, step });
        flows.get(step)!.metrics.push(id.text);
      }
    }
  }

  // 8. Marshal kinds of outputs (and the inputs that receive them); pitfalls.
  for (const [stepName, outs] of outputDecls) {
    const flow = flows.get(stepName)!;
    for (const [name, decl] of [...outs].sort((a, b) => cmp(a[0], b[0]))) {
      const users = consumers.get(`${stepName}.${name}`) ?? [];
      let kind: MarshalKind = 'structured-clone';
      if (decl.kind === 'function' || decl.kind === 'class' || decl.kind === 'enum') {
        diag(
          'error',
          'unmarshallable',
          decl.cell,
          `${decl.kind} "${name}" of step "${stepName}" is used by step ${users.map((u) => `"${u}"`).join(', ')}, but a ${decl.kind} cannot be passed between steps; move it into a functions cell or recompute it in ${users.length > 1 ? 'those steps' : 'that step'}`,
          { line: lineIn(decl.cell, decl.nameNode), variable: name, step: stepName },
        );
      } else {
        const verdict = classifyType(checker, program, checker.getTypeAtLocation(decl.nameNode));
        if (!verdict.ok) {
          diag(
            'error',
            'unmarshallable',
            decl.cell,
            `variable "${name}" of step "${stepName}" is used by step ${users.map((u) => `"${u}"`).join(', ')}, but it ${verdict.reason}, so it cannot be passed between steps; move the code into a functions cell or recompute it in ${users.length > 1 ? 'those steps' : 'that step'}`,
            { line: lineIn(decl.cell, decl.nameNode), variable: name, step: stepName },
          );
        } else {
          kind = verdict.kind;
          if (verdict.untyped)
            diag(
              'warning',
              'untyped-variable',
              decl.cell,
              `variable "${name}" of step "${stepName}" has type any/unknown; it is passed by structured clone, which fails at run time if it holds functions or class instances (add a type annotation)`,
              { line: lineIn(decl.cell, decl.nameNode), variable: name, step: stepName },
            );
        }
      }
      flow.outputs.push({ name, marshal: kind });
      for (const u of users)
        for (const i of flows.get(u)!.inputs) if (i.name === name && i.from === stepName) i.marshal = kind;
      // Aliasing: `const b = a` where `a` also crosses a step boundary.
      const init = tsc.isVariableDeclaration(decl.nameNode.parent) ? decl.nameNode.parent.initializer : undefined;
      if (init && tsc.isIdentifier(init) && (outs.has(init.text) || flow.inputs.some((i) => i.name === init.text)))
        diag(
          'warning',
          'aliasing',
          decl.cell,
          `"${name}" aliases "${init.text}" in step "${stepName}"; downstream steps receive separate copies, so a change through one name is not seen through the other`,
          { line: lineIn(decl.cell, decl.nameNode), variable: name, step: stepName },
        );
    }
  }
  // Side-effect imports inside step cells only run in that step.
  for (const c of prepared.filter((p) => p.block.role === 'step'))
    for (const imp of c.imports.filter((i) => i.sideEffectOnly))
      diag(
        'warning',
        'import-across-steps',
        c.index,
        `side-effect import "${firstLine(imp.text)}" runs only in step "${(c.block as { step: string }).step}"; move it to an imports cell if other steps rely on it`,
        { line: imp.startLine + 1 },
      );

  return { cells: prepared, steps: stepNames.map((n) => flows.get(n)!), parameters, metrics, diagnostics };
}

function bindingNames(name: ts.BindingName): ts.Identifier[] {
  if (tsc.isIdentifier(name)) return [name];
  const out: ts.Identifier[] = [];
  for (const el of name.elements) if (!tsc.isOmittedExpression(el)) out.push(...bindingNames(el.name));
  return out;
}

function usageOf(id: ts.Identifier): Usage {
  const p = id.parent;
  if (tsc.isBinaryExpression(p) && p.left === id && isAssignment(p.operatorToken.kind)) return 'reassign';
  if ((tsc.isPrefixUnaryExpression(p) || tsc.isPostfixUnaryExpression(p)) && isIncDec(p.operator)) return 'reassign';
  // Walk up a member chain rooted at id: a.b[c].d
  let n: ts.Node = id;
  while (
    (tsc.isPropertyAccessExpression(n.parent) || tsc.isElementAccessExpression(n.parent)) &&
    n.parent.expression === n
  ) {
    const member = n.parent;
    const up = member.parent;
    if (tsc.isBinaryExpression(up) && up.left === member && isAssignment(up.operatorToken.kind)) return 'mutate';
    if ((tsc.isPrefixUnaryExpression(up) || tsc.isPostfixUnaryExpression(up)) && isIncDec(up.operator)) return 'mutate';
    if (tsc.isDeleteExpression(up)) return 'mutate';
    if (
      tsc.isCallExpression(up) &&
      up.expression === member &&
      tsc.isPropertyAccessExpression(member) &&
      MUTATORS.has(member.name.text)
    )
      return 'mutate';
    n = member;
  }
  return 'read';
}

function isAssignment(k: ts.SyntaxKind): boolean {
  return k >= tsc.SyntaxKind.FirstAssignment && k <= tsc.SyntaxKind.LastAssignment;
}
function isIncDec(op: ts.SyntaxKind): boolean {
  return op === tsc.SyntaxKind.PlusPlusToken || op === tsc.SyntaxKind.MinusMinusToken;
}

/** Distances from `name` to each of its ancestors (1 = direct dependency). */
function ancestorDistances(name: string, graph: PipelineGraph): Map<string, number> {
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

/** The JSON value and parameter type of a literal initializer, or undefined. */
export function literalValue(e: ts.Expression): { type: ParameterType; value: JsonValue } | undefined {
  const v = jsonLiteral(e);
  if (v === undefined) return undefined;
  const type: ParameterType =
    typeof v.value === 'number'
      ? 'number'
      : typeof v.value === 'string'
        ? 'string'
        : typeof v.value === 'boolean'
          ? 'boolean'
          : 'json';
  return { type, value: v.value };
}

function jsonLiteral(e: ts.Expression): { value: JsonValue } | undefined {
  while (tsc.isParenthesizedExpression(e) || tsc.isAsExpression(e) || tsc.isSatisfiesExpression(e)) e = e.expression;
  if (tsc.isNumericLiteral(e)) return { value: Number(e.text) };
  if (tsc.isPrefixUnaryExpression(e) && tsc.isNumericLiteral(e.operand)) {
    if (e.operator === tsc.SyntaxKind.MinusToken) return { value: -Number(e.operand.text) };
    if (e.operator === tsc.SyntaxKind.PlusToken) return { value: Number(e.operand.text) };
    return undefined;
  }
  if (tsc.isStringLiteral(e) || tsc.isNoSubstitutionTemplateLiteral(e)) return { value: e.text };
  if (e.kind === tsc.SyntaxKind.TrueKeyword) return { value: true };
  if (e.kind === tsc.SyntaxKind.FalseKeyword) return { value: false };
  if (e.kind === tsc.SyntaxKind.NullKeyword) return { value: null };
  if (tsc.isArrayLiteralExpression(e)) {
    const out: JsonValue[] = [];
    for (const el of e.elements) {
      const v = jsonLiteral(el);
      if (!v) return undefined;
      out.push(v.value);
    }
    return { value: out };
  }
  if (tsc.isObjectLiteralExpression(e)) {
    const out: Record<string, JsonValue> = {};
    for (const p of e.properties) {
      if (!tsc.isPropertyAssignment(p)) return undefined;
      const key =
        tsc.isIdentifier(p.name) || tsc.isStringLiteral(p.name) || tsc.isNumericLiteral(p.name)
          ? p.name.text
          : undefined;
      const v = key === undefined ? undefined : jsonLiteral(p.initializer);
      if (!v || key === undefined) return undefined;
      out[key] = v.value;
    }
    return { value: out };
  }
  return undefined;
}

/** Identifiers named by a metrics statement (`rmse`, `console.log(rmse, mae)`), or undefined if it is not one. */
function metricIdentifiers(st: ts.Statement): ts.Identifier[] | undefined {
  if (!tsc.isExpressionStatement(st)) return undefined;
  const e = st.expression;
  if (tsc.isIdentifier(e)) return [e];
  if (
    tsc.isCallExpression(e) &&
    tsc.isPropertyAccessExpression(e.expression) &&
    tsc.isIdentifier(e.expression.expression) &&
    e.expression.expression.text === 'console' &&
    e.expression.name.text === 'log' &&
    e.arguments.length > 0 &&
    e.arguments.every(tsc.isIdentifier)
  )
    return [...e.arguments] as ts.Identifier[];
  return undefined;
}

function firstLine(s: string): string {
  const l = s.split('\n')[0]!.trim();
  return l.length > 60 ? `${l.slice(0, 57)}...` : l;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numbers and booleans (1/0), also as unions of literals such as `1 | 0`; any/unknown are checked at run time. */
function isMetricType(t: ts.Type): boolean {
  if (t.isUnion()) return t.types.every(isMetricType);
  return (
    (t.flags & (tsc.TypeFlags.NumberLike | tsc.TypeFlags.BooleanLike | tsc.TypeFlags.Any | tsc.TypeFlags.Unknown)) !== 0
  );
}
