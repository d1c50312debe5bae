/**
 * The compiler, stage by stage: notebook → tags/DAG (`graph.ts`) → data flow
 * and marshal kinds (`analysis.ts`) → step entries (`codegen.ts`) → esbuild
 * bundles (`bundle.ts`) → `pipeline.json` (validated by the JSON Schema).
 * Output is deterministic: same notebook, same bytes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as ts from 'typescript';
import type { Analysis } from './analysis.js';
import { openAnalysisCache } from './analysis-cache.js';
import { bundleSteps, startBundler } from './bundle.js';
import { canonicalJson } from './canonical-json.js';
import { generateStepEntry } from './codegen.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { PipelineCompileError } from './errors.js';
import { buildPipelineGraph, type PipelineGraph } from './graph.js';
import { type NotebookCell, readNotebook } from './notebook.js';
import { assertValidSpec, prepareSpecValidator } from './spec-schema.js';
import { PIPELINE_SPEC_VERSION, type PipelineSpec, type PipelineStep } from './spec.js';
import { defaultOutDir } from './out-dir.js';
import { writePipelineOutput } from './write-output.js';

/**
 * Part of every step hash, so a change of the runtime/bundle layout invalidates caches.
 * 2: every bundle takes `--args-from-stdin`, `--trace-reads` and `--run-context`, pins
 * its table references, and speaks on `STILLWATER_SIGNAL_FD` (the runner assumes all four).
 */
export const RUNTIME_VERSION = 'stillwater-step-runtime/2';

export interface CompileOptions {
  /** Output folder; default `<notebook>.pipeline` next to the notebook. */
  outDir?: string;
  /** Validate only: tags, DAG, data flow, marshal kinds; write nothing. */
  check?: boolean;
  /**
   * The notebook this file is a copy of, in the same folder (the lab's snapshot of an
   * unsaved notebook): the pipeline is named, source-mapped and hashed as that notebook,
   * so saving it changes neither the pipeline's name nor its step hashes (cache keys).
   */
  copyOf?: string;
}

export interface CheckResult {
  ok: boolean;
  /** Errors first, then warnings, by cell. */
  diagnostics: Diagnostic[];
  graph: PipelineGraph;
  /** Absent when the DAG has errors (data flow is not analysed then). */
  analysis?: Analysis;
}

export interface CompileResult {
  /** Absent in check mode. */
  spec?: PipelineSpec;
  outDir: string;
  /** Warnings (and, in check mode, errors). */
  diagnostics: Diagnostic[];
}

export { defaultOutDir };

/** Validates a notebook without bundling. Throws only if the file is not a readable notebook. */
export async function checkNotebook(notebookPath: string): Promise<CheckResult> {
  const { result, persist } = await check(notebookPath);
  persist();
  return result;
}

/**
 * `checkNotebook`, leaving the caches of a fresh analysis unwritten until
 * `persist()` (`compileNotebook` writes them while esbuild bundles).
 */
async function check(notebookPath: string): Promise<{ result: CheckResult; persist: () => void }> {
  const nb = await readNotebook(notebookPath);
  const graph = buildPipelineGraph(
    nb.cells.map((c) => ({ tags: c.tags, source: c.source, cellType: c.cellType })),
    nb.metadata,
  );
  if (hasErrors(graph.diagnostics))
    return { result: { ok: false, diagnostics: graph.diagnostics, graph }, persist: () => {} };
  const { analysis, persist } = await analyze(notebookPath, nb.cells, nb.metadata, graph);
  const diagnostics = sortDiagnostics([...graph.diagnostics, ...analysis.diagnostics]);
  return { result: { ok: !hasErrors(diagnostics), diagnostics, graph, analysis }, persist };
}

/**
 * The analysis from the persistent cache, or by loading TypeScript (only then: it is
 * most of a cold compile) and analysing. A fresh analysis is used as the cache will
 * hold it (through JSON), so the output never depends on whether the cache answered.
 * `persist` stores a fresh analysis and TypeScript's code cache (a write, kept off the compile's answer).
 */
async function analyze(
  notebookPath: string,
  cells: readonly NotebookCell[],
  metadata: unknown,
  graph: PipelineGraph,
): Promise<{ analysis: Analysis; persist: () => void }> {
  const cache = openAnalysisCache(notebookPath, cells, metadata);
  if (cache.hit) return { analysis: cache.hit, persist: () => {} };
  const { analyzeNotebook } = await import('./analysis.js');
  const { saveCompilerCodeCache } = await import('./typescript.js');
  let program: ts.Program | undefined;
  let virtualPath: string | undefined;
  const fresh = analyzeNotebook(notebookPath, cells, graph, (p, v) => {
    program = p;
    virtualPath = v;
  });
  const persist = () => {
    cache.store(fresh, program, virtualPath);
    saveCompilerCodeCache();
  };
  return { analysis: JSON.parse(JSON.stringify(fresh)) as Analysis, persist };
}

