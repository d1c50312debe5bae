/**
 * Each phase of the data-flow analysis alone (kernel-lib/src/pipeline/analysis/), on small
 * real notebooks: the real tag grammar, the real TypeScript program and checker.
 */
import path from 'node:path';
import type * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { collectDeclarations } from '../../../kernel-lib/src/pipeline/analysis/declarations.js';
import { functionsCellParameters } from '../../../kernel-lib/src/pipeline/analysis/functions-cells.js';
import { readMetrics } from '../../../kernel-lib/src/pipeline/analysis/metrics-cell.js';
import { buildNotebookProgram } from '../../../kernel-lib/src/pipeline/analysis/notebook-program.js';
import {
  assignMarshalKinds,
  warnStepSideEffectImports,
} from '../../../kernel-lib/src/pipeline/analysis/output-marshal.js';
import { readParameters } from '../../../kernel-lib/src/pipeline/analysis/parameters-cell.js';
import { prepareCells } from '../../../kernel-lib/src/pipeline/analysis/prepare-cells.js';
import { referenceFinder } from '../../../kernel-lib/src/pipeline/analysis/references.js';
import { reportSkippedReads, skipCellDeclarations } from '../../../kernel-lib/src/pipeline/analysis/skip-cells.js';
import { traceStepFlows } from '../../../kernel-lib/src/pipeline/analysis/step-flows.js';
import type { Report } from '../../../kernel-lib/src/pipeline/analysis/types.js';
import { buildPipelineGraph } from '../../../kernel-lib/src/pipeline/graph.js';
import type { NotebookCell } from '../../../kernel-lib/src/pipeline/notebook.js';
import { repoRoot } from '../../helpers/paths.js';

type Found = { severity: string; code: string; cell: number; line?: number; variable?: string; message: string };

/** A notebook of [tags, source] code cells, its graph, and a diagnostics collector. */
function notebook(...specs: [string[], string][]) {
  const cells: NotebookCell[] = specs.map(([tags, source], index) => ({ index, cellType: 'code', source, tags }));
  const graph = buildPipelineGraph(cells);
  const found: Found[] = [];
  const report: Report = (severity, code, cell, message, extra = {}) =>
    found.push({ severity, code, cell, message, ...extra });
  return { cells, graph, found, report };
}

/** Phases 1–3: prepared cells, the program, the declarations. */
function upToDeclarations(nb: ReturnType<typeof notebook>) {
  const { prepared } = prepareCells(nb.cells, nb.graph, nb.report);
  const np = buildNotebookProgram(path.join(repoRoot, 'tests', 'phases.ipynb'), prepared);
  return { np, decls: collectDeclarations(np) };
}

/** Phases 1–6. */
function upToFlows(nb: ReturnType<typeof notebook>) {
  const { np, decls } = upToDeclarations(nb);
  const { parameters, symbols: parameterSymbols } = readParameters(np, decls, nb.report);
  const finder = referenceFinder(np, decls, skipCellDeclarations(nb.cells, nb.graph));
  const parametersViaFunctions = functionsCellParameters(np, decls, finder, parameterSymbols, nb.report);
  const flows = traceStepFlows(nb.graph, {
    np,
    decls,
    finder,
    parameterSymbols,
    parametersViaFunctions,
    report: nb.report,
  });
  return { np, decls, parameters, finder, flows };
}

const codes = (found: Found[]) => found.map((f) => `${f.code}@${f.cell}${f.line ? `:${f.line}` : ''}`);

