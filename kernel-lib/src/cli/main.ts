#!/usr/bin/env node
/**
 * The `stillwater` command line. Each command group lives in its own module
 * and registers itself on the root program; this file only wires them up.
 */
import { Command } from 'commander';
import { runCli } from './run-cli.js';

const program = new Command('stillwater')
  .description('TypeScript notebooks → reproducible ML pipelines on a Delta Lake lakehouse')
  .version('0.1.0');

// Command groups register here, one line each.

await runCli(program, process.argv);
