/** `stillwater compile` with malformed notebooks, bad tags and bad output folders. */
import type { BadInputCase, CaseContext } from './harness.js';
import { cell, TSLAB } from './harness.js';

const LONG = 'a'.repeat(240);
const ok = (name = 'a') => cell([`step:${name}`], 'const x = 1;');

/** `compile --check` (and, with `full`, a real compile) of a notebook the case writes. */
function compile(
  name: string,
  names: RegExp,
  cells: unknown,
  opts: { item?: number; full?: boolean; extra?: Record<string, unknown> } = {},
): BadInputCase {
  return {
    area: 'compile',
    name,
    ...(opts.item !== undefined ? { item: opts.item } : {}),
    setup: (c: CaseContext) => [
      'compile',
      c.notebook('nb.ipynb', cells, opts.extra),
      ...(opts.full ? [] : ['--check']),
    ],
    names,
  };
}

export const compileCases: BadInputCase[] = [
  compile('a cell whose source is a number', /cell 1.*source/, [ok(), cell(['step:b'], 42)], { item: 12 }),
  compile('a cell whose source list holds a number', /cell 0.*source/, [cell(['step:a'], ['const x = 1;', 7])], {
    item: 12,
  }),
  compile('a cell that is not an object', /cell 1/, [ok(), 42], { item: 12 }),
  compile('a cell with an unknown cell_type', /cell 0.*cell_type/, [{ ...ok(), cell_type: 'python' }], { item: 12 }),
  compile('a cell without cell_type', /cell 0.*cell_type/, [{ source: 'x', metadata: {} }], { item: 12 }),
  compile('tags that are a string', /cell 0.*tags/, [{ ...ok(), metadata: { tags: 'step:a' } }], { item: 12 }),
  compile('tags holding a number', /cell 0.*tags/, [{ ...ok(), metadata: { tags: ['step:a', 3] } }], { item: 12 }),
  compile('cell metadata that is a list', /cell 0.*metadata/, [{ ...ok(), metadata: [] }], { item: 12 }),
  compile('notebook metadata that is a number', /metadata/, [ok()], { item: 12, extra: { ...TSLAB, metadata: 5 } }),
  compile('nbformat 3', /nbformat/, [ok()], { extra: { ...TSLAB, nbformat: 3 } }),
  compile('cells that are not a list', /cells/, { a: ok() }),
  compile('a step name of 240 characters (--check)', /cell 1.*step name/, [ok(), cell([`step:${LONG}`], 'x;')], {
    item: 7,
  }),
  compile('a step name of 240 characters (compile)', /cell 1.*step name/, [ok(), cell([`step:${LONG}`], 'x;')], {
    item: 7,
    full: true,
  }),
  compile('a prev: name of 240 characters', /cell 1.*step name/, [ok(), cell(['step:b', `prev:${LONG}`], 'x;')], {
    item: 7,
  }),
  compile('an upper-case step name', /cell 1.*Load/, [ok(), cell(['step:Load'], 'const y = 1;')]),
  compile('an unknown tag', /cell 1.*stpe:b/, [ok(), cell(['stpe:b'], 'const y = 1;')]),
  compile('two roles on one cell', /cell 0.*imports/, [cell(['step:a', 'imports'], 'const x = 1;')]),
  compile('prev: to a step that does not exist', /cell 0.*nosuch/, [cell(['step:a', 'prev:nosuch'], 'x;')]),
  compile('a step defined twice', /cell 2.*"a"/, [ok(), cell(['step:b'], 'const y = 1;'), ok()]),
  compile(
    'a cycle',
    /cycle/,
    [cell(['step:a', 'prev:b'], 'const x = 1;'), cell(['step:b', 'prev:a'], 'const y = 2;')],
    {},
  ),
  compile('a bad retries: value', /cell 0.*retries:lots/, [cell(['step:a', 'retries:lots'], 'x;')]),
  compile('a notebook without steps', /step/, [cell([], 'const x = 1;')]),
  compile('a syntax error in a step', /cell 0/, [cell(['step:a'], 'const = ;')]),
  compile('bad metadata.stillwater.name', /metadata\.stillwater\.name/, [ok()], {
    extra: { ...TSLAB, metadata: { ...TSLAB.metadata, stillwater: { name: '../x' } } },
  }),
  {
    area: 'compile',
    name: 'a notebook that is not JSON',
    setup: (c) => ['compile', c.file('nb.ipynb', '{"cells": ['), '--check'],
    names: /nb\.ipynb.*JSON/,
  },
  {
    area: 'compile',
    name: 'a missing notebook',
    setup: () => ['compile', 'missing.ipynb', '--check'],
    names: /missing\.ipynb/,
  },
  {
    area: 'compile',
    name: 'a notebook path that is a folder',
    setup: (c) => ['compile', c.file('folder.ipynb/x', '') && 'folder.ipynb', '--check'],
    names: /folder\.ipynb/,
  },
  {
    area: 'compile',
    name: '-o pointing at a file',
    setup: (c) => ['compile', c.notebook('nb.ipynb', [ok()]), '-o', c.file('out', 'keep me')],
    names: /out.*file/,
  },
  {
    area: 'compile',
    name: '-o below a file',
    setup: (c) => ['compile', c.notebook('nb.ipynb', [ok()]), '-o', `${c.file('out', 'keep me')}/nb.pipeline`],
    names: /out\/nb\.pipeline.*file/,
  },
];
