/** Starting the read trace of a step, and what it leaves out (STEP-CONTRACT.md "Traced reads"). */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepArgs } from './args.js';
import { ReadTrace } from './read-trace.js';
import type { CollectOptions } from './read-trace-collect.js';

export function startTracing(): ReadTrace {
  const trace = new ReadTrace();
  trace.start();
  return trace;
}

/**
 * Not inputs of the notebook's code: the files the runtime reads for it (its
 * `--in` files, which the runner hashes itself; the bundle and its source map)
 * and the installed kernel's own files (a symlinked workspace kernel lies
 * outside any `node_modules`).
 */
export function traceExclusions(args: StepArgs, bundleUrl: string): CollectOptions {
  const bundle = bundleUrl.startsWith('file:') ? fileURLToPath(bundleUrl) : bundleUrl;
  return {
    ignoreFiles: [...args.inputs.values(), bundle, `${bundle}.map`],
    ignoreDirs: kernelRoot(bundle),
  };
}

function kernelRoot(bundle: string): string[] {
  try {
    const pkg = createRequire(bundle).resolve('@stillwater/kernel/package.json');
    return [...new Set([path.dirname(pkg), path.dirname(realpathSync(pkg))])];
  } catch {
    return [];
  }
}
