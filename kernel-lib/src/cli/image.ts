/**
 * `stillwater image NB.ipynb|DIR -o DIR [--json]`: the step image's build context.
 */
import type { Command } from 'commander';

export function registerImageCommand(program: Command): void {
  program
    .command('image')
    .description('write a Docker build context for the pipeline steps (Dockerfile, bundles, locked packages)')
    .argument('<pipeline>', 'a notebook (.ipynb, compiled when stale) or a compiled pipeline folder')
    .requiredOption('-o, --out <dir>', 'the build context folder (empty, or an earlier context)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (pipeline: string, opts: { out: string; json?: boolean }) => {
      const { writeImageContext } = await import('../export/index.js');
      const ctx = await writeImageContext(pipeline, opts.out);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ok: true, ...ctx })}\n`);
        return;
      }
      const packages = Object.entries(ctx.packages).map(([n, v]) => `${n}@${v}`);
      process.stdout.write(
        `image context → ${ctx.dir}\n  ${ctx.steps.length} steps; packages: ${packages.join(', ') || 'none'}\n` +
          `  build: docker build -t IMAGE ${ctx.dir}   then export with --image IMAGE\n`,
      );
    });
}
