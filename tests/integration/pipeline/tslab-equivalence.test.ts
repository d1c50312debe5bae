import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { cellStdout, runNotebookInTslab } from '../../helpers/tslab.js';
import { resultLines, runSteps } from './driver.js';

const dir = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');

/**
 * Acceptance 2: the compiled bundles, run under plain `node`, produce the same
 * values as the notebook run top to bottom in the real tslab kernel.
 */
describe('compiled bundles = tslab run', () => {
  it.each(['diamond', 'functions'])('%s: same RESULT lines and metrics', async (name) => {
    const nb = path.join(dir, `${name}.ipynb`);
    const cells = await runNotebookInTslab(nb, { cwd: dir, timeoutSeconds: 180 });
    for (const c of cells) expect((c.outputs ?? []).filter((o) => o.output_type === 'error')).toEqual([]);
    const tslabLines = resultLines(cells.map(cellStdout).join(''));
    expect(tslabLines.length).toBeGreaterThan(0);

    const outDir = path.join(repoRoot, 'tests', '.out', 'pipeline-tslab', name);
    rmSync(outDir, { recursive: true, force: true });
    const { spec } = await compileNotebook(nb, { outDir });
    const runs = await runSteps(outDir, spec!, mkdtempSync(path.join(tmpdir(), 'sw-eq-')));
    expect(resultLines([...runs.values()].map((r) => r.stdout).join(''))).toEqual(tslabLines);

    // Metrics: the value the metrics cell shows in tslab is the one the step writes.
    for (const m of spec!.metrics) {
      const metricsCell = cells.findIndex((c) =>
        (c.metadata.tags as string[] | undefined)?.includes('pipeline-metrics'),
      );
      const shown = cellStdout(cells[metricsCell]!).trim();
      expect(String(runs.get(m.step)!.metrics![m.name])).toBe(shown);
    }
  });
});
