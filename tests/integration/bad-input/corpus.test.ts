/**
 * Issue 12's bad-input corpus: every case runs the built CLI on a bad input and must
 * fail with a non-zero exit and one clear line naming the input — no stack trace — and
 * leave every table and file outside the run's folder as it was. Cases run several at
 * a time in `beforeAll`; each `it` judges one outcome. The closing line prints the
 * counts (tried, clear, bad). `BAD_INPUT_CLI=…/main.js` runs the corpus on another build (to count
 * an older one), `BAD_INPUT_ONLY=regex` only the cases whose "area: name" matches.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, freshOutDir } from '../../helpers/paths.js';
import { compileCases } from './cases-compile.js';
import { runCases } from './cases-run.js';
import { tableCases } from './cases-table.js';
import { type BadInputCase, caseContext, judge, type Outcome, pool, runCase } from './harness.js';
import { makeTemplatePipeline, makeTemplateTable } from './templates.js';

const cli = process.env.BAD_INPUT_CLI ? path.resolve(process.env.BAD_INPUT_CLI) : cliPath;
const only = process.env.BAD_INPUT_ONLY ? new RegExp(process.env.BAD_INPUT_ONLY) : undefined;
const cases: BadInputCase[] = [...tableCases, ...compileCases, ...runCases].filter(
  (c) => !only || only.test(`${c.area}: ${c.name}`),
);
const outcomes = new Map<BadInputCase, Outcome>();
let root = '';

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`build the CLI first (npm run build): ${cli} is missing`);
  // Under the repository, so compiled step bundles resolve node_modules.
  root = freshOutDir('bad-input-');
  const templates = { table: await makeTemplateTable(root), pipeline: await makeTemplatePipeline(root) };
  const results = await pool(
    cases.map((c, i) => async () => {
      const ctx = caseContext(path.join(root, `case-${i}`), templates);
      return runCase(cli, ctx.dir, c.setup(ctx));
    }),
    3,
  );
  for (const [i, c] of cases.entries()) outcomes.set(c, results[i]!);
}, 900_000);

afterAll(() => {
  if (outcomes.size === 0) return;
  const bad = cases.filter((c) => judge(c, outcomes.get(c)!).length > 0);
  const byArea = (a: string) => cases.filter((c) => c.area === a).length;
  console.log(
    `bad-input corpus: tried ${cases.length} (table ${byArea('table')}, compile ${byArea('compile')}, ` +
      `run ${byArea('run')}, param ${byArea('param')}), clear ${cases.length - bad.length}, bad ${bad.length}`,
  );
  if (root && bad.length === 0) rmSync(root, { recursive: true, force: true });
});

describe('bad input is refused clearly and changes nothing', () => {
  it('has at least 60 cases across table, compile, run and --param, the issue-12 items among them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const area of ['table', 'compile', 'run', 'param']) expect(cases.some((c) => c.area === area)).toBe(true);
    const items = new Set(cases.map((c) => c.item).filter((i) => i !== undefined));
    expect([...items].sort((a, b) => a! - b!)).toEqual([3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it.each(cases.map((c) => [`${c.area}: ${c.name}`, c] as const))('%s', (_, c) => {
    const o = outcomes.get(c)!;
    const problems = judge(c, o);
    expect(
      problems,
      `${problems.join('; ')}\nexit ${o.code}\nstderr: ${o.stderr}\nstdout: ${o.stdout.slice(0, 2000)}`,
    ).toEqual([]);
  });
});
