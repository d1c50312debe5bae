/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Comparing and repeating runs, and JupyterLab's conventions, in a real browser against a
 * real JupyterLab and the tslab kernel: run the small squares pipeline from the main
 * menu's Pipeline menu, again with a changed parameter, open the history from the menu,
 * compare the two runs (both columns inside the panel, the changed values highlighted),
 * read the metric trend, filter, re-run the first run with its parameters (same metrics),
 * read a run's steps and lineage, follow the run in the status bar, switch to the dark theme (kind colours and chart
 * background follow), reload and find the history tab and the pipeline panel restored.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { type Lab, openSession, type Session } from './harness.js';
import { countRunEnds, openNotebook, waitForRunEnds } from './page.js';

const OUT = path.join(repoRoot, 'tests', '.out', 'e2e');
const FIXTURE = path.join(repoRoot, 'tests', 'e2e', 'fixtures', 'squares.ipynb');
const NOTEBOOK = 'squares.ipynb';
const WORKSPACE = 'squares-ipynb';
const HISTORY = '.sw-HistoryView';

let session: Session;
let lab: Lab;
let page: Page;
let errors: string[];

/** Opens the main menu's Pipeline menu and clicks the item labelled `label`. */
async function pipelineMenu(p: Page, label: string): Promise<string[]> {
  await p.click('.lm-MenuBar-item:has(.lm-MenuBar-itemLabel:text-is("Pipeline"))');
  const menu = p.locator('.lm-Menu:visible').last();
  await menu.waitFor();
  const labels = (await menu.locator('.lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel').allTextContents()).filter(
    Boolean,
  );
  await menu.locator(`.lm-Menu-item:has(.lm-Menu-itemLabel:text-is("${label}"))`).click();
  return labels;
}

/** The history rows, newest first: run id, status, params and metrics as shown. */
async function historyRows(p: Page): Promise<{ runId: string; status: string; params: string; metrics: string }[]> {
  return p.$$eval(`${HISTORY} .sw-history:not(.sw-steps-table) tr.sw-run`, (rows) =>
    rows.map((r) => {
      return {
        runId: (r as HTMLElement).dataset.runId!,
        status: r.className.replace(/.*sw-status-(\w+).*/, '$1'),
        params: r.querySelector('td.sw-params-cell')!.textContent!,
        metrics: r.querySelector('td.sw-metrics-cell')!.textContent!,
      };
    }),
  );
}

/** The trend chart's points, oldest first: run id and value. */
async function trendPoints(p: Page): Promise<{ runId: string; value: number; cy: number }[]> {
  return p.$$eval(`${HISTORY} .sw-trend-chart circle.sw-chart-point`, (dots) =>
    dots.map((d) => ({
      runId: (d as SVGCircleElement).dataset.runId!,
      value: Number((d as SVGCircleElement).dataset.value),
      cy: Number(d.getAttribute('cy')),
    })),
  );
}

/** Waits for the n-th run end since the start; all of them must have ended done. */
async function expectRunsDone(p: Page, n: number): Promise<void> {
  const ends = await waitForRunEnds(p, n);
  expect(ends, (await p.textContent('#stillwater-pipeline-panel')) ?? '').toEqual(Array(n).fill('done'));
}

/** What the workspace saved on the server (what a reload restores from). */
async function savedWorkspace(l: Lab): Promise<Record<string, unknown>> {
  const res = await fetch(`${l.url}/lab/api/workspaces/${WORKSPACE}`);
  return ((await res.json()) as { data: Record<string, unknown> }).data;
}