describe('analysis phase 1: prepareCells', () => {
  it('blanks magics (same line numbers), leaves out skip cells, records imports, names a syntax error’s cell', () => {
    const nb = notebook(
      [['imports'], "import * as fs from 'node:fs';\nimport 'node:path';"],
      [['step:a'], '%time\nconst x = 1;'],
      [['skip'], 'const hidden = 2;'],
      [['step:b', 'prev:a'], 'const y = (;'],
    );
    const { prepared, syntaxErrors } = prepareCells(nb.cells, nb.graph, nb.report);
    expect(prepared.map((c) => c.index)).toEqual([0, 1, 3]);
    expect(prepared[1]!.code).toBe('\nconst x = 1;');
    expect(prepared[0]!.imports.map((i) => [i.startLine, i.namespace, i.sideEffectOnly])).toEqual([
      [0, true, false],
      [1, false, true],
    ]);
    expect(syntaxErrors).toBe(true);
    expect(codes(nb.found)).toEqual(['magic@1:1', 'syntax@3:1']);
  });
});

describe('analysis phases 2–3: the notebook program and its declarations', () => {
  it('maps positions back to cells and lines; collects each top-level declaration with its kind and cell', () => {
    const nb = notebook(
      [['imports'], "import type { Readable } from 'node:stream';\nimport { join } from 'node:path';"],
      [['step:a'], 'const { p, q: [r] } = { p: 1, q: [2] };\nlet s = 3;\nfunction f() {}\nclass C {}\nenum E { A }'],
    );
    const { np, decls } = upToDeclarations(nb);
    const s = decls.inCell(1).find((d) => d.name === 's')!;
    expect(np.cellAt(s.nameNode.getStart(np.sf)).index).toBe(1);
    expect(np.lineIn(1, s.nameNode)).toBe(2);
    expect(decls.inCell(1).map((d) => `${d.name}:${d.kind}`)).toEqual([
      'p:const',
      'r:const',
      's:let',
      'f:function',
      'C:class',
      'E:enum',
    ]);
    // A type-only import binds no value.
    expect(decls.inCell(0).map((d) => `${d.name}:${d.kind}:${d.importInfo?.startLine}`)).toEqual(['join:import:1']);
    // Five statements and the `;` that ends each cell in the virtual module.
    expect(decls.statementsByCell.get(1)).toHaveLength(6);
  });
});

describe('analysis phase 4: readParameters', () => {
  it('takes literal declarations, refuses others and duplicates with the line', () => {
    const nb = notebook(
      [
        ['pipeline-parameters'],
        "const lr = 0.1;\nlet name = 'x';\nconst grid = { depth: [3, 4] };\nconst now = Date.now();\nconst lr = 2;",
      ],
      [['step:a'], 'const y = lr * 2;'],
    );
    const { np, decls } = upToDeclarations(nb);
    const { parameters, symbols } = readParameters(np, decls, nb.report);
    expect(parameters.map((p) => [p.name, p.type, p.default])).toEqual([
      ['lr', 'number', 0.1],
      ['name', 'string', 'x'],
      ['grid', 'json', { depth: [3, 4] }],
    ]);
    expect([...symbols.values()]).toEqual(['lr', 'name', 'grid']);
    expect(codes(nb.found)).toEqual(['bad-parameters-cell@0:4', 'duplicate-parameter@0:5']);
  });
});

describe('analysis phase 5: references and functions cells', () => {
  it('resolves uses to declarations and tells reads, reassignments and mutations apart', () => {
    const nb = notebook(
      [['step:a'], 'let n = 1;\nconst xs: number[] = [];\nconst o = { k: 1 };'],
      [['step:b', 'prev:a'], 'n = 2;\nxs.push(3);\no.k = 4;\nconst z = { n: o.k, xs };'],
    );
    const { np, decls } = upToDeclarations(nb);
    const finder = referenceFinder(np, decls, new Map());
    const refs = finder.refsOf(decls.statementsByCell.get(1)!);
    expect(refs.map((r) => `${r.id.text}:${r.usage}`)).toEqual([
      'n:reassign',
      'xs:mutate',
      'o:mutate',
      'o:read',
      'xs:read',
    ]);
  });

  it('gives the parameters a functions-cell declaration needs, transitively, and warns when it reads a step variable', () => {
    const nb = notebook(
      [['pipeline-parameters'], 'const scale = 2;\nconst unused = 1;'],
      [['step:a'], 'const base = 1;'],
      [
        ['functions'],
        'function times(x: number) { return x * scale; }\nfunction twice(x: number) { return times(times(x)) + base; }',
      ],
      [['step:b', 'prev:a'], 'const y = twice(3);'],
    );
    const { np, decls } = upToDeclarations(nb);
    const { symbols } = readParameters(np, decls, nb.report);
    const finder = referenceFinder(np, decls, new Map());
    const via = functionsCellParameters(np, decls, finder, symbols, nb.report);
    const twice = decls.inCell(2).find((d) => d.name === 'twice')!;
    expect([...via([np.checker.getSymbolAtLocation(twice.nameNode as ts.Identifier)!])]).toEqual(['scale']);
    expect(codes(nb.found)).toEqual(['functions-reads-step-variable@2:2']);
  });
});

