/**
 * Fault: a step's output must reach the user whole (issue 12, item 1). Node writes to a
 * pipe asynchronously, so a step runtime that exits as soon as its work is done drops
 * whatever the pipe could not take yet: 50 MB of stdout arrived as ~1 MB. A compiled
 * notebook (the real step runtime) prints 50 MB in 1 KB lines from one step and 100k
 * short lines to stdout and stderr from another; `stillwater run --json` and the plain
 * renderer must both deliver every byte, in order. A third step prints 5 MB to stderr and
 * then throws: its error must still be the last stderr line, mapped to its cell.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../kernel-lib/src/runner/events.js';
import { code, writeNotebook } from '../../helpers/notebooks.js';
import { runCli as cli } from './cli-process.js';

const BULK_LINES = 50 * 1024;
const SHORT_LINES = 100_000;

/** Line `i` of the bulk step: 1024 bytes with the newline, its number first. */
const bulkLine = (i: number) => `${`b${i}`.padEnd(1023, 'y')}\n`;

const notebook = () =>
  writeNotebook('step-output', [
    code(
      ['step:bulk'],
      `for (let i = 0; i < ${BULK_LINES}; i++) process.stdout.write(\`\${'b' + i}\`.padEnd(1023, 'y') + '\\n');\n` +
        'const bulkDone = 1;',
    ),
    code(
      ['step:chatter'],
      `for (let i = 0; i < ${SHORT_LINES}; i++) console.log('o' + i);\n` +
        `for (let i = 0; i < ${SHORT_LINES}; i++) console.error('e' + i);\n` +
        'const chatterDone = 1;',
    ),
    code(
      ['step:noisy_failure'],
      "for (let i = 0; i < 5 * 1024; i++) console.error('n'.repeat(1023));\n" +
        "if (Date.now() > 0) throw new Error('after the noise');\nconst never = 1;",
    ),
    code(['pipeline-metrics'], 'bulkDone\nchatterDone'),
  ]);

const expectedBulk = () => Array.from({ length: BULK_LINES }, (_, i) => bulkLine(i)).join('');
const numbered = (prefix: string) => Array.from({ length: SHORT_LINES }, (_, i) => `${prefix}${i}`);

describe('step output is delivered whole', () => {
  it('50 MB and 100k short lines through `stillwater run --json` and the plain renderer', async () => {
    const { dir } = notebook();
    const home = `${dir}/home`;

    const json = await cli(['run', 'step-output.ipynb', '--json', '--home', home], dir);
    expect(json.code).toBe(1); // noisy_failure fails, on purpose
    const events = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent);
    const logOf = (step: string, stream: 'stdout' | 'stderr') =>
      events
        .filter(
          (e): e is Extract<RunEvent, { type: 'log' }> => e.type === 'log' && e.step === step && e.stream === stream,
        )
        .map((e) => e.text)
        .join('');
    const bulk = logOf('bulk', 'stdout');
    expect(bulk.length).toBe(BULK_LINES * 1024); // 52,428,800 bytes
    expect(bulk === expectedBulk()).toBe(true);
    expect(logOf('chatter', 'stdout').split('\n').slice(0, -1)).toEqual(numbered('o'));
    expect(logOf('chatter', 'stderr').split('\n').slice(0, -1)).toEqual(numbered('e'));
    const finished = events.at(-1) as Extract<RunEvent, { type: 'run-finished' }>;
    expect(finished.steps).toEqual({ bulk: 'done', chatter: 'done', noisy_failure: 'failed' });
    expect(finished.metrics).toEqual({ bulkDone: 1, chatterDone: 1 });
    // The error line came after 5 MB of stderr and still maps to its cell.
    expect(finished.error).toMatchObject({ step: 'noisy_failure', message: 'after the noise', cell: 2, line: 2 });
    expect(
      logOf('noisy_failure', 'stderr')
        .split('\n')
        .filter((l) => l.startsWith('nnn')),
    ).toHaveLength(5 * 1024);

    // Plain renderer: every line, prefixed with its step, in each stream's order.
    const plain = await cli(['run', 'step-output.ipynb', '--no-cache', '--home', home], dir);
    expect(plain.code).toBe(1);
    const lines = (step: string, first: string) =>
      plain.stdout
        .split('\n')
        .filter((l) => l.startsWith(`  ${step} │ ${first}`))
        .map((l) => l.slice(`  ${step} │ `.length));
    const bulkLines = lines('bulk', 'b');
    expect(bulkLines).toHaveLength(BULK_LINES);
    expect(bulkLines.every((l, i) => `${l}\n` === bulkLine(i))).toBe(true);
    expect(lines('chatter', 'o')).toEqual(numbered('o'));
    expect(lines('chatter', 'e')).toEqual(numbered('e'));
    expect(plain.stdout).toMatch(/noisy_failure failed in [\d.]+s: Error: after the noise \(cell 2, line 2\)/);
  }, 300_000);
});