describe('Stillwater run history, Pipeline menu, status bar, theme, restoration (browser)', () => {
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    session = await openSession({ width: 1400, height: 950 }, (root) => {
      // The squares fixture with its summary cell made a step (as lab.e2e does through the editor).
      const nb = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      nb.cells.find((c: { id: string }) => c.id === 'summary').metadata.tags = [
        'step:summarize',
        'kind:evaluate',
        'prev:square',
        'prev:cube',
      ];
      writeFileSync(path.join(root, NOTEBOOK), JSON.stringify(nb));
    });
    ({ lab, page, errors } = session);
  }, 120_000);

  afterAll(() => session?.close());

  it('compare, trend, filter and re-run from the history; menu, status bar, dark theme, reload', async () => {
    await openNotebook(page, lab, NOTEBOOK);
    await countRunEnds(page);
    const status = page.locator('.sw-StatusItem');
    expect(await status.textContent()).toBe('Pipeline: idle');

    // Run 1 from the main menu (defaults N=6, OFFSET=1: total 91 + 441 = 532).
    const items = await pipelineMenu(page, 'Run Pipeline');
    expect(items).toEqual(
      expect.arrayContaining(['Compile Pipeline', 'Run Pipeline', 'Cancel Pipeline Run', 'Open Run History']),
    );
    await page.waitForSelector('.sw-StatusItem:not([data-status="idle"])');
    await expectRunsDone(page, 1);
    expect(await status.getAttribute('data-status')).toBe('done');
    expect(await status.textContent()).toBe('Pipeline: Run · done');

    // Run 2 with N=4 set in the panel: 1..4 → total 30 + 100 = 130.
    const n = page.locator('.sw-params input[data-param="N"]');
    await n.fill('4');
    await n.press('Tab');
    await page.click('.jp-NotebookPanel-toolbar [data-command="stillwater:run"]');
    await expectRunsDone(page, 2);
    expect(await page.textContent('.sw-metrics tr[data-metric="total"] td')).toBe('130');

    // The history, from the menu: two runs, newest first.
    await pipelineMenu(page, 'Open Run History');
    await page.waitForSelector(`${HISTORY} tr.sw-run`, { timeout: 60_000 });
    let rows = await historyRows(page);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done']);
    expect(rows[0]!.metrics).toContain('total=130');
    expect(rows[1]!.metrics).toContain('total=532');
    const [second, first] = rows.map((r) => r.runId) as [string, string];

    // Compare: a column per run, both inside the view; N and the metrics changed, OFFSET not.
    await page.locator(`${HISTORY} tr.sw-run[data-run-id="${first}"] input[type=checkbox]`).check();
    await page.locator(`${HISTORY} tr.sw-run[data-run-id="${second}"] input[type=checkbox]`).check();
    const compare = page.locator(`${HISTORY} .sw-compare-table`);
    await compare.waitFor();
    expect(await compare.locator('th.sw-compare-run').allTextContents()).toEqual([first, second]);
    const view = (await page.locator(HISTORY).boundingBox())!;
    for (const id of [first, second]) {
      const cell = (await compare.locator(`th.sw-compare-run[data-run-id="${id}"]`).boundingBox())!;
      expect(cell.width, id).toBeGreaterThan(40);
      expect(cell.x, id).toBeGreaterThanOrEqual(view.x);
      expect(cell.x + cell.width, id).toBeLessThanOrEqual(view.x + view.width + 0.5);
    }
    const changed = async (row: string) =>
      compare.locator(`tr[data-row="${row}"] td.sw-changed`).evaluateAll((tds) => tds.map((td) => td.textContent));
    expect(await changed('param:N')).toEqual(['4']);
    expect(await changed('metric:total')).toEqual(['130']);
    expect(await changed('param:OFFSET')).toEqual([]);
    const differs = (row: string) =>
      compare.locator(`tr[data-row="${row}"]`).evaluate((tr) => tr.classList.contains('sw-diff'));
    expect(await differs('param:N')).toBe(true);
    expect(await differs('param:OFFSET')).toBe(false);
    const highlight = await compare
      .locator('tr[data-row="param:N"] td.sw-changed')
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(highlight).not.toMatch(/rgba\(0, 0, 0, 0\)|transparent/);
    await page.locator(HISTORY).screenshot({ path: path.join(OUT, 'history-compare.png') });

    // The trend of total across the pipeline's runs, oldest first.
    await page.locator(`${HISTORY} select.sw-trend-metric`).selectOption('total');
    await expect
      .poll(() => trendPoints(page))
      .toMatchObject([
        { runId: first, value: 532 },
        { runId: second, value: 130 },
      ]);
    const [p1, p2] = await trendPoints(page);
    expect(p1!.cy).toBeLessThan(p2!.cy); // the higher value sits higher

    // Filters: by parameter, then by status.
    await page.locator(`${HISTORY} input.sw-filter-params`).fill('N=4');
    await page.locator(`${HISTORY} input.sw-filter-params`).press('Enter');
    await expect.poll(async () => (await historyRows(page)).map((r) => r.runId)).toEqual([second]);
    await page.locator(`${HISTORY} input.sw-filter-params`).fill('');
    await page.locator(`${HISTORY} input.sw-filter-params`).press('Enter');
    await page.locator(`${HISTORY} select.sw-filter-status`).selectOption('failed');
    await expect.poll(async () => (await historyRows(page)).length).toBe(0);
    await page.locator(`${HISTORY} select.sw-filter-status`).selectOption('done');
    await expect.poll(async () => (await historyRows(page)).length).toBe(2);

    // Re-run the first run with its parameters (N=6, not the panel's N=4): same metrics.
    await page.locator(`${HISTORY} tr.sw-run[data-run-id="${first}"] button.sw-rerun`).click();
    await expectRunsDone(page, 3);
    expect(await status.textContent()).toBe(`Pipeline: Re-run ${first} · done`);
    await expect.poll(async () => (await historyRows(page)).length).toBe(3);
    rows = await historyRows(page);
    const third = rows[0]!.runId;
    expect(rows[0]!.params).toBe(rows[2]!.params);
    expect(rows[0]!.metrics).toBe(rows[2]!.metrics);
    expect(rows[0]!.metrics).toContain('total=532');
    await expect.poll(async () => (await trendPoints(page)).map((p) => p.value)).toEqual([532, 130, 532]);
    expect((await trendPoints(page)).map((p) => p.runId)).toEqual([first, second, third]);

    // A run's steps.
    await page.click(`${HISTORY} tr.sw-run[data-run-id="${third}"] a.sw-run-id`);
    await page.waitForSelector(`${HISTORY} .sw-run-details[data-run-id="${third}"] tr.sw-step-row`);
    expect(
      await page.$$eval(`${HISTORY} .sw-run-details tr.sw-step-row`, (rs) =>
        rs.map((r) => (r as HTMLElement).dataset.step).sort(),
      ),
    ).toEqual(['cube', 'load', 'square', 'summarize']);
    // Its lineage: the step artifacts each step consumed and produced, by content hash.
    const lineage = await page.$$eval(`${HISTORY} .sw-run-details tr.sw-lineage-row`, (rs) =>
      rs.map(
        (r) => `${(r as HTMLElement).dataset.step} ${(r as HTMLElement).dataset.how} ${r.children[2]!.textContent}`,
      ),
    );
    expect(lineage).toEqual(
      expect.arrayContaining(['load produced values', 'summarize consumed squares', 'summarize consumed cubes']),
    );
    await page.screenshot({ path: path.join(OUT, 'history-light.png') });

    // Dark theme: kind colours and the chart background follow it.
    const colours = () =>
      page.evaluate(() => ({
        node: getComputedStyle(document.querySelector('.sw-dag .sw-kind-ingest rect')!).fill,
        chart: getComputedStyle(document.querySelector('.sw-trend-chart .sw-chart-bg')!).fill,
        layout: getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim(),
      }));
    const light = await colours();
    await page.evaluate(() =>
      (
        window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
      ).jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' }),
    );
    await page.waitForSelector('body[data-jp-theme-light="false"]', { state: 'attached' });
    await expect.poll(async () => (await colours()).chart).not.toBe(light.chart);
    const dark = await colours();
    expect(dark.node).not.toBe(light.node);
    expect(dark.chart).toBe('rgb(33, 33, 33)'); // the dark theme's --jp-layout-color1
    expect(light.chart).toBe('rgb(255, 255, 255)');
    await page.screenshot({ path: path.join(OUT, 'history-dark.png') });

    // Reload the workspace (not the notebook URL): the notebook, the history tab and the
    // pipeline panel come back from the saved layout.
    await expect
      .poll(async () => JSON.stringify(await savedWorkspace(lab)))
      .toContain(`stillwater-history:${NOTEBOOK}`);
    // JupyterLab saves the workspace a moment after a change: wait until the view's last change
    // (the third run's steps shown) is on the server, as a reload restores only what was saved.
    await expect
      .poll(async () => (await savedWorkspace(lab))[`@stillwater/jupyterlab:history-view:${NOTEBOOK}`], {
        timeout: 30_000,
      })
      .toMatchObject({ details: third, status: 'done' });
    const layout = (await savedWorkspace(lab))['layout-restorer:data'] as { right: { current?: string } };
    expect(layout.right.current).toBe('stillwater-pipeline-panel');
    await page.goto(`${lab.url}/lab/workspaces/${WORKSPACE}`);
    await page.waitForSelector(`${HISTORY} tr.sw-run`, { timeout: 90_000 });
    await expect.poll(async () => (await historyRows(page)).length).toBe(3);
    await page.waitForSelector('#stillwater-pipeline-panel:not(.lm-mod-hidden) .sw-dag .sw-node');
    const tabs = await page.$$eval('#jp-main-dock-panel .lm-TabBar-tabLabel', (ls) => ls.map((l) => l.textContent));
    expect(tabs).toEqual(expect.arrayContaining([NOTEBOOK, `Runs: ${NOTEBOOK}`]));
    // The view as it was left: status filter, the two ticked runs compared, the third run's steps, the metric.
    const restoredState = () =>
      page.evaluate((view) => {
        const q = <T extends Element>(sel: string) => document.querySelector<T>(`${view} ${sel}`);
        return {
          status: q<HTMLSelectElement>('select.sw-filter-status')?.value ?? null,
          compared: [...document.querySelectorAll(`${view} .sw-compare-table th.sw-compare-run`)].map(
            (th) => th.textContent,
          ),
          details: q<HTMLElement>('.sw-run-details')?.dataset.runId ?? null,
          metric: q<HTMLSelectElement>('select.sw-trend-metric')?.value ?? null,
        };
      }, HISTORY);
    const leftAs = { status: 'done', compared: [first, second], details: third, metric: 'total' };
    await expect.poll(restoredState, { timeout: 30_000 }).toEqual(leftAs);
    await page.screenshot({ path: path.join(OUT, 'history-restored.png') });
    // Closed and opened again: the same.
    await page
      .locator(`#jp-main-dock-panel .lm-TabBar-tab:has-text("Runs: ${NOTEBOOK}") .lm-TabBar-tabCloseIcon`)
      .click();
    await page.waitForSelector(HISTORY, { state: 'detached' });
    await pipelineMenu(page, 'Open Run History');
    await page.waitForSelector(`${HISTORY} tr.sw-run`, { timeout: 60_000 });
    await expect.poll(restoredState, { timeout: 30_000 }).toEqual(leftAs);

    expect(errors, `console errors:\n${errors.join('\n')}\n\nserver log:\n${lab.log().slice(-4000)}`).toEqual([]);
  }, 400_000);
});