/**
 * Compiles a notebook into `outDir` (pipeline.json + steps/*.mjs + maps).
 * Throws PipelineCompileError listing every error; returns warnings.
 */
export async function compileNotebook(notebookPath: string, options: CompileOptions = {}): Promise<CompileResult> {
  const outDir = path.resolve(options.outDir ?? defaultOutDir(notebookPath));
  if (!options.check) startBundler();
  const { result: checked, persist } = await check(notebookPath);
  if (options.check || !checked.ok || !checked.analysis) persist();
  if (options.check) return { outDir, diagnostics: checked.diagnostics };
  if (!checked.ok || !checked.analysis) throw new PipelineCompileError(notebookPath, checked.diagnostics);
  const { graph, analysis } = checked;

  const notebookAbs = path.resolve(options.copyOf ?? notebookPath);
  const notebookDir = path.dirname(notebookAbs);
  const notebookName = path.basename(notebookAbs);
  const stepsDir = path.join(outDir, 'steps');
  // Source map `sources` are `<notebook, relative to the map>/cell-<index>`.
  const notebookFromMaps = toPosix(path.relative(stepsDir, notebookAbs));
  const flows = new Map(analysis.steps.map((f) => [f.name, f]));
  const entries = graph.steps.map((s) =>
    generateStepEntry(s, flows.get(s.name)!, analysis, analysis.parameters, notebookFromMaps),
  );
  const sourceOf = new Map(analysis.cells.map((c) => [c.index, c.source]));
  const bundling = bundleSteps(entries, notebookDir, stepsDir, (i) => sourceOf.get(i) ?? '');
  // Once esbuild has the entries it works in its own process: write the caches and
  // load the schema validator meanwhile.
  await bundling.entriesRead;
  persist();
  prepareSpecValidator();
  const bundled = await bundling.result;
  if (bundled.diagnostics.length > 0)
    throw new PipelineCompileError(notebookPath, sortDiagnostics([...checked.diagnostics, ...bundled.diagnostics]));

  const steps: PipelineStep[] = [];
  for (const [i, s] of graph.steps.entries()) {
    const flow = flows.get(s.name)!;
    const bundle = bundled.steps.get(s.name)!;
    const locals = await Promise.all(
      bundle.localInputs.map(async (f) => [f, sha256(await readFile(path.resolve(notebookDir, f)))]),
    );
    const contract = {
      name: s.name,
      deps: [...s.deps].sort(),
      inputs: flow.inputs,
      outputs: flow.outputs,
      parameters: flow.parameters,
      metrics: [...flow.metrics].sort(),
    };
    steps.push({
      ...contract,
      kind: s.kind,
      bundle: `steps/${s.name}.mjs`,
      cache: s.cache,
      retries: s.retries,
      timeoutSeconds: s.timeoutSeconds,
      limits: s.limits,
      ...(s.image !== undefined ? { image: s.image } : {}),
      ...(s.annotations ? { annotations: s.annotations } : {}),
      ...(s.labels ? { labels: s.labels } : {}),
      source: s.cells.map((cell) => ({ cell, startLine: 1, endLine: (sourceOf.get(cell) ?? '').split('\n').length })),
      hash: sha256(canonicalJson({ runtime: RUNTIME_VERSION, contract, entry: entries[i]!.source, locals }, 0)),
    });
  }
  const withoutHash: Omit<PipelineSpec, 'hash'> = {
    specVersion: PIPELINE_SPEC_VERSION,
    name: graph.settings.name ?? pipelineNameFrom(notebookName),
    description: graph.settings.description ?? '',
    notebook: toPosix(path.relative(outDir, notebookAbs)),
    lakehouseRoot: graph.settings.lakehouseRoot ?? null,
    parameters: analysis.parameters,
    steps,
    metrics: analysis.metrics,
    sourceMap: { format: 'source-map-v3', sourcePattern: `${notebookFromMaps}/cell-{cell}` },
  };
  const spec: PipelineSpec = { ...withoutHash, hash: sha256(canonicalJson(withoutHash, 0)) };
  assertValidSpec(spec, notebookPath);

  await writePipelineOutput(outDir, {
    spec: `${canonicalJson(spec)}\n`,
    steps: new Map(
      [...bundled.steps].flatMap(([name, b]) => [
        [`${name}.mjs`, b.js],
        [`${name}.mjs.map`, b.map],
      ]),
    ),
  });
  return { spec, outDir, diagnostics: checked.diagnostics };
}

function pipelineNameFrom(notebookName: string): string {
  const base = notebookName.replace(/\.ipynb$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z0-9_]/.test(base) ? base : `_${base}`;
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
