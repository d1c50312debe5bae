/**
 * Every valid notebook of the compiler's fixture corpus runs under the runner
 * (notebook → compile → run); for a sample, each step's stdout equals the
 * stdout of that step's cells in a top-to-bottom tslab run of the notebook.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { freshOutDir, repoRoot } from '../../helpers/paths.js';
import { cellStdout, runNotebookInTslab } from '../../helpers/tslab.js';

const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'notebooks');
/** Fixtures that are meant to fail at run time, and where. */
const EXPECTED_FAILURES: Record<string, { step: string; cell: number }> = {
  'runtime-error': { step: 'boom', cell: 1 },
  // An unawaited promise rejects after the step's code returned: still the step's failure.
  'runtime-unawaited': { step: 'fire', cell: 0 },
  // A step reads a variable of a non-ancestor (or skipped) cell: the compiler only warns.
  'warn-pitfalls': { step: 'orphan', cell: 2 },
  'warn-skipped-read': { step: 'second', cell: 2 },
};
/** Compared with tslab (each tslab run costs seconds, so a sample; the diamond has its own test). */
const COMPARED = ['linear', 'parameters'];

let work: string;
beforeAll(() => {
  work = freshOutDir('runner-fixtures-');
});

function copyFixture(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const nb = path.join(dir, `${name}.ipynb`);
  copyFileSync(path.join(fixtures, `${name}.ipynb`), nb);
  // Local modules a notebook imports by relative path sit next to it (`local-module-helpers.mjs`).
  for (const f of readdirSync(fixtures)) {
    if (f.startsWith(`${name}-`) && /\.(m?[jt]s)$/.test(f)) copyFileSync(path.join(fixtures, f), path.join(dir, f));
  }
  return nb;
}

async function run(nb: string) {
  const h = runPipeline(nb, { home: path.join(work, 'home'), cache: false });
  const events: RunEvent[] = [];
  for await (const e of h) events.push(e);
  return { events, result: await h.result };
}

/**
 * The corpus at the time of writing, listed explicitly so fixtures the compiler adds later
 * (possibly failing on purpose) do not change what this test means. `magic` is left out:
 * it is about compile diagnostics for tslab magics.
 */
const RUNNABLE = [
  'commonjs-require',
  'diamond',
  'fanout',
  'functions',
  'handles',
  'kale-block-merge',
  'linear',
  'local-module',
  'marshal-kinds',
  'metrics',
  'parameters',
  'runtime-error',
  'runtime-unawaited',
  'skip',
  'untagged-continuation',
  'warn-pitfalls',
  'warn-skipped-read',
];

describe('compiler fixture notebooks under the runner', () => {
  it.each(RUNNABLE)('%s runs to its expected end', async (name) => {
    const { result } = await run(copyFixture(name));
    const failure = EXPECTED_FAILURES[name];
    if (failure) {
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ step: failure.step, cell: failure.cell });
      expect(result.error?.line).toBeGreaterThan(0);
    } else {
      expect(result.status, JSON.stringify(result.error)).toBe('done');
    }
  });

  it.each(COMPARED)(
    '%s: every step prints what its cells print in tslab',
    async (name) => {
      const nb = copyFixture(name);
      const [{ events, result }, cells] = await Promise.all([
        run(nb),
        runNotebookInTslab(nb, { cwd: path.dirname(nb) }),
      ]);
      expect(result.status).toBe('done');
      const spec = JSON.parse(
        readFileSync(path.join(path.dirname(nb), `${name}.pipeline`, 'pipeline.json'), 'utf8'),
      ) as PipelineSpec;
      let compared = 0;
      for (const step of spec.steps) {
        const expected = step.source.map((s) => cellStdout(cells[s.cell]!)).join('');
        const got = events
          .filter((e) => e.type === 'log' && e.step === step.name && e.stream === 'stdout')
          .map((e) => (e.type === 'log' ? e.text : ''))
          .join('');
        expect(got, `step ${step.name}`).toBe(expected);
        if (expected) compared++;
      }
      expect(compared).toBeGreaterThan(0);
    },
    300_000,
  );
});
