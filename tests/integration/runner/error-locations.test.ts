/**
 * Issue 11 item 4 and issue 12 item 14: every way a step's code can fail names the
 * notebook cell and line, through `stillwater run` (plain and `--json`) — errors
 * raised inside awaited library calls (TableNotFoundError, SchemaMismatchError),
 * rejected promises, callbacks, a `functions` cell called from a step, and thrown
 * values that are not Errors. One notebook, one independent step per case, so a
 * single run fails them all. Needs the built CLI (`npm run build`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, StepEvent } from '../../../kernel-lib/src/runner/events.js';
import { type CodeCell, code, writeNotebook } from '../../helpers/notebooks.js';
import { cliPath } from '../../helpers/paths.js';

const exec = promisify(execFile);

const cells: CodeCell[] = [
  code(
    ['imports'],
    "import { tableFromArrays } from 'apache-arrow';\nimport { createReadStream } from 'node:fs';\nimport { Lakehouse } from '@stillwater/kernel/lakehouse';",
  ),
  code(
    ['functions'],
    [
      'function lakehouse(): Lakehouse {',
      "  return new Lakehouse('lakehouse');",
      '}',
      'async function readSilver(name: string) {',
      "  const table = lakehouse().table('silver/' + name);",
      '  return await table.read(); // @functions-read',
      '}',
    ].join('\n'),
  ),
  code(
    ['step:awaited'],
    "const lake = lakehouse();\nconst missing = await lake.table('bronze/missing').read(); // @awaited",
  ),
  code(
    ['step:schema'],
    [
      "const events = lakehouse().table('bronze/events');",
      'await events.overwrite(tableFromArrays({ id: Int32Array.from([1, 2]) }));',
      "await events.append(tableFromArrays({ name: ['x'] })); // @schema",
    ].join('\n'),
  ),
  code(
    ['step:rejected'],
    [
      'const sizes = await Promise.all(',
      '  [1, 2].map(async (n) => {',
      '    await new Promise((resolve) => setTimeout(resolve, 5));',
      "    if (n === 2) throw new TypeError('no size for ' + n); // @rejected",
      '    return n;',
      '  }),',
      ');',
    ].join('\n'),
  ),
  code(
    ['step:callback'],
    [
      'await new Promise((resolve) => {',
      '  setTimeout(() => {',
      "    JSON.parse('{not json'); // @callback",
      '    resolve(undefined);',
      '  }, 5);',
      '});',
    ].join('\n'),
  ),
  code(['step:functions'], "const noise = 1;\nconst features = await readSilver('features'); // @functions-call"),
  code(['step:string'], "const answer = 42;\nif (answer > 0) {\n  throw 'a string'; // @string\n}"),
  code(
    ['step:nativecb'],
    "const stream = createReadStream('no-such-file.csv');\nawait new Promise((resolve, reject) => stream.on('error', reject).on('open', resolve));",
  ),
];

/** 1-based line of `marker` in cell `index`. */
function lineOf(index: number, marker: string): number {
  const lines = cells[index]!.source.split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`no ${marker} in cell ${index}`);
  return i + 1;
}

const expected: Record<string, { type: string; cell: number; line?: number }> = {
  awaited: { type: 'TableNotFoundError', cell: 2, line: lineOf(2, '@awaited') },
  schema: { type: 'SchemaMismatchError', cell: 3, line: lineOf(3, '@schema') },
  rejected: { type: 'TypeError', cell: 4, line: lineOf(4, '@rejected') },
  callback: { type: 'SyntaxError', cell: 5, line: lineOf(5, '@callback') },
  // The innermost notebook frame is in the functions cell, not the step's call.
  functions: { type: 'TableNotFoundError', cell: 1, line: lineOf(1, '@functions-read') },
  string: { type: 'NonErrorThrown', cell: 7, line: lineOf(7, '@string') },
  // A stream's error is created in a native callback: no frame, but the running cell is known.
  nativecb: { type: 'Error', cell: 8 },
};

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await exec(process.execPath, [cliPath, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, stdout: err.stdout };
  }
}

describe('a failing step names the notebook cell and line', () => {
  let dir: string;
  let failed: Map<string, StepEvent>;
  let plain: string;

  beforeAll(async () => {
    dir = writeNotebook('errors', cells).dir;
    const json = await cli(['run', 'errors.ipynb', '--home', 'home', '--json', '--concurrency', '2'], dir);
    expect(json.code).not.toBe(0);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent);
    failed = new Map(
      events.filter((e): e is StepEvent => e.type === 'step' && e.status === 'failed').map((e) => [e.step, e] as const),
    );
    plain = (await cli(['run', 'errors.ipynb', '--home', 'home', '--no-cache'], dir)).stdout;
  }, 120_000);

  for (const [step, want] of Object.entries(expected)) {
    it(`${step}: ${want.type} at cell ${want.cell}${want.line ? `, line ${want.line}` : ''}`, () => {
      const error = failed.get(step)?.error;
      expect(error, `step ${step} did not fail`).toBeDefined();
      expect(error).toMatchObject({ type: want.type, cell: want.cell });
      expect(error!.line).toBe(want.line);
      // The plain renderer's line for the step: `callback failed in 0.31s: SyntaxError: … (cell 5, line 3)`.
      const where = want.line ? `(cell ${want.cell}, line ${want.line})` : `(cell ${want.cell})`;
      const shown = plain.split('\n').find((l) => l.startsWith(`${step} failed in `));
      expect(shown).toContain(`: ${want.type}: `);
      expect(shown?.endsWith(where), shown).toBe(true);
    });
  }

  it('keeps library frames out of the human lines but in the JSON stack', () => {
    const error = failed.get('awaited')!.error!;
    // The lakehouse's frames are in the stack the event carries…
    expect(error.stack?.some((f) => /step-libs|lakehouse/.test(f) && !f.includes('cell '))).toBe(true);
    const line = expected.awaited!.line!;
    const column = cells[2]!.source.split('\n')[line - 1]!.indexOf('await') + 1;
    expect(error.stack).toContain(`at async cell 2, line ${line}:${column}`);
    // …but the step's log shows the notebook frames only.
    const log = plain.split('\n').filter((l) => l.startsWith('  awaited │'));
    expect(log.some((l) => l.includes(`failed at cell 2, line ${line}: TableNotFoundError`))).toBe(true);
    expect(log.filter((l) => /^\s*awaited │\s+at /.test(l))).toEqual([
      `  awaited │     at async cell 2, line ${line}:${column}`,
    ]);
  });

  it('a thrown string keeps its value and gets the column of the throw', () => {
    const error = failed.get('string')!.error!;
    expect(error.message).toBe('a string (a string was thrown, not an Error)');
    expect(error.stack?.[0]).toBe(`at cell 7, line ${expected.string!.line}:9`);
  });
});
