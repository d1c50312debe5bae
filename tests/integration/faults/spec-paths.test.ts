/**
 * Fault: a hostile or hand-edited `pipeline.json` (issue 12, item 3). The runner once
 * took step names from a compiled spec as they were, and a step named
 * `../../../../ESCAPE` wrote outside the Stillwater home. Now `load-pipeline.ts` checks
 * the spec against `schema/pipeline.schema.json` and every derived path is resolved
 * under its root (`safe-paths.ts`). Each case: exit 1, one line naming the file and
 * the offending value, no stack trace, and not one file added or changed anywhere in
 * the sandbox around the pipeline and the home.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../../kernel-lib/src/pipeline/spec.js';
import { InvalidSpecError } from '../../../kernel-lib/src/runner/errors.js';
import { runPipeline } from '../../../kernel-lib/src/runner/run-pipeline.js';
import { UnsafePathError } from '../../../kernel-lib/src/runner/safe-paths.js';
import { writeHandPipeline } from '../runner/contract-pipeline.js';
import { listTree, runCli } from './cli-process.js';

/** Two steps: `a` writes `x` (and a file in its work folder), `b` reads it. Four folders deep in a sandbox. */
function sandbox(): { root: string; pipe: string; home: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'sw-spec-paths-'));
  const deep = path.join(root, 'a', 'b', 'c', 'd');
  const pipe = path.join(deep, 'pipe');
  mkdirSync(pipe, { recursive: true });
  writeHandPipeline(
    'paths',
    [
      {
        name: 'a',
        outputs: ['x'],
        body: "(await import('node:fs')).writeFileSync('marker-' + STEP, 'ran');\nreturn { outputs: { x: 1 } };",
      },
      { name: 'b', deps: ['a'], inputs: [{ name: 'x', from: 'a' }], body: 'return {};' },
    ],
    { dir: pipe },
  );
  return { root, pipe, home: path.join(deep, 'home') };
}

type Edit = (spec: PipelineSpec) => void;

const ESCAPE = '../../../../ESCAPE';
const cases: Array<{ what: string; edit: Edit; names: RegExp }> = [
  {
    what: 'a step named ../../../../ESCAPE',
    edit: (s) => {
      s.steps[0]!.name = ESCAPE;
      s.steps[1]!.deps = [ESCAPE];
      s.steps[1]!.inputs[0]!.from = ESCAPE;
    },
    names: /\/steps\/0\/name "\.\.\/\.\.\/\.\.\/\.\.\/ESCAPE" must match pattern/,
  },
  {
    what: 'a bundle outside the pipeline folder',
    edit: (s) => {
      s.steps[0]!.bundle = '../../outside.mjs';
    },
    names: /\/steps\/0\/bundle "\.\.\/\.\.\/outside\.mjs" must match pattern/,
  },
  {
    what: 'an absolute bundle path',
    edit: (s) => {
      s.steps[0]!.bundle = '/tmp/outside.mjs';
    },
    names: /\/steps\/0\/bundle "\/tmp\/outside\.mjs" must match pattern/,
  },
  {
    what: 'a bundle through steps/..',
    edit: (s) => {
      s.steps[0]!.bundle = 'steps/../../a.mjs';
    },
    names: /\/steps\/0\/bundle "steps\/\.\.\/\.\.\/a\.mjs" must match pattern/,
  },
  {
    what: 'an output named ../../x',
    edit: (s) => {
      s.steps[0]!.outputs[0]!.name = '../../x';
      s.steps[1]!.inputs[0]!.name = '../../x';
    },
    names: /\/steps\/0\/outputs\/0\/name "\.\.\/\.\.\/x" must match pattern/,
  },
  {
    what: 'an input from a step named ..',
    edit: (s) => {
      s.steps[1]!.inputs[0]!.from = '..';
    },
    names: /\/steps\/1\/inputs\/0\/from "\.\." must match pattern/,
  },
  {
    what: 'a dependency on /etc',
    edit: (s) => {
      s.steps[1]!.deps = ['/etc'];
    },
    names: /\/steps\/1\/deps\/0 "\/etc" must match pattern/,
  },
  {
    what: 'a pipeline name with a slash',
    edit: (s) => {
      s.name = '../evil';
    },
    names: /\/name "\.\.\/evil" must match pattern/,
  },
  {
    what: 'a step with a name that is not a string',
    edit: (s) => {
      (s.steps[0] as unknown as { name: unknown }).name = { toString: null };
    },
    names: /\/steps\/0\/name must be string/,
  },
];

const edited = (pipe: string, edit: Edit) => {
  const file = path.join(pipe, 'pipeline.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as PipelineSpec;
  edit(spec);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
};

describe('a pipeline.json whose names would escape their folders is refused', () => {
  for (const c of cases) {
    it(c.what, async () => {
      const { root, pipe, home } = sandbox();
      const file = edited(pipe, c.edit);
      const before = listTree(root);
      const plain = await runCli(['run', pipe, '--home', home], root);
      expect(plain.code).toBe(1);
      const lines = plain.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`stillwater: InvalidSpecError: ${file}: not a valid pipeline spec:`);
      expect(lines[0]).toMatch(c.names);
      expect(plain.stderr).not.toMatch(/\n\s+at /);
      if (c === cases[0]) {
        const json = await runCli(['run', pipe, '--home', home, '--json'], root);
        expect(json.code).toBe(1);
        expect(JSON.parse(json.stdout)).toMatchObject({ error: { type: 'InvalidSpecError' } });
      }
      // Nothing ran, nothing was written: not in the pipeline, not in the home, not around them.
      expect(listTree(root)).toEqual(before);
    });
  }

  it('the same checks hold for a spec object given to runPipeline', async () => {
    const { pipe, home } = sandbox();
    const spec = JSON.parse(readFileSync(path.join(pipe, 'pipeline.json'), 'utf8')) as PipelineSpec;
    spec.steps[0]!.name = ESCAPE;
    const run = runPipeline(spec, { pipelineDir: pipe, home });
    await expect(run.result).rejects.toBeInstanceOf(InvalidSpecError);
  });

  it('a run id that would leave the home is refused before the run starts', async () => {
    const { root, pipe, home } = sandbox();
    const before = listTree(root);
    for (const runId of ['../../../../ESCAPE', '..', '/tmp/x', '']) {
      const run = runPipeline(pipe, { home, runId, history: false });
      const err = await run.result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UnsafePathError);
      expect((err as Error).message).toContain(`run id ${JSON.stringify(runId)} would resolve outside`);
    }
    expect(listTree(root).filter((f) => !f.startsWith('a/b/c/d/home/'))).toEqual(before);
  });

  it('the unedited pipeline runs (the sandbox is sound)', async () => {
    const { root, pipe, home } = sandbox();
    const r = await runCli(['run', pipe, '--home', home, '--json'], root);
    expect(r.code).toBe(0);
    expect(listTree(root)).toContain('a/b/c/d/pipe/marker-a');
  });
});
