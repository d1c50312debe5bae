/** `stillwater run` with bad targets, bad specs and bad flags, and `--param` abuse. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BadInputCase, CaseContext } from './harness.js';
import { cell } from './harness.js';

/** Rewrites the compiled pipeline.json of the case's pipeline copy. */
function editSpec(c: CaseContext, edit: (spec: Record<string, unknown>) => unknown): string {
  const dir = c.pipeline();
  const file = path.join(dir, 'pipeline.json');
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')))));
  return dir;
}

const run = (name: string, names: RegExp, flags: string[], item?: number): BadInputCase => ({
  area: 'run',
  name,
  ...(item !== undefined ? { item } : {}),
  setup: (c) => ['run', c.pipeline(), ...flags],
  names,
});

const param = (assignment: string, names: RegExp, item?: number): BadInputCase => ({
  area: 'param',
  name: `--param ${assignment}`,
  ...(item !== undefined ? { item } : {}),
  setup: (c) => ['run', c.pipeline(), '--param', assignment],
  names,
});

export const runCases: BadInputCase[] = [
  {
    area: 'run',
    name: 'a missing pipeline',
    setup: () => ['run', 'missing.pipeline'],
    names: /missing\.pipeline/,
  },
  {
    area: 'run',
    name: 'a folder without pipeline.json',
    setup: (c) => ['run', c.file('empty/x.txt', '') && path.join(c.dir, 'empty')],
    names: /empty/,
  },
  {
    area: 'run',
    name: 'pipeline.json that is not JSON',
    setup: (c) => {
      const dir = c.pipeline();
      writeFileSync(path.join(dir, 'pipeline.json'), '{"steps": [');
      return ['run', dir];
    },
    names: /pipeline\.json/,
  },
  {
    area: 'run',
    name: 'pipeline.json without steps',
    setup: (c) => ['run', editSpec(c, ({ steps: _, ...rest }) => rest)],
    names: /pipeline\.json.*steps/,
  },
  {
    area: 'run',
    name: 'pipeline.json with a step named ../../../../ESCAPE',
    item: 3,
    setup: (c) =>
      [
        'run',
        editSpec(c, (s) => {
          // `report` is the last step: nothing depends on it.
          const steps = s.steps as { name: string }[];
          steps[1]!.name = '../../../../ESCAPE';
          return s;
        }),
      ] as string[],
    names: /ESCAPE/,
  },
  {
    area: 'run',
    name: 'a step bundle that is missing',
    setup: (c) => {
      const dir = c.pipeline();
      rmSync(path.join(dir, 'steps', 'make.mjs'));
      return ['run', dir, '--no-cache'];
    },
    names: /make\.mjs/,
  },
  {
    area: 'run',
    name: 'a notebook with tag errors',
    setup: (c) => ['run', c.notebook('bad.ipynb', [cell(['step:a', 'prev:nosuch'], 'const x = 1;')])],
    names: /nosuch/,
  },
  {
    area: 'run',
    name: 'a notebook whose cell source is a number',
    item: 12,
    setup: (c) => ['run', c.notebook('bad.ipynb', [cell(['step:a'], 42)])],
    names: /cell 0.*source/,
  },
  run('--resume an unknown run', /no-such-run/, ['--resume', 'no-such-run']),
  run('--from an unknown step', /nosuch/, ['--from', 'nosuch']),
  run('--only an unknown step', /nosuch/, ['--only', 'nosuch']),
  run('--concurrency 0', /--concurrency/, ['--concurrency', '0']),
  run('--concurrency many', /--concurrency/, ['--concurrency', 'many']),
  run('--home that is a file', /home.*is a file/, ['--home', 'pipe/nb.ipynb']),
  param('__proto__=1', /__proto__/, 8),
  param('constructor=1', /constructor/, 8),
  param('toString=1', /toString/, 8),
  param('hasOwnProperty=1', /hasOwnProperty/, 8),
  param('nosuch=1', /nosuch/),
  param('N', /--param/),
  param('=5', /--param/),
  param('N=abc', /`N`/),
  param('N=', /`N`/),
  param('N=1e999', /`N`/),
  param('N=Infinity', /`N`/),
  param('FLAG=yes', /`FLAG`/),
  param('FLAG=1', /`FLAG`/),
  param('CFG={bad', /`CFG`/),
];
