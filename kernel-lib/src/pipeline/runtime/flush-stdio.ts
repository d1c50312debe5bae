/**
 * Node writes to a pipe asynchronously: what the kernel's pipe buffer cannot take at
 * once waits in the stream, and `process.exit` drops it. A step that printed 50 MB
 * would deliver only its first megabyte. Every exit of the step runtime therefore
 * waits for stdout and stderr to hand all queued output to the kernel first.
 */

/** Resolves once everything written so far to `stream` has reached its file descriptor. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  // Writes complete in order, so an empty write's callback runs after all earlier ones
  // (also when the reader has gone: the callback then gets the error, and nothing is left to wait for).
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** Waits until stdout and stderr have no queued output. */
export async function flushStdio(): Promise<void> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
}

let exiting: Promise<never> | undefined;

/** Whether the step is already on its way out (its exit code is decided). */
export const exitStarted = (): boolean => exiting !== undefined;

/**
 * Exits with `code` once stdout and stderr are flushed, calling `beforeExit` just
 * before; a later call waits for the first one's exit.
 */
export function exitFlushed(code: number, beforeExit?: () => void): Promise<never> {
  exiting ??= flushStdio().then(() => {
    beforeExit?.();
    return process.exit(code);
  });
  return exiting;
}
