/**
 * Issue 4 acceptance on the compiler's fixture notebooks, end to end: notebook →
 * compile → run. The diamond's branches overlap in time, results equal a
 * top-to-bottom run in the real tslab kernel, the cache re-runs exactly what a
 * cell or parameter change affects, and failures are mapped to cell and line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent, RunEvent, StepEvent } from '../../../kernel-lib/src/runner/events.js';
import { type RunOptions, runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { freshOutDir, repoRoot } from '../../helpers/paths.js';
import { cellStdout, runNotebookInTslab } from '../../helpers/tslab.js';

const fixture = path.join(repoRoot, 'tests', 'fixtures', 'notebooks', 'diamond.ipynb');
// Bundles resolve packages from node_modules walking up, like tslab: work inside the repository.

interface Notebook {
  cells: { source: string | string[] }[];
}

/** A copy of the diamond in its own folder, with some cells replaced. */
function diamondVariant(dir: string, cells: Record<number, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  const nbPath = path.join(dir, 'diamond.ipynb');
  const nb = JSON.parse(readFileSync(fixture, 'utf8')) as Notebook;
  for (const [i, src] of Object.entries(cells)) nb.cells[Number(i)]!.source = src;
  writeFileSync(nbPath, JSON.stringify(nb, null, 1));
  return nbPath;
}

function readSource(cell: number): string {
  const src = (JSON.parse(readFileSync(fixture, 'utf8')) as Notebook).cells[cell]!.source;
  return Array.isArray(src) ? src.join('') : src;
}

async function run(nb: string, options: RunOptions) {
  const handle = runPipeline(nb, { retryBackoffMs: 10, ...options });
  const events: RunEvent[] = [];
  for await (const e of handle) events.push(e);
  return { events, result: await handle.result };
}

const logOf = (events: RunEvent[], step: string) =>
  events
    .filter((e): e is LogEvent => e.type === 'log' && e.step === step && e.stream === 'stdout')
    .map((e) => e.text)
    .join('');

describe('diamond fixture notebook', () => {
  let work: string;
  beforeAll(() => {
    work = freshOutDir('runner-nb-');
  });

  it('runs the branches concurrently and matches a top-to-bottom tslab run', async () => {
    // tslab 1.0.22 does not rewrite shorthand properties (`{ label }`) that name a variable of an
    // earlier cell ("label is not defined"); spell the one in cell 8 out so tslab can run the notebook.
    const nb = diamondVariant(path.join(work, 'same'), {
      8: readSource(8).replace('{ label, total,', '{ label: label, total,'),
    });
    const [{ events, result }, cells] = await Promise.all([
      run(nb, { home: path.join(work, 'home-same'), concurrency: 2 }),
      runNotebookInTslab(nb, { cwd: path.dirname(nb) }),
    ]);
    expect(result.status).toBe('done');
    const span = (s: string) => {
      const ev = events.filter((e): e is StepEvent => e.type === 'step' && e.step === s);
      return [Date.parse(ev.find((e) => e.status === 'running')!.time), Date.parse(ev.at(-1)!.time)] as const;
    };
    const [l0, l1] = span('left');
    const [r0, r1] = span('right');
    expect(l0 < r1 && r0 < l1, `left ${l0}..${l1}, right ${r0}..${r1}`).toBe(true);

    const tslabResult = cellStdout(cells[8]!).trim();
    expect(tslabResult).toMatch(/^RESULT /);
    expect(logOf(events, 'join').trim()).toBe(tslabResult);
    const report = JSON.parse(tslabResult.slice('RESULT '.length)) as { total: number };
    expect(result.metrics).toEqual({ total: report.total });
  });

  it('caches: all cached when unchanged; a changed cell or parameter re-runs exactly what depends on it', async () => {
    const home = path.join(work, 'home-cache');
    const nb = diamondVariant(path.join(work, 'cache'));
    const first = await run(nb, { home });
    expect(Object.values(first.result.steps)).toEqual(['done', 'done', 'done', 'done']);
    const second = await run(nb, { home });
    expect(second.result.steps).toEqual({ load: 'cached', left: 'cached', right: 'cached', join: 'cached' });

    const param = await run(nb, { home, params: { scale: '5' } });
    expect(param.result.steps).toEqual({ load: 'cached', left: 'done', right: 'cached', join: 'done' });
    expect(param.result.metrics.total).toBe((first.result.metrics.total as number) + 2 * 21);

    // Edit the `left` cell (cell 6) so its output changes.
    diamondVariant(path.join(work, 'cache'), {
      6: 'const scaled = values.map((v) => v * scale * 2);\nconst leftSum = scaled.reduce((a, b) => a + b, 0);',
    });
    const edited = await run(nb, { home });
    expect(edited.result.steps).toEqual({ load: 'cached', left: 'done', right: 'cached', join: 'done' });
    expect(edited.result.metrics.total).toBe((first.result.metrics.total as number) + 63);
  });

  it('maps a throwing cell to cell and line; process.exit in a step does not take the runner down', async () => {
    const throwing = diamondVariant(path.join(work, 'throw'), {
      7: "const yMean = mean(table.getChild('y')!.toArray());\nif (yMean > 0) throw new RangeError('y mean too big: ' + yMean);\nconst stats = new Map<string, number>();",
    });
    const t = await run(throwing, { home: path.join(work, 'home-throw') });
    expect(t.result.status).toBe('failed');
    expect(t.result.steps).toEqual({ load: 'done', left: 'done', right: 'failed', join: 'skipped' });
    expect(t.result.error).toMatchObject({
      step: 'right',
      type: 'RangeError',
      message: 'y mean too big: 35',
      cell: 7,
      line: 2,
    });

    const exiting = diamondVariant(path.join(work, 'exit'), {
      6: 'const scaled = values.map((v) => v * scale);\nconst leftSum = scaled.reduce((a, b) => a + b, 0);\nprocess.exit(1);',
    });
    const x = await run(exiting, { home: path.join(work, 'home-exit') });
    expect(x.result.steps).toEqual({ load: 'done', left: 'failed', right: 'done', join: 'skipped' });
    expect(x.result.error).toMatchObject({ step: 'left', type: 'Exit', exitCode: 1 });
  });
});
