#!/usr/bin/env node
/**
 * The `stillwater` command line. Each command group lives in its own module
 * and registers itself on the root program; this file only wires them up.
 *
 * Command modules are imported on demand: `stillwater compile --check` (which the
 * JupyterLab extension calls as you tag) should not pay for loading parquet-wasm,
 * the runner and the lakehouse. Help, `--version` and unknown commands load them all.
 */
import type { Command } from 'commander';

const { Command: CommandClass } = await import('commander');
const { runCli } = await import('./run-cli.js');

type Register = (program: Command) => void;

/** Command name → the module that registers it. */
const commandGroups: Record<string, () => Promise<Register>> = {
  table: async () => (await import('./table.js')).registerTableCommands,
  compile: async () => (await import('./compile.js')).registerCompileCommand,
  demo: async () => (await import('./demo.js')).registerDemoCommand,
  run: async () => (await import('./run.js')).registerRunCommand,
  runs: async () => (await import('./runs.js')).registerRunsCommands,
  lab: async () => (await import('./lab.js')).registerLabCommands,
  export: async () => (await import('./export.js')).registerExportCommand,
  image: async () => (await import('./image.js')).registerImageCommand,
};

const program = new CommandClass('stillwater')
  .description('TypeScript notebooks → reproducible ML pipelines on a Delta Lake lakehouse')
  .version('0.1.0')
  // Root options only before the command name, so `table describe --version N` is the table's.
  .enablePositionalOptions();

const requested = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const groups = requested !== undefined && requested in commandGroups ? [requested] : Object.keys(commandGroups);
for (const name of groups) (await commandGroups[name]!())(program);

await runCli(program, process.argv);
