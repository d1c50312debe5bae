/**
 * Builds every step entry into one ESM file with a single esbuild run (many
 * entry points at once). Bundled: notebook code, relative local modules, the
 * step runtime. External: every bare package import and node builtins
 * (STEP-CONTRACT.md explains why) — apache-arrow and the kernel's notebook
 * modules as the prebuilt step libraries when that is safe (step-libs.ts), else
 * as themselves. Output is kept in memory; `compile.ts` writes it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { type StepEntry, RUNTIME_MODULE } from './codegen.js';
import type { Diagnostic } from './diagnostics.js';
import { type BundleImport, STEP_LIBS_DEFINE, stepLibAliases, stepLibsRefusal } from './step-libs.js';

const STEP_NAMESPACE = 'stillwater-step';

/** The step runtime's entry: the built `.js` next to this module, or the `.ts` source under tests. */
export function runtimeEntryPath(): string {
  const js = fileURLToPath(new URL('./runtime/index.js', import.meta.url));
  return existsSync(js) ? js : js.replace(/\.js$/, '.ts');
}

/**
 * Starts esbuild's service process without waiting for it, so it boots while
 * the TypeScript analysis runs on this thread.
 */
export function startBundler(): void {
  esbuild.transform('', { loader: 'js' }).catch(() => undefined);
}

export interface BundledStep {
  js: string;
  map: string;
  /** Local files bundled into the step (notebook-relative, '/'-separated), runtime excluded. */
  localInputs: string[];
}

export interface BundleResult {
  steps: Map<string, BundledStep>;
  diagnostics: Diagnostic[];
}

export interface Bundling {
  /**
   * Settles when esbuild has read every step entry: from then on it needs nothing
   * from this thread until `result`, so other work here runs alongside it.
   */
  entriesRead: Promise<void>;
  result: Promise<BundleResult>;
}

export function bundleSteps(
  entries: readonly StepEntry[],
  notebookDir: string,
  stepsDir: string,
  cellSource: (cell: number) => string,
): Bundling {
  let entriesRead!: () => void;
  const read = new Promise<void>((resolve) => {
    entriesRead = resolve;
  });
  let unread = entries.length;
  const result = runEsbuild(entries, notebookDir, stepsDir, cellSource, () => {
    if (--unread === 0) entriesRead();
  }).finally(entriesRead);
  // The caller awaits `result` after `entriesRead`: no unhandled-rejection report meanwhile.
  result.catch(() => {});
  return { entriesRead: read, result };
}

async function runEsbuild(
  entries: readonly StepEntry[],
  notebookDir: string,
  stepsDir: string,
  cellSource: (cell: number) => string,
  onEntryRead: () => void,
): Promise<BundleResult> {
  const runtime = runtimeEntryPath();
  const runtimeDir = path.dirname(runtime);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const plugin: esbuild.Plugin = {
    name: 'stillwater-steps',
    setup(build) {
      build.onResolve({ filter: /^stillwater-step:/ }, (args) => ({
        path: args.path.slice(STEP_NAMESPACE.length + 1),
        namespace: STEP_NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: STEP_NAMESPACE }, (args) => {
        onEntryRead();
        return { contents: byName.get(args.path)!.source, loader: 'ts', resolveDir: notebookDir };
      });
    },
  };
  const build = (stepLibs: boolean) =>
    esbuild.build({
      entryPoints: Object.fromEntries(entries.map((e) => [e.name, `${STEP_NAMESPACE}:${e.name}`])),
      absWorkingDir: notebookDir,
      outdir: stepsDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      sourcesContent: true,
      legalComments: 'none',
      charset: 'utf8',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Ignore any tsconfig.json around the notebook (tslab does too): the same notebook
      // must bundle the same way wherever it sits.
      tsconfigRaw: {},
      // Resolved by esbuild itself (a plugin callback would wait for this thread).
      alias: { ...(stepLibs ? stepLibAliases() : {}), [RUNTIME_MODULE]: runtime },
      define: { [STEP_LIBS_DEFINE]: String(stepLibs) },
      plugins: [plugin],
    });
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await build(true);
    // Rare: something in the steps rules the step libraries out; bundle with the packages.
    if (stepLibsRefusal(notebookDir, externalImports(result.metafile)) !== undefined) result = await build(false);
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw e;
    return { steps: new Map(), diagnostics: failure.errors.map((m) => toDiagnostic(m, byName, cellSource)) };
  }
  const steps = new Map<string, BundledStep>();
  for (const entry of entries) {
    const jsPath = path.join(stepsDir, `${entry.name}.mjs`);
    const js = result.outputFiles.find((f) => f.path === jsPath);
    const map = result.outputFiles.find((f) => f.path === `${jsPath}.map`);
    if (!js || !map) throw new Error(`esbuild produced no output for step "${entry.name}" (${jsPath})`);
    const metaKey = path.relative(notebookDir, jsPath).split(path.sep).join('/');
    const inputs = Object.keys(result.metafile.outputs[metaKey]?.inputs ?? {})
      .filter((i) => !i.startsWith(`${STEP_NAMESPACE}:`))
      .filter((i) => !path.resolve(notebookDir, i).startsWith(runtimeDir + path.sep))
      .sort();
    steps.set(entry.name, { js: js.text, map: map.text, localInputs: inputs });
  }
  return { steps, diagnostics: [] };
}

function toDiagnostic(
  m: esbuild.Message,
  entries: Map<string, StepEntry>,
  cellSource: (cell: number) => string,
): Diagnostic {
  const loc = m.location;
  if (loc?.namespace === STEP_NAMESPACE) {
    const origin = entries.get(loc.file)?.origins[loc.line - 1];
    if (origin) {
      const source = cellSource(origin.cell);
      const first =
        source
          .split('\n')
          .find((l) => l.trim() !== '')
          ?.trim() ?? '';
      return {
        severity: 'error',
        code: 'bundle',
        message: `cell ${origin.cell} (${JSON.stringify(first.slice(0, 80))}), line ${origin.line + 1}: ${m.text} (bundling step "${loc.file}")`,
        cell: origin.cell,
        cellFirstLine: first.slice(0, 80),
        line: origin.line + 1,
        step: loc.file,
      };
    }
    return { severity: 'error', code: 'bundle', message: `step "${loc.file}": ${m.text}`, step: loc.file };
  }
  const where = loc ? `${loc.file}:${loc.line}:${loc.column}: ` : '';
  return { severity: 'error', code: 'bundle', message: `${where}${m.text}` };
}

/** The package and builtin imports left in the bundles. */
function externalImports(metafile: esbuild.Metafile): BundleImport[] {
  return Object.values(metafile.outputs).flatMap((o) =>
    o.imports.filter((i) => i.external).map((i) => ({ path: i.path, kind: i.kind })),
  );
}
