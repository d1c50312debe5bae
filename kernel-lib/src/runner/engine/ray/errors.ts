/** Errors of the Ray engine: each names the cluster address or the node involved. */
export class RayConnectError extends Error {
  override name = 'RayConnectError';
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`cannot use the Ray cluster at ${address}: ${detail}`);
  }
}

export class RayDriverExitedError extends Error {
  override name = 'RayDriverExitedError';
  constructor(code: number | null, signal: NodeJS.Signals | null, stderrTail: string) {
    const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const last = stderrTail.trim().split('\n').at(-1);
    super(`the Ray driver ${why}${last ? `: ${last}` : ''}`);
  }
}
