import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildPipelineGraph, topologicalOrder } from '../../../kernel-lib/src/tags/index.js';

const code = (source: string, ...tags: string[]) => ({ source, tags, cellType: 'code' });
const md = (source: string) => ({ source, tags: [], cellType: 'markdown' });

describe('buildPipelineGraph', () => {
  it('joins untagged code cells to the preceding block and ignores markdown', () => {
    const g = buildPipelineGraph([
      code('import x from "x";', 'imports'),
      code('const a = 1;', 'step:a'),
      md('# notes'),
      code('const b = 2;'),
      code('const c = a;', 'step:c', 'prev:a'),
      code('scratch();', 'skip'),
      code('more();'),
    ]);
    expect(g.diagnostics).toEqual([]);
    expect(g.steps.map((s) => [s.name, s.cells, s.deps])).toEqual([
      ['a', [1, 3], []],
      ['c', [4], ['a']],
    ]);
    expect(g.cells.map((c) => c.role)).toEqual(['imports', 'step', 'ignored', 'step', 'step', 'skip', 'skip']);
    expect(g.edges).toEqual([{ from: 'a', to: 'c' }]);
  });

  it('merges consecutive cells with the same block name (Kale style) and applies defaults', () => {
    const g = buildPipelineGraph(
      [code('1', 'block:a'), code('2', 'block:a', 'kind:ingest', 'retries:3'), code('3', 'step:b', 'prev:a')],
      { stillwater: { defaults: { cache: false, retries: 1, timeoutSeconds: 30 } } },
    );
    expect(g.diagnostics).toEqual([]);
    expect(g.steps[0]).toMatchObject({ name: 'a', cells: [0, 1], kind: 'ingest', retries: 3, cache: false });
    expect(g.steps[1]).toMatchObject({ name: 'b', retries: 1, timeoutSeconds: 30, cache: false });
  });

  it('names the cell (index and first line) and tag for each DAG error', () => {
    const dup = buildPipelineGraph([
      code('const a = 1;', 'step:a'),
      code('x', 'step:b'),
      code('\n  const z = 3;', 'step:a'),
    ]);
    expect(dup.diagnostics[0]).toMatchObject({
      code: 'duplicate-step',
      cell: 2,
      cellFirstLine: 'const z = 3;',
      tag: 'step:a',
      message:
        'cell 2 ("const z = 3;"): duplicate step "a" (already defined by cell 0); a step\'s cells must be consecutive',
    });
    const prev = buildPipelineGraph([code('const a = 1;', 'step:a', 'prev:nope')]);
    expect(prev.diagnostics[0]).toMatchObject({
      code: 'undefined-prev',
      cell: 0,
      tag: 'prev:nope',
      message: 'cell 0 ("const a = 1;"): tag "prev:nope": step "nope" is not defined (defined steps: a)',
    });
    const self = buildPipelineGraph([code('x', 'step:a', 'prev:a')]);
    expect(self.diagnostics[0]).toMatchObject({ code: 'self-dependency', cell: 0, tag: 'prev:a' });
  });

  it('reports a cycle with its path', () => {
    const g = buildPipelineGraph([code('1', 'step:a', 'prev:b'), code('2', 'step:b', 'prev:a'), code('3', 'step:c')]);
    expect(g.diagnostics).toHaveLength(1);
    expect(g.diagnostics[0]).toMatchObject({
      code: 'cycle',
      cell: 0,
      message: 'cell 0 ("1"): steps form a cycle: a → b → a',
    });
  });

  it('errors when there are no steps and warns about leading untagged cells', () => {
    const g = buildPipelineGraph([code('const lonely = 1;'), code('import "x";', 'imports')]);
    expect(g.diagnostics.map((d) => [d.severity, d.code, d.cell])).toEqual([
      ['error', 'no-steps', undefined],
      ['warning', 'leading-untagged', 0],
    ]);
  });

  it('validates metadata.stillwater', () => {
    const g = buildPipelineGraph([code('1', 'step:a')], {
      stillwater: { name: 'bad name', lakehouseRoot: '', defaults: { retries: -1, colour: 'x' }, extra: 1 },
    });
    expect(g.diagnostics.map((d) => d.message)).toEqual([
      'notebook metadata.stillwater.name: must be a string matching ^[A-Za-z0-9_][A-Za-z0-9_.-]*$, got "bad name"',
      'notebook metadata.stillwater.lakehouseRoot: must be a non-empty string',
      'notebook metadata.stillwater.defaults.retries: invalid value -1',
      'notebook metadata.stillwater.defaults.colour: unknown setting (expected cache, retries, timeoutSeconds)',
      'notebook metadata.stillwater.extra: unknown setting (expected name, description, lakehouseRoot, defaults)',
    ]);
    const ok = buildPipelineGraph([code('1', 'step:a')], { stillwater: { name: 'p1', lakehouseRoot: 'lake' } });
    expect(ok.settings).toMatchObject({ name: 'p1', lakehouseRoot: 'lake' });
  });
});

describe('topologicalOrder / ancestorsOf', () => {
  const steps = [
    { name: 'join', deps: ['left', 'right'] },
    { name: 'left', deps: ['load'] },
    { name: 'right', deps: ['load'] },
    { name: 'load', deps: [] },
  ];
  it('orders dependencies first, ties in notebook order', () => {
    expect(topologicalOrder(steps)).toEqual(['load', 'left', 'right', 'join']);
  });
  it('lists transitive ancestors', () => {
    expect([...ancestorsOf('join', steps)].sort()).toEqual(['left', 'load', 'right']);
    expect(ancestorsOf('load', steps).size).toBe(0);
  });
  it('throws on a cycle', () => {
    expect(() =>
      topologicalOrder([
        { name: 'a', deps: ['b'] },
        { name: 'b', deps: ['a'] },
      ]),
    ).toThrow('steps form a cycle among: a, b');
  });
});
