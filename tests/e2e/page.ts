/// <reference lib="dom" />
/**
 * What the browser tests do in the page: open a notebook, run an app command, wait for a
 * run's end, read the DAG.
 */
import type { Page } from 'playwright-core';
import type { Lab } from './harness.js';

export async function dagSteps(p: Page): Promise<string[]> {
  return p.$$eval('.sw-dag .sw-node', (nodes) => nodes.map((n) => (n as SVGGElement).dataset.step!).sort());
}

/** The visible notebook panel (others may sit in hidden tabs). */
export const CURRENT = '.jp-NotebookPanel:not(.lm-mod-hidden)';

/** Opens a notebook in its own workspace and waits for its kernel and Stillwater UI. */
export async function openNotebook(p: Page, l: Lab, file: string): Promise<void> {
  await p.goto(`${l.url}/lab/workspaces/${file.replace(/\W/g, '-')}/tree/${file}`);
  await p.waitForFunction(
    (name) => {
      const app = (window as unknown as { jupyterapp?: { shell: { currentWidget: unknown } } }).jupyterapp;
      const w = app?.shell.currentWidget as
        | { context?: { path: string }; sessionContext?: { isReady: boolean } }
        | undefined;
      return w?.context?.path === name && !!w.sessionContext?.isReady;
    },
    file,
    { timeout: 60_000 },
  );
  await p.waitForSelector('.sw-dag .sw-node');
}

export async function runCommand(p: Page, id: string): Promise<void> {
  await p.evaluate(
    (command) =>
      void (
        window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }
      ).jupyterapp.commands.execute(command),
    id,
  );
}

export async function waitForRunEnd(p: Page): Promise<void> {
  await p.waitForSelector(
    '.sw-run-status[data-status="done"], .sw-run-status[data-status="failed"], .sw-run-status[data-status="cancelled"]',
    { timeout: 300_000 },
  );
}

/**
 * Counts the runs that end from now on (the panel's run status entering done, failed or
 * cancelled), so a test can wait for the n-th end even when a run is quick.
 */
export async function countRunEnds(p: Page): Promise<void> {
  await p.evaluate(() => {
    const w = window as unknown as { __swRunEnds: string[] };
    w.__swRunEnds = [];
    let last = document.querySelector<HTMLElement>('.sw-run-status')?.dataset.status ?? '';
    new MutationObserver(() => {
      const now = document.querySelector<HTMLElement>('.sw-run-status')?.dataset.status ?? '';
      if (now !== last && ['done', 'failed', 'cancelled'].includes(now)) w.__swRunEnds.push(now);
      last = now;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  });
}

/** Waits until `n` runs ended since `countRunEnds`; returns how each ended. */
export async function waitForRunEnds(p: Page, n: number): Promise<string[]> {
  await p.waitForFunction((count) => (window as unknown as { __swRunEnds: string[] }).__swRunEnds.length >= count, n, {
    timeout: 300_000,
  });
  return p.evaluate(() => (window as unknown as { __swRunEnds: string[] }).__swRunEnds);
}
