/**
 * Fault: a step that exhausts its JavaScript heap (issue 12, item 4). V8 aborts the
 * process without a JavaScript stack, and the failure used to read "killed by
 * SIGABRT". It must say that the step ran out of memory, its heap limit, and the
 * cell it was running — here with the heap capped at 48 MB through NODE_OPTIONS
 * in the steps' environment (the runner itself keeps its own limit).
 */
import { describe, expect, it } from 'vitest';
import { compileNotebook } from '../../../kernel-lib/src/pipeline/compile.js';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { PlainProgress } from '../../../kernel-lib/src/runner/progress.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';

describe('a step that runs out of memory', () => {
  it('is reported as such, with its heap limit and cell, not as "killed by SIGABRT"', async () => {
    const { dir, nb } = writeNotebook('out-of-memory', [
      code(
        ['functions'],
        'function hoard(into: unknown[]) {\n  for (;;) into.push({ n: Math.random(), s: "x" + Math.random() });\n}',
      ),
      code(['step:fine'], 'const small = [1, 2, 3];'),
      code(['step:greedy', 'prev:fine'], 'const kept: unknown[] = [...small];\nconsole.log("hoarding");'),
      // Cell 3: an untagged cell joins step `greedy`; this is where memory runs out.
      code([], 'hoard(kept);\nconst never = kept.length;'),
      code(['pipeline-metrics'], 'never'),
    ]);
    const outDir = `${dir}/compiled`;
    await compileNotebook(nb, { outDir });
    const h = runPipeline(outDir, {
      home: `${dir}/home`,
      cache: false,
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=48' },
    });
    const events: RunEvent[] = [];
    for await (const e of h) events.push(e);
    const result = await h.result;

    expect(result.status).toBe('failed');
    expect(result.steps).toEqual({ fine: 'done', greedy: 'failed' });
    const error = result.error!;
    expect(error).toMatchObject({ step: 'greedy', type: 'OutOfMemory', cell: 3, signal: 'SIGABRT' });
    const limit = Number(/heap limit (\d+) MB/.exec(error.message)?.[1]);
    expect(limit).toBeGreaterThanOrEqual(48);
    expect(limit).toBeLessThan(200);
    expect(error.message).toBe(`step \`greedy\` ran out of memory (heap limit ${limit} MB) in cell 3`);
    expect(error.message).not.toContain('SIGABRT');

    // What a person sees (the plain renderer).
    let text = '';
    const plain = new PlainProgress({ write: (t: string) => (text += t) }, { logs: false });
    for (const e of events) plain.onEvent(e);
    expect(text).toMatch(
      /greedy failed in [\d.]+s: OutOfMemory: step `greedy` ran out of memory \(heap limit \d+ MB\) in cell 3/,
    );
  }, 180_000);
});
