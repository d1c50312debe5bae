/**
 * The TypeScript snippets the extension executes in the notebook's tslab kernel. Each
 * is one block (`{ … }`): tslab allows top-level await inside it and the block keeps
 * the user's namespace clean. Modules are imported through string variables so tslab's
 * type checker does not need their declarations; values cross back as JSON displayed
 * under our MIME types (see events.ts).
 */
import { RESULT_MIME, RUN_EVENT_MIME } from './events.js';

export interface RunRequest {
  /** Notebook file name, relative to the kernel's working directory (the notebook's folder). */
  notebookFile: string;
  /** The notebook as the user sees it now: compiled from this, not from disk. */
  notebook: unknown;
  /** Whether that differs from the file (then a snapshot is compiled instead of the file). */
  dirty: boolean;
  params: Record<string, string>;
  from?: string;
  only?: string;
  /** 0 = the runner's default. */
  concurrency: number;
  cache: boolean;
  /** Default lakehouse root for steps ("" = leave to the notebook / runner). */
  lakehouseRoot: string;
  /**
   * A file name (in the notebook's `<name>.pipeline/` folder) whose appearance cancels the
   * run: Cancel writes it through the server's contents API, since the kernel is busy
   * with the run itself.
   */
  cancelFile: string;
}

/** Shared prologue: display helpers and the kernel modules. */
function prologue(): string {
  return [
    `const { display: __swDisplay } = await import('tslab');`,
    `const __swResult = (v: unknown) => __swDisplay.raw(${JSON.stringify(RESULT_MIME)}, JSON.stringify(v));`,
    `const __swEvent = (v: unknown) => __swDisplay.raw(${JSON.stringify(RUN_EVENT_MIME)}, JSON.stringify(v));`,
    `const __swPipelineModule: string = '@stillwater/kernel/pipeline';`,
    `const __swRunnerModule: string = '@stillwater/kernel/runner';`,
    `const __swPath: any = await import('node:path');`,
    `const __swProcess: any = (globalThis as any).process;`,
  ].join('\n');
}

/**
 * Compiles the notebook as the user sees it. The compiler reads files, so an unsaved
 * notebook is compiled from a hidden snapshot written beside it (same folder: imports
 * resolve the same way) and removed right after; the notebook file itself is never
 * written. Output goes to the notebook's usual `<name>.pipeline/` folder.
 */
function compileLines(req: Pick<RunRequest, 'notebookFile' | 'notebook' | 'dirty'>): string {
  const snapshot = `.${req.notebookFile}.stillwater-snapshot.ipynb`;
  return [
    `const __swFs: any = await import('node:fs/promises');`,
    `const __swNotebookPath: string = __swPath.resolve(__swProcess.cwd(), ${JSON.stringify(req.notebookFile)});`,
    `const __swPipelineLib: any = await import(__swPipelineModule);`,
    `let __swSource: string = __swNotebookPath;`,
    `if (${req.dirty ? 'true' : 'false'}) {`,
    `  __swSource = __swPath.join(__swPath.dirname(__swNotebookPath), ${JSON.stringify(snapshot)});`,
    `  await __swFs.writeFile(__swSource, ${JSON.stringify(JSON.stringify(req.notebook))});`,
    `}`,
    `let __swOk: boolean = true;`,
    `let __swDiagnostics: any[] = [];`,
    `const __swDir: string = __swPipelineLib.defaultOutDir(__swNotebookPath);`,
    `try {`,
    `  const __swCompiled: any = await __swPipelineLib.compileNotebook(__swSource, { outDir: __swDir });`,
    `  __swDiagnostics = __swCompiled.diagnostics ?? [];`,
    `} catch (__swErr: any) {`,
    `  if (!Array.isArray(__swErr?.diagnostics)) throw __swErr;`,
    `  __swOk = false;`,
    `  __swDiagnostics = __swErr.diagnostics;`,
    `} finally {`,
    `  if (__swSource !== __swNotebookPath) await __swFs.rm(__swSource, { force: true });`,
    `}`,
  ].join('\n');
}

