/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The extension in a real browser against a real JupyterLab 4.6 and the tslab kernel:
 * open a copy of a tagged notebook, retag a cell through the tag editor, see the DAG
 * follow, run the pipeline from the notebook toolbar, watch every node reach done,
 * read the run's metrics, reload and find the tags on disk — with zero console errors.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { collectErrors, type Lab, launchBrowser, startLab } from './harness.js';

const OUT = path.join(repoRoot, 'tests', '.out', 'e2e');
const FIXTURE = path.join(repoRoot, 'tests', 'e2e', 'fixtures', 'squares.ipynb');
const NOTEBOOK = 'squares.ipynb';

let lab: Lab;
let browser: Browser;
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

async function dagSteps(p: Page): Promise<string[]> {
  return p.$$eval('.sw-dag .sw-node', (nodes) => nodes.map((n) => (n as SVGGElement).dataset.step!).sort());
}

describe('Stillwater JupyterLab extension (browser)', () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    lab = await startLab();
    copyFileSync(FIXTURE, path.join(lab.root, NOTEBOOK));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    errors = collectErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  it('edits tags in the UI, runs the pipeline live, and keeps the tags on disk', async () => {
    await page.goto(`${lab.url}/lab/tree/${NOTEBOOK}`);
    await page.waitForFunction(
      () => {
        const app = (window as unknown as { jupyterapp?: { shell: { currentWidget: unknown } } }).jupyterapp;
        const w = app?.shell.currentWidget as { sessionContext?: { isReady: boolean } } | undefined;
        return !!w?.sessionContext?.isReady;
      },
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForSelector('.sw-TagBar[data-cell-id="load"] .sw-step-chip');
    await page.waitForSelector('.sw-dag .sw-node');

    // Tag bars: the roles of the fixture's cells.
    expect(await page.textContent('.sw-TagBar[data-cell-id="load"] .sw-step-chip')).toBe('load');
    expect(await page.getAttribute('.sw-TagBar[data-cell-id="load"] .sw-step-chip', 'class')).toContain(
      'sw-kind-ingest',
    );
    expect(await page.textContent('.sw-TagBar[data-cell-id="params"] .sw-role-chip')).toBe('parameters');
    expect(await page.textContent('.sw-TagBar[data-cell-id="square"] .sw-dep-chip')).toBe('← load');
    expect(await dagSteps(page)).toEqual(['cube', 'load', 'square']);
    await page.locator('.jp-NotebookPanel').screenshot({ path: path.join(OUT, 'tag-bars.png') });

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

    // Run from the notebook toolbar and watch every node go through to done.
    await watchNodeStatuses(page);
    await page.click('.jp-NotebookPanel-toolbar [data-command="stillwater:run"]');
    await page.waitForSelector('.sw-dag .sw-node[data-status="running"]', { timeout: 120_000 });
    await page.locator('#stillwater-pipeline-panel').screenshot({ path: path.join(OUT, 'dag-mid-run.png') });
    await page.waitForSelector(
      '.sw-run-status[data-status="done"], .sw-run-status[data-status="failed"], .sw-run-status[data-status="cancelled"]',
      { timeout: 180_000 },
    );
    await page.locator('#stillwater-pipeline-panel').screenshot({ path: path.join(OUT, 'dag-after-run.png') });
    const statuses = await page.$$eval('.sw-dag .sw-node', (nodes) =>
      Object.fromEntries(nodes.map((n) => [(n as SVGGElement).dataset.step, (n as SVGGElement).dataset.status])),
    );
    const panelText = await page.textContent('#stillwater-pipeline-panel');
    expect(await page.getAttribute('.sw-run-status', 'data-status'), panelText ?? '').toBe('done');
    expect(statuses).toEqual({ load: 'done', square: 'done', cube: 'done', summarize: 'done' });
    const seen = await page.evaluate(() => (window as unknown as { __swSeen: Record<string, string[]> }).__swSeen);
    for (const step of ['load', 'square', 'cube', 'summarize']) {
      expect(seen[step], step).toContain('running');
      expect(seen[step]!.at(-1), step).toBe('done');
    }

    // The run's metrics: values 1..6 → Σv² = 91, Σv³ = 441.
    expect(await page.textContent('.sw-metrics tr[data-metric="total"] td')).toBe('532');
    expect(Number(await page.textContent('.sw-metrics tr[data-metric="mean_square"] td'))).toBeCloseTo(91 / 6, 3);

    // A run never touches the notebook file; saving (the user's act) writes the tags.
    const onDiskBefore = JSON.parse(readFileSync(path.join(lab.root, NOTEBOOK), 'utf8'));
    expect(onDiskBefore.cells.find((c: { id: string }) => c.id === 'summary').metadata.tags ?? []).toEqual([]);
    await page.evaluate(() =>
      (
        window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }
      ).jupyterapp.commands.execute('docmanager:save'),
    );
    await expect
      .poll(() => {
        const nb = JSON.parse(readFileSync(path.join(lab.root, NOTEBOOK), 'utf8'));
        return nb.cells.find((c: { id: string }) => c.id === 'summary').metadata.tags;
      })
      .toEqual(['step:summarize', 'kind:evaluate', 'prev:square', 'prev:cube']);

    await page.reload();
    await page.waitForSelector('.sw-TagBar[data-cell-id="summary"] .sw-step-chip', { timeout: 60_000 });
    expect(await page.textContent('.sw-TagBar[data-cell-id="summary"] .sw-step-chip')).toBe('summarize');
    await expect.poll(() => dagSteps(page)).toEqual(['cube', 'load', 'square', 'summarize']);

    expect(errors, `console errors:\n${errors.join('\n')}\n\nserver log:\n${lab.log().slice(-4000)}`).toEqual([]);
  }, 400_000);
});
