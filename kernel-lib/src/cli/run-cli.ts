import type { Command } from 'commander';

/**
 * Parses argv and turns thrown errors into a one-line message on stderr and a
 * non-zero exit code, instead of a stack trace. `--json` commands print errors
 * as `{"error": {"type", "message"}}` on stdout so callers can parse them.
 */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  printWarningsAsLines();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as Error;
    if (argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ error: { type: e.name, message: e.message } })}\n`);
    } else {
      process.stderr.write(`stillwater: ${e.name}: ${e.message}\n`);
      if (process.env.STILLWATER_DEBUG) process.stderr.write(`${e.stack}\n`);
    }
    process.exitCode = 1;
  }
}

/**
 * Process warnings (the lakehouse's `DeltaWarning`, e.g. a checkpoint it had to skip)
 * as one `warning:` line on stderr instead of Node's `(node:PID) …` block with its
 * `--trace-warnings` hint. Stdout stays clean for `--json` readers.
 */
function printWarningsAsLines(): void {
  process.removeAllListeners('warning');
  process.on('warning', (w: Error) => process.stderr.write(`warning: ${w.message}\n`));
}