export function compileSnippet(req: Pick<RunRequest, 'notebookFile' | 'notebook' | 'dirty'>): string {
  return `{\n${prologue()}\n${compileLines(req)}\n__swResult({ kind: 'compile', ok: __swOk, dir: __swDir, diagnostics: __swDiagnostics });\n}`;
}

/**
 * Compiles, then runs and displays every run event as it happens. The cancel file (or
 * a kernel interrupt) aborts the run: the runner stops its steps and reports the run
 * `cancelled` through the same stream.
 */
export function runSnippet(req: RunRequest): string {
  const options: Record<string, unknown> = { params: req.params, cache: req.cache };
  if (req.concurrency > 0) options.concurrency = req.concurrency;
  if (req.from) options.from = req.from;
  if (req.only) options.only = req.only;
  return `{
${prologue()}
${compileLines(req)}
__swResult({ kind: 'compile', ok: __swOk, dir: __swDir, diagnostics: __swDiagnostics });
if (__swOk) {
  const { runPipeline: __swRun }: any = await import(__swRunnerModule);
  const __swAbort = new AbortController();
  const __swOnInterrupt = () => __swAbort.abort();
  __swProcess.once('SIGINT', __swOnInterrupt);
  const __swFsSync: any = await import('node:fs');
  const __swCancelPath: string = __swPath.join(__swDir, ${JSON.stringify(req.cancelFile)});
  const __swWatch = setInterval(() => {
    if (__swFsSync.existsSync(__swCancelPath)) __swAbort.abort();
  }, 200);
  const __swEnv: Record<string, string | undefined> = { ...__swProcess.env };
  const __swRoot: string = ${JSON.stringify(req.lakehouseRoot)};
  if (__swRoot !== '') __swEnv.STILLWATER_LAKEHOUSE_ROOT = __swPath.resolve(__swProcess.cwd(), __swRoot);
  try {
    for await (const __swEv of __swRun(__swDir, { ...${JSON.stringify(options)}, env: __swEnv, signal: __swAbort.signal })) __swEvent(__swEv);
  } finally {
    clearInterval(__swWatch);
    __swProcess.off('SIGINT', __swOnInterrupt);
    await __swFs.rm(__swCancelPath, { force: true });
  }
}
}`;
}

/**
 * Compiles, then exports the pipeline for another orchestrator (`@stillwater/kernel/export`):
 * the file goes beside the notebook, named after the pipeline.
 */
export function exportSnippet(
  req: Pick<RunRequest, 'notebookFile' | 'notebook' | 'dirty'> & { target: 'kfp' | 'argo' | 'airflow' },
): string {
  return `{
${prologue()}
${compileLines(req)}
if (!__swOk) {
  __swResult({ kind: 'export', ok: false, diagnostics: __swDiagnostics });
} else {
  const __swExportModule: string = '@stillwater/kernel/export';
  const { exportToFile: __swExportToFile }: any = await import(__swExportModule);
  const __swExported: any = await __swExportToFile(__swDir, ${JSON.stringify(req.target)}, {});
  __swResult({ kind: 'export', ok: true, diagnostics: __swDiagnostics, target: __swExported.target, file: __swExported.file, image: __swExported.image, defaultImage: __swExported.defaultImage });
}
}`;
}

/** Lists the run history (newest first), or the step executions of given runs. */
export function historySnippet(runIds: string[] = []): string {
  return `{
${prologue()}
const __swRunner: any = await import(__swRunnerModule);
const __swHome: string = __swRunner.resolveHome({ cwd: __swProcess.cwd() });
const __swHistory: any = new __swRunner.DeltaRunHistory(__swHome);
const __swRuns: any[] = await __swHistory.listRuns();
const __swSteps: Record<string, any[]> = {};
for (const __swId of ${JSON.stringify(runIds)}) __swSteps[__swId] = await __swHistory.stepExecutions(__swId);
__swResult({ kind: 'history', home: __swHome, runs: __swRuns, steps: __swSteps });
}`;
}
