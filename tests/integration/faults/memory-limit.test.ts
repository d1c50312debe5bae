/**
 * `limit:memory:QTY` on the local engine (issue 16 item 4): a step over its memory limit
 * is killed and fails with "step `x` exceeded memory limit QTY" — whether the memory is
 * outside the JavaScript heap (Buffers, like Arrow data and WASM memories: the resident
 * size is watched) or in it (the heap is bounded by the limit) — while a step within its
 * limit, and the other steps, run as usual.
 */
import { describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { PlainProgress } from '../../../kernel-lib/src/runner/progress.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';

async function run(name: string, cells: ReturnType<typeof code>[]) {
  const { dir, nb } = writeNotebook(name, cells);
  const outDir = `${dir}/compiled`;
  await compileNotebook(nb, { outDir });
  const h = runPipeline(outDir, { home: `${dir}/home`, cache: false, concurrency: 1 });
  const events: RunEvent[] = [];
  for await (const e of h) events.push(e);
  return { result: await h.result, events };
}

const plainText = (events: RunEvent[]) => {
  let text = '';
  const plain = new PlainProgress({ write: (t: string) => (text += t) }, { logs: false });
  for (const e of events) plain.onEvent(e);
  return text;
};

describe('a step over its limit:memory', () => {
  it('is killed for its resident memory (off-heap Buffers) with a clear error naming the limit', async () => {
    const started = Date.now();
    const { result, events } = await run('memory-rss', [
      code(['step:small', 'limit:memory:512Mi'], 'const few = Buffer.alloc(8 * 2 ** 20, 1).length;'),
      code(
        ['step:hog', 'prev:small', 'limit:memory:300Mi'],
        'const held: Buffer[] = [];\nconsole.log("allocating", few);',
      ),
      // Cell 2 (joins `hog`): 16 MB at a time, touched so it is resident, until 2 GB.
      code(
        [],
        'for (let i = 0; i < 128; i++) {\n  held.push(Buffer.alloc(16 * 2 ** 20, i));\n  await new Promise((r) => setTimeout(r, 5));\n}\nconst total = held.length;',
      ),
      code(['pipeline-metrics'], 'total'),
    ]);
    expect(result.status).toBe('failed');
    expect(result.steps).toEqual({ small: 'done', hog: 'failed' });
    const error = result.error!;
    console.log(`resident: ${error.message}`);
    expect(error).toMatchObject({ step: 'hog', type: 'MemoryLimitExceeded', cell: 2, signal: 'SIGKILL' });
    const reached = Number(/resident memory reached (\d+) MB/.exec(error.message)?.[1]);
    expect(reached).toBeGreaterThan(300);
    expect(reached).toBeLessThan(600);
    expect(error.message).toBe(
      `step \`hog\` exceeded memory limit 300Mi (resident memory reached ${reached} MB) in cell 2`,
    );
    expect(plainText(events)).toContain('hog failed in');
    expect(plainText(events)).toContain('MemoryLimitExceeded: step `hog` exceeded memory limit 300Mi');
    // Killed while allocating, long before 2 GB.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('fails the same way when the JavaScript heap fills up to the limit', async () => {
    const { result, events } = await run('memory-heap', [
      code(
        ['step:greedy', 'limit:memory:160Mi'],
        'const kept: unknown[] = [];\nconst v8 = await import("node:v8");\nconsole.log("heap limit " + Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20) + " MB");',
      ),
      code([], 'for (;;) kept.push({ n: Math.random(), s: "x" + Math.random() });\nconst never = kept.length;'),
      code(['pipeline-metrics'], 'never'),
    ]);
    expect(result.status).toBe('failed');
    // The heap is bounded by the limit (Node's default here would be ~2 GB).
    const log = events
      .filter((e) => e.type === 'log')
      .map((e) => (e as { text: string }).text)
      .join('');
    const heapMb = Number(/heap limit (\d+) MB/.exec(log)?.[1]);
    expect(heapMb).toBeGreaterThanOrEqual(160);
    expect(heapMb).toBeLessThan(240);
    const error = result.error!;
    console.log(`heap: ${error.message} (heap limit ${heapMb} MB)`);
    expect(error).toMatchObject({ step: 'greedy', type: 'MemoryLimitExceeded', cell: 1 });
    expect(error.message).toMatch(
      /^step `greedy` exceeded memory limit 160Mi \((JavaScript heap full at \d+ MB|resident memory reached \d+ MB)\) in cell 1$/,
    );
  }, 120_000);
});
