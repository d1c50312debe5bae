/**
 * `stillwater export NB.ipynb|DIR --to kfp|argo|airflow [-o FILE] [--image REF] [--template] [--json]`.
 */
import type { Command } from 'commander';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('export a compiled pipeline to Kubeflow Pipelines v2, Argo Workflows or Airflow')
    .argument('<pipeline>', 'a notebook (.ipynb, compiled when stale) or a compiled pipeline folder')
    .requiredOption('--to <target>', 'kfp | argo | airflow')
    .option('-o, --out <file>', 'output file (default: beside the notebook, named after the pipeline)')
    .option('--image <ref>', 'the step image (build its context with `stillwater image`)')
    .option('--template', 'Argo: a WorkflowTemplate instead of a Workflow')
    .option('--volume-claim <name>', 'PersistentVolumeClaim every step mounts at /stillwater (default: stillwater)')
    .option('--json', 'print the result as JSON on stdout')
    .action(
      async (
        pipeline: string,
        opts: { to: string; out?: string; image?: string; template?: boolean; volumeClaim?: string; json?: boolean },
      ) => {
        const { exportToFile } = await import('../export/index.js');
        const result = await exportToFile(pipeline, opts.to as never, {
          out: opts.out,
          image: opts.image,
          template: opts.template,
          volumeClaim: opts.volumeClaim,
        });
        if (opts.json) {
          const { file, target, image, defaultImage } = result;
          process.stdout.write(`${JSON.stringify({ ok: true, file, target, image, defaultImage })}\n`);
          return;
        }
        if (result.defaultImage) {
          process.stderr.write(
            `note: no --image given; the export runs its steps in image ${result.image}\n` +
              `      build it: stillwater image ${pipeline} -o CONTEXT && docker build -t ${result.image} CONTEXT\n`,
          );
        }
        process.stdout.write(`exported ${result.target} → ${result.file}\n`);
      },
    );
}
