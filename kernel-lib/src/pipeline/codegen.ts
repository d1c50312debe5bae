/**
 * Generates the TypeScript entry of one step bundle (Kale's "template" stage):
 * imports hoisted to the top, then `runStep(meta, import.meta.url, async (__sw) => { … })`
 * whose body injects parameters, re-includes imports/functions cells, reads
 * inputs, runs the step's cells verbatim and returns its outputs and metrics.
 * Cell lines are copied with their columns, and an inline source map points
 * each back to its cell.
 */
import type { Analysis, ImportInfo, PreparedCell, StepFlow } from './analysis.js';
import type { GraphStep } from './graph.js';
import type { StepMeta } from './runtime/args.js';
import { buildEntrySourceMap, type LineOrigin } from './source-map.js';
import type { PipelineParameter } from './spec.js';
import { THROWN_FN, wrapThrowOperands } from './throw-wrap.js';

/** The module id the generated entry imports the runtime from (resolved by the bundler). */
export const RUNTIME_MODULE = 'stillwater:runtime';

export interface StepEntry {
  name: string;
  /** TypeScript source, ending in an inline source map comment. */
  source: string;
  /** Where each line of `source` came from (for mapping esbuild errors). */
  origins: (LineOrigin | null)[];
  meta: StepMeta;
}

export function generateStepEntry(
  step: GraphStep,
  flow: StepFlow,
  analysis: Analysis,
  parameters: readonly PipelineParameter[],
  /** The notebook as source maps name it: relative to the bundle's folder. */
  notebookName: string,
): StepEntry {
  const lines: string[] = [];
  const origins: (LineOrigin | null)[] = [];
  const gen = (text: string) => {
    lines.push(text);
    origins.push(null);
  };
  const byIndex = new Map(analysis.cells.map((c) => [c.index, c]));
  const shared = analysis.cells.filter((c) => c.block.role === 'imports' || c.block.role === 'functions');
  const own = step.cells.map((i) => byIndex.get(i)).filter((c): c is PreparedCell => !!c);

  gen(`import { runStep as __sw_runStep, thrown as ${THROWN_FN} } from ${JSON.stringify(RUNTIME_MODULE)};`);
  const seen = new Set<string>();
  const hoisted = [...shared.flatMap((c) => c.imports), ...own.flatMap((c) => c.imports), ...flow.borrowedImports];
  for (const imp of hoisted) {
    const key = imp.text.trim();
    if (seen.has(key)) continue;
    seen.add(key);
    emitImport(imp, byIndex.get(imp.cell)!, lines, origins);
  }

  const meta: StepMeta = {
    step: step.name,
    inputs: Object.fromEntries(flow.inputs.map((i) => [i.name, i.marshal])),
    outputs: Object.fromEntries(flow.outputs.map((o) => [o.name, o.marshal])),
    parameters: Object.fromEntries(
      flow.parameters.map((name) => {
        const p = parameters.find((x) => x.name === name)!;
        return [name, { type: p.type, default: p.default }];
      }),
    ),
    metrics: [...flow.metrics].sort(),
  };
  // tslab runs cells as CommonJS, where `require` exists; give ESM bundles one too.
  if ([...shared, ...own].some((c) => /\brequire\s*\(/.test(c.code))) {
    gen(`import { createRequire as __sw_createRequire } from "node:module";`);
    gen('const require = __sw_createRequire(import.meta.url);');
  }
  gen(`await __sw_runStep(${JSON.stringify(meta)}, import.meta.url, async (__sw) => {`);
  for (const name of flow.parameters) gen(`let ${name} = __sw.param(${JSON.stringify(name)});`);
  // `__sw.cell(K)` tells the runtime which cell runs: an error whose stack has no frame in
  // notebook code (raised in a native callback, a rejection with a plain value) is placed in it.
  const cell = (c: PreparedCell) => {
    gen(`__sw.cell(${c.index});`);
    emitCellBody(c, lines, origins);
  };
  for (const c of shared) cell(c);
  for (const i of flow.inputs) gen(`let ${i.name} = await __sw.input(${JSON.stringify(i.name)});`);
  for (const c of own) cell(c);
  const thunks = (names: string[]) => names.map((n) => `${JSON.stringify(n)}: () => ${n}`).join(', ');
  gen(`return { outputs: { ${thunks(flow.outputs.map((o) => o.name))} }, metrics: { ${thunks(meta.metrics)} } };`);
  gen('});');

  const cellSources = new Map(analysis.cells.map((c) => [c.index, c.source]));
  const map = buildEntrySourceMap(lines, origins, notebookName, cellSources);
  const source = `${lines.join('\n')}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
  return { name: step.name, source, origins, meta };
}

/** An import declaration at its original column, each of its lines mapped. */
function emitImport(imp: ImportInfo, cell: PreparedCell, lines: string[], origins: (LineOrigin | null)[]): void {
  const startCol = imp.start - (cell.code.lastIndexOf('\n', imp.start - 1) + 1);
  imp.text.split('\n').forEach((text, i) => {
    lines.push(i === 0 ? ' '.repeat(startCol) + text : text);
    origins.push({ cell: cell.index, line: imp.startLine + i });
  });
}

/** The cell's code with its (hoisted) imports blanked and `throw` operands wrapped, line for line. */
function emitCellBody(cell: PreparedCell, lines: string[], origins: (LineOrigin | null)[]): void {
  let code = cell.code;
  for (const imp of cell.imports)
    code = code.slice(0, imp.start) + code.slice(imp.start, imp.end).replace(/[^\n]/g, ' ') + code.slice(imp.end);
  const wrapped = wrapThrowOperands(code, cell.throwOperands ?? []);
  wrapped.lines.forEach((text, i) => {
    lines.push(text);
    const inserted = wrapped.inserted[i]!;
    origins.push(inserted.length ? { cell: cell.index, line: i, inserted } : { cell: cell.index, line: i });
  });
  // A cell may end without a semicolon; keep the next cell a separate statement.
  lines.push(';');
  origins.push(null);
}
