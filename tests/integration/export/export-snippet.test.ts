/**
 * The kernel side of JupyterLab's "Export Pipeline…": the extension's one-line lab snippet
 * (an export request to `@stillwater/kernel/lab-api`) run in a real tslab kernel, as the command runs it, compiles the notebook and writes the
 * export beside it.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESULT_MIME } from '../../../extension/src/run/events.js';
import { labSnippet } from '../../../extension/src/run/snippets.js';
import { argoProblems, sharedRefsMissing } from '../../helpers/export-checks.js';
import { code } from '../../helpers/notebooks.js';
import { freshOutDir, repoRoot } from '../../helpers/paths.js';
import { runNotebookInTslab } from '../../helpers/tslab.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(sharedRefsMissing)('export snippet (JupyterLab "Export Pipeline…") in a tslab kernel', () => {
  it('compiles the notebook as shown and writes the Argo workflow beside it', async () => {
    const ws = freshOutDir('export-snippet-');
    dirs.push(ws);
    const fixture = path.join(repoRoot, 'tests', 'fixtures', 'notebooks', 'diamond.ipynb');
    copyFileSync(fixture, path.join(ws, 'diamond.ipynb'));
    const notebook = JSON.parse(readFileSync(fixture, 'utf8'));
    const driver = path.join(ws, 'driver.ipynb');
    const snippet = labSnippet({
      kind: 'export',
      notebookFile: 'diamond.ipynb',
      notebook,
      dirty: false,
      target: 'argo',
    });
    writeFileSync(
      driver,
      JSON.stringify({
        cells: [code([], snippet)],
        metadata: { kernelspec: { name: 'tslab', language: 'typescript', display_name: 'TypeScript' } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const [cell] = await runNotebookInTslab(driver, { cwd: ws, timeoutSeconds: 300 });
    const shown = (cell!.outputs ?? []).find((o) => o.data?.[RESULT_MIME] !== undefined);
    expect(shown, JSON.stringify(cell!.outputs)).toBeDefined();
    const result = JSON.parse(String(shown!.data![RESULT_MIME]));
    expect(result).toMatchObject({ kind: 'export', ok: true, target: 'argo', defaultImage: true });
    expect(result.file).toBe(path.join(ws, `${notebook.metadata.stillwater?.name ?? 'diamond'}.argo.yaml`));
    expect(existsSync(result.file)).toBe(true);
    expect(argoProblems(readFileSync(result.file, 'utf8'))).toEqual([]);
  }, 360_000);
});
