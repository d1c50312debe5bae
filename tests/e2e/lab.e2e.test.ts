/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The extension in a real browser against a real JupyterLab 4.6 and the tslab kernel:
 * open a copy of the turbofan example, retag a cell through the tag editor, see the DAG
 * follow, run the pipeline from the notebook toolbar, watch every node reach done,
 * read the run's metrics, read a run's lineage in the history, reload and find the tags on
 * disk — with zero console errors.
 * A second, small notebook exercises turning an untagged cell into a new step.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { type Lab, openSession, type Session } from './harness.js';
import { CURRENT, dagSteps, openNotebook, runCommand, waitForRunEnd } from './page.js';

const OUT = path.join(repoRoot, 'tests', '.out', 'e2e');
const FIXTURE = path.join(repoRoot, 'tests', 'e2e', 'fixtures', 'squares.ipynb');
const NOTEBOOK = 'squares.ipynb';
const TURBOFAN = path.join(repoRoot, 'examples', 'turbofan', 'turbofan.ipynb');

let session: Session;
let lab: Lab;
let page: Page;
let errors: string[];

/** Statuses each DAG node showed, in order, sampled in the page as they change. */
async function watchNodeStatuses(p: Page): Promise<void> {
  await p.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { __swSeen: typeof seen }).__swSeen = seen;
    const sample = () => {
      for (const n of document.querySelectorAll<SVGGElement>('.sw-dag .sw-node')) {
        const step = n.dataset.step!;
        const status = n.dataset.status!;
        if (!seen[step]) seen[step] = [];
        const list = seen[step];
        if (list[list.length - 1] !== status) list.push(status);
      }
    };
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true });
    sample();
  });
}

/** Saves through the app's own command (the user's act), then reloads the page. */
async function saveAndReload(p: Page): Promise<void> {
  await runCommand(p, 'docmanager:save');
  await p.waitForFunction(() => {
    const app = (
      window as unknown as { jupyterapp: { shell: { currentWidget?: { context?: { model?: { dirty: boolean } } } } } }
    ).jupyterapp;
    return app.shell.currentWidget?.context?.model?.dirty === false;
  });
  await p.reload();
}

function tagsOnDisk(l: Lab, file: string, cellId: string): string[] {
  const nb = JSON.parse(readFileSync(path.join(l.root, file), 'utf8'));
  return nb.cells.find((c: { id: string }) => c.id === cellId).metadata.tags ?? [];
}

