/**
 * A run requested from JupyterLab: compile, then run and display every run event as it
 * happens. The cancel file (or a kernel interrupt) aborts the run: the runner stops its
 * steps and reports the run `cancelled` through the same stream.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { RunRequest } from '../contracts/lab.js';
import { resolveHome } from '../runner/home.js';
import { type RunOptions, runPipeline } from '../runner/run-pipeline.js';
import { runHistoryAt, withParametersOf } from '../runner/runs-query.js';
import { compileSource } from './compile.js';
import { type LabDisplay, showEvent, showOutcome } from './display.js';

/** How often the run looks for its cancel file. */
const CANCEL_POLL_MS = 200;

export async function runFromLab(req: RunRequest, display: LabDisplay, cwd: string): Promise<void> {
  const compiled = await compileSource(req, cwd);
  showOutcome(display, compiled);
  if (!compiled.ok) return;
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once('SIGINT', onInterrupt);
  const cancelPath = path.join(compiled.dir, req.cancelFile);
  const watch = setInterval(() => {
    if (existsSync(cancelPath)) abort.abort();
  }, CANCEL_POLL_MS);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (req.lakehouseRoot !== '') env.STILLWATER_LAKEHOUSE_ROOT = path.resolve(cwd, req.lakehouseRoot);
  const options: RunOptions = {
    params: req.paramsFrom
      ? await withParametersOf(runHistoryAt(resolveHome({ cwd })), req.paramsFrom, req.params)
      : req.params,
    cache: req.cache,
    cwd,
    env,
    signal: abort.signal,
    ...(req.concurrency > 0 ? { concurrency: req.concurrency } : {}),
    ...(req.from ? { from: req.from } : {}),
    ...(req.only ? { only: req.only } : {}),
  };
  try {
    for await (const event of runPipeline(compiled.dir, options)) showEvent(display, event);
  } finally {
    clearInterval(watch);
    process.off('SIGINT', onInterrupt);
    await rm(cancelPath, { force: true });
  }
}
