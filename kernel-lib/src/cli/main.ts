#!/usr/bin/env node
/**
 * The `stillwater` command line. Each command group lives in its own module
 * and registers itself on the root program; this file only wires them up.
 */
import { Command } from 'commander';
import { registerCompileCommand } from './compile.js';
import { registerDemoCommand } from './demo.js';
import { registerLabCommands } from './lab.js';
import { registerRunCommand } from './run.js';
import { runCli } from './run-cli.js';
import { registerRunsCommands } from './runs.js';
import { registerTableCommands } from './table.js';

const program = new Command('stillwater')
  .description('TypeScript notebooks → reproducible ML pipelines on a Delta Lake lakehouse')
  .version('0.1.0');

// Command groups register here, one line each.
registerTableCommands(program);
registerCompileCommand(program);
registerDemoCommand(program);
registerRunCommand(program);
registerRunsCommands(program);
registerLabCommands(program);

await runCli(program, process.argv);
