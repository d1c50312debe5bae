/**
 * `stillwater compile nb.ipynb [-o DIR] [--check] [--json]`. With `--json` the
 * result is one JSON object on stdout (`{ok, diagnostics, …}`), which the
 * JupyterLab extension parses; exit code 1 when the notebook has errors.
 */
import type { Command } from 'commander';
import type { CheckResult, Diagnostic } from '../pipeline/index.js';

export function registerCompileCommand(program: Command): void {
  program
    .command('compile')
    .description('compile a tagged notebook into pipeline.json + one bundle per step')
    .argument('<notebook>', 'the .ipynb file')
    .option('-o, --out <dir>', 'output folder (default: <notebook>.pipeline next to the notebook)')
    .option('--check', 'validate only (tags, DAG, data flow, marshalling); write nothing')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (notebook: string, opts: { out?: string; check?: boolean; json?: boolean }) => {
      // Loaded on use: the compiler pulls in the TypeScript compiler, which other commands do not need.
      const { checkNotebook, compileNotebook, PipelineCompileError } = await import('../pipeline/index.js');
      if (opts.check) {
        const result = await checkNotebook(notebook);
        if (opts.json) process.stdout.write(`${JSON.stringify(checkJson(result))}\n`);
        else
          printDiagnostics(
            result.diagnostics,
            result.ok ? `${notebook}: ok (${result.graph.steps.length} steps)` : undefined,
          );
        if (!result.ok) process.exitCode = 1;
        return;
      }
      try {
        const { spec, outDir, diagnostics } = await compileNotebook(notebook, { outDir: opts.out });
        if (opts.json) process.stdout.write(`${JSON.stringify({ ok: true, outDir, diagnostics, spec })}\n`);
        else printDiagnostics(diagnostics, `compiled ${spec!.steps.length} steps → ${outDir}`);
      } catch (e) {
        if (!(e instanceof PipelineCompileError)) throw e;
        if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, diagnostics: e.diagnostics })}\n`);
        else printDiagnostics(e.diagnostics);
        process.exitCode = 1;
      }
    });
}

function checkJson(r: CheckResult) {
  const flows = new Map((r.analysis?.steps ?? []).map((f) => [f.name, f]));
  return {
    ok: r.ok,
    diagnostics: r.diagnostics,
    steps: r.graph.steps.map((s) => {
      const f = flows.get(s.name);
      return {
        ...s,
        inputs: f?.inputs ?? [],
        outputs: f?.outputs ?? [],
        parameters: f?.parameters ?? [],
        metrics: f?.metrics ?? [],
      };
    }),
    edges: r.graph.edges,
    /** Per notebook cell: which block it belongs to (step name, imports, skip, …). */
    cells: r.graph.cells,
    parameters: r.analysis?.parameters ?? [],
    metrics: r.analysis?.metrics ?? [],
  };
}

function printDiagnostics(diagnostics: readonly Diagnostic[], okLine?: string): void {
  for (const d of diagnostics) process.stderr.write(`${d.severity}: ${d.message}\n`);
  if (okLine) process.stdout.write(`${okLine}\n`);
}