describe('Stillwater JupyterLab extension (browser)', () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    session = await openSession({ width: 1500, height: 1000 }, (root) => {
      copyFileSync(FIXTURE, path.join(root, NOTEBOOK));
      copyFileSync(TURBOFAN, path.join(root, 'turbofan.ipynb'));
    });
    ({ lab, page, errors } = session);
  }, 120_000);

  afterAll(() => session?.close());

  it('turbofan: retag through the editor, DAG follows, run from the toolbar to done with metrics, tags persist', async () => {
    await openNotebook(page, lab, 'turbofan.ipynb');
    await page.waitForSelector('.sw-TagBar[data-cell-id="turbofan-15"] .sw-step-chip');
    expect(await dagSteps(page)).toEqual(['evaluate', 'ingest', 'prepare', 'train', 'validate']);
    expect(await page.locator('.sw-dag path.sw-edge[data-to="evaluate"]').count()).toBe(1);
    await page.locator(CURRENT).screenshot({ path: path.join(OUT, 'turbofan-tag-bars.png') });

    // Make evaluate wait for validation too, through the tag editor.
    await page.click('.sw-TagBar[data-cell-id="turbofan-15"] .sw-chips');
    const editor = page.locator('.sw-TagBar[data-cell-id="turbofan-15"] .sw-TagEditor');
    expect(await editor.locator('input.sw-step-name').inputValue()).toBe('evaluate');
    await editor.locator('input.sw-step-name').fill('train');
    await expect.poll(() => editor.locator('.sw-name-error').textContent()).toContain('already exists');
    await editor.locator('input.sw-step-name').fill('evaluate');
    expect(await editor.locator('.sw-deps input[value="train"]').isChecked()).toBe(true);
    await editor.locator('.sw-deps input[value="validate"]').check();
    await page
      .locator('.sw-TagBar[data-cell-id="turbofan-15"]')
      .screenshot({ path: path.join(OUT, 'turbofan-tag-editor.png') });
    await editor.locator('button.sw-apply').click();
    await expect.poll(() => page.locator('.sw-dag path.sw-edge[data-to="evaluate"]').count()).toBe(2);
    expect(await page.locator('.sw-dag path.sw-edge[data-from="validate"][data-to="evaluate"]').count()).toBe(1);
    expect(await page.textContent('.sw-TagBar[data-cell-id="turbofan-15"]')).toContain('← validate');

    await watchNodeStatuses(page);
    await page.click(`${CURRENT} .jp-NotebookPanel-toolbar [data-command="stillwater:run"]`);
    await page.waitForSelector('.sw-dag .sw-node[data-status="running"]', { timeout: 120_000 });
    await page.locator('#stillwater-pipeline-panel').screenshot({ path: path.join(OUT, 'turbofan-dag-mid-run.png') });
    await waitForRunEnd(page);
    await page.locator('#stillwater-pipeline-panel').screenshot({ path: path.join(OUT, 'turbofan-dag-after-run.png') });
    await page.screenshot({ path: path.join(OUT, 'turbofan-lab-after-run.png') });
    const panelText = await page.textContent('#stillwater-pipeline-panel');
    expect(await page.getAttribute('.sw-run-status', 'data-status'), panelText ?? '').toBe('done');
    const steps = ['ingest', 'prepare', 'validate', 'train', 'evaluate'];
    const seen = await page.evaluate(() => (window as unknown as { __swSeen: Record<string, string[]> }).__swSeen);
    for (const step of steps) {
      expect(seen[step], step).toContain('running');
      expect(seen[step]!.at(-1), step).toBe('done');
    }
    const metrics = Object.fromEntries(
      await page.$$eval('.sw-metrics tr', (rows) =>
        rows.map((r) => [(r as HTMLElement).dataset.metric, Number(r.querySelector('td')!.textContent)]),
      ),
    );
    expect(Object.keys(metrics).sort()).toEqual(['auc', 'f1', 'precision', 'recall']);
    expect(metrics.auc).toBeGreaterThan(0.9);
    expect(metrics.f1).toBeGreaterThan(0.5);

    // Run only one step from the cell's context (inputs from the run above), then cancel a run.
    await page.evaluate(() =>
      (
        window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
      ).jupyterapp.commands.execute('stillwater:run-only-step', { step: 'evaluate' }),
    );
    await page.waitForSelector('.sw-run-status[data-status="done"]:text("Run only evaluate")', { timeout: 120_000 });
    expect(await page.getAttribute('.sw-node[data-step="evaluate"]', 'data-status')).toBe('done');
    expect(await page.getAttribute('.sw-node[data-step="train"]', 'data-status')).toBe('skipped');
    // Nothing changed since the first run, so a plain re-run would be served from the cache in
    // milliseconds: run from the first step instead (executes it and its descendants), then cancel.
    // (not awaited in the page: the command resolves only when the run ends)
    await page.evaluate(
      () =>
        void (
          window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
        ).jupyterapp.commands.execute('stillwater:run-from-step', { step: 'ingest' }),
    );
    await page.waitForSelector('.sw-run-status[data-status="running"]');
    await page.click(`${CURRENT} .jp-NotebookPanel-toolbar [data-command="stillwater:cancel"]`);
    await page.waitForSelector('.sw-run-status[data-status="cancelled"]', { timeout: 60_000 });

    // Run history: the three runs, newest first; compare two.
    await runCommand(page, 'stillwater:open-history');
    await page.waitForSelector('.sw-history tr.sw-run', { timeout: 60_000 });
    const statuses = await page.$$eval('.sw-history tr.sw-run', (rows) =>
      rows.map((r) => r.className.replace(/.*sw-status-(\w+).*/, '$1')),
    );
    expect(statuses).toEqual(['cancelled', 'done', 'done']);
    const picks = page.locator('.sw-history tr.sw-run input[type=checkbox]');
    await picks.nth(1).check();
    await picks.nth(2).check();
    await page.waitForSelector('.sw-compare-table');
    expect(await page.textContent('.sw-compare-table')).toContain('metric auc');
    await page.screenshot({ path: path.join(OUT, 'turbofan-history.png') });
    // The first run's lineage: prepare read bronze and wrote silver; asking about the
    // silver version it wrote names that run and step.
    const firstRun = await page.getAttribute('.sw-history tr.sw-run >> nth=2', 'data-run-id');
    await page.click(`.sw-history tr.sw-run[data-run-id="${firstRun}"] a.sw-run-id`);
    const wrote = page.locator('.sw-run-details tr.sw-lineage-row[data-step="prepare"][data-how="wrote"]');
    await wrote.first().waitFor({ timeout: 60_000 });
    expect(await wrote.evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.what).sort())).toEqual([
      'silver/test',
      'silver/train',
    ]);
    expect(
      await page
        .locator('.sw-run-details tr.sw-lineage-row[data-step="prepare"][data-how="read"]')
        .evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.what)),
    ).toContain('bronze/train');
    await wrote
      .filter({ has: page.locator('a:text-is("silver/train")') })
      .locator('a.sw-lineage-ask')
      .click();
    const writer = page.locator('.sw-lineage-answer .sw-lineage-writer');
    await writer.waitFor({ timeout: 60_000 });
    expect(await writer.getAttribute('data-run-id')).toBe(firstRun);
    expect(await writer.getAttribute('data-step')).toBe('prepare');
    expect(await page.textContent('.sw-lineage-answer')).toContain('from step ingest');
    await page.locator('.sw-HistoryView').screenshot({ path: path.join(OUT, 'turbofan-lineage.png') });
    // Back to the notebook (opening an open document activates it).
    await page.evaluate(() =>
      (
        window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
      ).jupyterapp.commands.execute('docmanager:open', { path: 'turbofan.ipynb' }),
    );

    await saveAndReload(page);
    await expect
      .poll(() => tagsOnDisk(lab, 'turbofan.ipynb', 'turbofan-15'))
      .toEqual(['step:evaluate', 'kind:evaluate', 'prev:train', 'prev:validate']);
    await page.waitForSelector('.sw-TagBar[data-cell-id="turbofan-15"] .sw-dep-chip', { timeout: 60_000 });
    expect(await page.textContent('.sw-TagBar[data-cell-id="turbofan-15"]')).toContain('← validate');
    await expect.poll(() => page.locator('.sw-dag path.sw-edge[data-to="evaluate"]').count()).toBe(2);

    expect(errors, `console errors:\n${errors.join('\n')}\n\nserver log:\n${lab.log().slice(-4000)}`).toEqual([]);
  }, 400_000);

  it('small notebook: an untagged cell becomes a new step through the editor and runs', async () => {
    await openNotebook(page, lab, NOTEBOOK);
    await page.waitForSelector('.sw-TagBar[data-cell-id="load"] .sw-step-chip');

    // Tag bars: the roles of the fixture's cells.
    expect(await page.textContent('.sw-TagBar[data-cell-id="load"] .sw-step-chip')).toBe('load');
    expect(await page.getAttribute('.sw-TagBar[data-cell-id="load"] .sw-step-chip', 'class')).toContain(
      'sw-kind-ingest',
    );
    expect(await page.textContent('.sw-TagBar[data-cell-id="params"] .sw-role-chip')).toBe('parameters');
    expect(await page.textContent('.sw-TagBar[data-cell-id="square"] .sw-dep-chip')).toBe('← load');
    expect(await dagSteps(page)).toEqual(['cube', 'load', 'square']);
    await page.locator(CURRENT).screenshot({ path: path.join(OUT, 'tag-bars.png') });

    // Retag the untagged summary cell through the editor: a step after square and cube.
    await page.click('.sw-TagBar[data-cell-id="summary"] .sw-chips');
    const editor = page.locator('.sw-TagBar[data-cell-id="summary"] .sw-TagEditor');
    await editor.locator('select.sw-role').selectOption('step');
    await editor.locator('input.sw-step-name').fill('Summary');
    await expect.poll(() => editor.locator('.sw-name-error').textContent()).toContain('lower-case');
    expect(await editor.locator('button.sw-apply').isDisabled()).toBe(true);
    await editor.locator('input.sw-step-name').fill('summarize');
    await expect.poll(() => editor.locator('button.sw-apply').isDisabled()).toBe(false);
    await editor.locator('select.sw-kind').selectOption('evaluate');
    await editor.locator('.sw-deps input[value="square"]').check();
    await editor.locator('.sw-deps input[value="cube"]').check();
    await page.locator('.sw-TagBar[data-cell-id="summary"]').screenshot({ path: path.join(OUT, 'tag-editor.png') });
    await editor.locator('button.sw-apply').click();

    // The DAG follows at once.
    await expect.poll(() => dagSteps(page)).toEqual(['cube', 'load', 'square', 'summarize']);
    expect(await page.locator('.sw-dag path.sw-edge[data-to="summarize"]').count()).toBe(2);
    expect(await page.textContent('.sw-TagBar[data-cell-id="summary"] .sw-step-chip')).toBe('summarize');

    // Run from the notebook toolbar (the unsaved tags are what runs).
    await watchNodeStatuses(page);
    await page.click(`${CURRENT} .jp-NotebookPanel-toolbar [data-command="stillwater:run"]`);
    await waitForRunEnd(page);
    await page.locator('#stillwater-pipeline-panel').screenshot({ path: path.join(OUT, 'dag-after-run.png') });
    const panelText = await page.textContent('#stillwater-pipeline-panel');
    expect(await page.getAttribute('.sw-run-status', 'data-status'), panelText ?? '').toBe('done');
    const statuses = await page.$$eval('.sw-dag .sw-node', (nodes) =>
      Object.fromEntries(nodes.map((n) => [(n as SVGGElement).dataset.step, (n as SVGGElement).dataset.status])),
    );
    expect(statuses).toEqual({ load: 'done', square: 'done', cube: 'done', summarize: 'done' });
    // The run's metrics: values 1..6 → Σv² = 91, Σv³ = 441.
    expect(await page.textContent('.sw-metrics tr[data-metric="total"] td')).toBe('532');
    expect(Number(await page.textContent('.sw-metrics tr[data-metric="mean_square"] td'))).toBeCloseTo(91 / 6, 3);

    // A run never touches the notebook file; saving (the user's act) writes the tags.
    expect(tagsOnDisk(lab, NOTEBOOK, 'summary')).toEqual([]);
    await saveAndReload(page);
    expect(tagsOnDisk(lab, NOTEBOOK, 'summary')).toEqual([
      'step:summarize',
      'kind:evaluate',
      'prev:square',
      'prev:cube',
    ]);
    await page.waitForSelector('.sw-TagBar[data-cell-id="summary"] .sw-step-chip', { timeout: 60_000 });
    expect(await page.textContent('.sw-TagBar[data-cell-id="summary"] .sw-step-chip')).toBe('summarize');
    await expect.poll(() => dagSteps(page)).toEqual(['cube', 'load', 'square', 'summarize']);

    expect(errors, `console errors:\n${errors.join('\n')}\n\nserver log:\n${lab.log().slice(-4000)}`).toEqual([]);
  }, 400_000);
});
