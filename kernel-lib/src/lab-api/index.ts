/**
 * `@stillwater/kernel/lab-api`: what the JupyterLab extension calls in the notebook's
 * tslab kernel. The extension's snippet is one line — `handleLabRequest(request, display)`
 * — so everything it does is compiled and tested here, typed by
 * `@stillwater/kernel/contracts` on both sides.
 */
import type { ExportOutcome, LabRequest } from '../contracts/lab.js';
import { exportToFile } from '../export/export-file.js';
import { compileSource } from './compile.js';
import { type LabDisplay, showOutcome } from './display.js';
import { historyForLab, lineageForLab } from './history.js';
import { runFromLab } from './run.js';

export { compileSource } from './compile.js';
export { type LabDisplay, RESULT_MIME, RUN_EVENT_MIME } from './display.js';
export { historyForLab, lineageForLab } from './history.js';
export { runFromLab } from './run.js';

/** Answers one request; relative paths are taken from `cwd` (the kernel starts in the notebook's folder). */
export async function handleLabRequest(req: LabRequest, display: LabDisplay, cwd = process.cwd()): Promise<void> {
  switch (req.kind) {
    case 'compile':
      return showOutcome(display, await compileSource(req, cwd));
    case 'run':
      return runFromLab(req, display, cwd);
    case 'export':
      return showOutcome(display, await exportFromLab(req, cwd));
    case 'history':
      return showOutcome(display, await historyForLab(req, cwd));
    case 'lineage':
      return showOutcome(display, await lineageForLab(req, cwd));
  }
}

async function exportFromLab(req: Extract<LabRequest, { kind: 'export' }>, cwd: string): Promise<ExportOutcome> {
  const compiled = await compileSource(req, cwd);
  if (!compiled.ok) return { kind: 'export', ok: false, diagnostics: compiled.diagnostics };
  const exported = await exportToFile(compiled.dir, req.target, { cwd });
  return {
    kind: 'export',
    ok: true,
    diagnostics: compiled.diagnostics,
    target: exported.target,
    file: exported.file,
    image: exported.image,
    defaultImage: exported.defaultImage,
  };
}