describe('analysis phase 6: step flows', () => {
  it('takes an input from the nearest ancestor, borrows imports, warns about non-ancestor reads, changed inputs and skipped names', () => {
    const nb = notebook(
      [['pipeline-parameters'], 'const k = 3;'],
      [['step:a'], "import { join } from 'node:path';\nvar v: number[] = [1];"],
      // Declared again downstream (one symbol, two declarations): the nearest ancestor's wins.
      [['step:b', 'prev:a'], 'var v: number[] = [2];\nconst side = 1;'],
      [['step:c', 'prev:b'], "const w = v.map((x) => x * k);\nconst p = join('a', 'b');"],
      [['step:d', 'prev:a'], 'const u = side + 1;\nv.push(9);'],
      [['skip'], 'const debug = true;'],
      [['step:e', 'prev:a'], 'const seen = debug;'],
    );
    const { np, finder, flows } = upToFlows(nb);
    reportSkippedReads(np, finder.unresolvedSkipped, nb.report);
    const c = flows.flows.get('c')!;
    expect(c.inputs).toEqual([{ name: 'v', from: 'b', marshal: 'structured-clone' }]);
    expect(c.parameters).toEqual(['k']);
    expect(c.borrowedImports.map((i) => i.text)).toEqual(["import { join } from 'node:path';"]);
    expect([...flows.outputDecls.get('b')!.keys()]).toEqual(['v']);
    expect(flows.consumers.get('a.v')).toEqual(['d']);
    expect(codes(nb.found)).toEqual([
      'import-across-steps@3:2',
      'non-ancestor-read@4:1',
      'mutates-input@4:2',
      'skipped-read@6:1',
    ]);
  });
});

describe('analysis phases 7–8: metrics and marshal kinds', () => {
  it('reads metric cells against the steps above, then marks outputs that cannot cross and aliases', () => {
    const nb = notebook(
      [
        ['step:a'],
        "import 'node:os';\nconst rmse: number = 0.5;\nconst label = 'x';\nconst xs: number[] = [1];\nconst ys = xs;\nfunction f() { return 1; }",
      ],
      [['step:b', 'prev:a'], 'const n = xs.length + ys.length + f();'],
      [['pipeline-metrics'], 'rmse\nconsole.log(label)\nmissing\n1 + 1'],
    );
    const { np, decls, flows } = upToFlows(nb);
    const metrics = readMetrics(np, decls, flows.flows, nb.report);
    expect(metrics).toEqual([{ name: 'rmse', step: 'a' }]);
    expect(flows.flows.get('a')!.metrics).toEqual(['rmse']);
    assignMarshalKinds(np, flows, nb.report);
    warnStepSideEffectImports(np.cells, nb.report);
    expect(flows.flows.get('a')!.outputs.map((o) => `${o.name}:${o.marshal}`)).toEqual([
      'f:structured-clone',
      'xs:structured-clone',
      'ys:structured-clone',
    ]);
    expect(codes(nb.found)).toEqual([
      'bad-metrics-cell@2:2',
      'unknown-metric@2:3',
      'bad-metrics-cell@2:4',
      'unmarshallable@0:6',
      'aliasing@0:5',
      'import-across-steps@0:1',
    ]);
  });
});
