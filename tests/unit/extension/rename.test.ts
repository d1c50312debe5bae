// @vitest-environment jsdom
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './setup.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, openFixture, setValue } from './fixture.js';

let h: Harness;
beforeEach(() => {
  h = openFixture();
});
afterEach(() => h.dispose());

const indexOf = (h: Harness, id: string) => {
  for (let i = 0; i < h.nbModel.cells.length; i++) if (h.nbModel.cells.get(i).id === id) return i;
  return -1;
};

describe('rename and delete propagation', () => {
  it('renaming a step in the editor rewrites every prev: pointing at it, in one undo step', () => {
    const bar = h.bars.barFor('load')!;
    bar.toggleEditor();
    setValue(bar.node.querySelector<HTMLInputElement>('input.sw-step-name')!, 'ingest_values');
    bar.node.querySelector<HTMLButtonElement>('button.sw-apply')!.click();

    expect(h.tags('load')).toEqual(['step:ingest_values', 'kind:ingest']);
    expect(h.tags('square')).toEqual(['step:square', 'kind:prepare', 'prev:ingest_values']);
    expect(h.tags('cube')).toEqual(['step:cube', 'kind:prepare', 'prev:ingest_values']);
    expect(h.model.analysis.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(h.model.analysis.edges).toEqual([
      { from: 'ingest_values', to: 'square' },
      { from: 'ingest_values', to: 'cube' },
    ]);
    // The dependants' bars show the new name too.
    expect(h.bars.barFor('square')!.node.querySelector('.sw-dep-chip')!.textContent).toBe('← ingest_values');

    h.model.undo();
    expect(h.tags('load')).toEqual(['step:load', 'kind:ingest']);
    expect(h.tags('square')).toEqual(['step:square', 'kind:prepare', 'prev:load']);
    expect(h.tags('cube')).toEqual(['step:cube', 'kind:prepare', 'prev:load']);
  });

  it('a renamed block: alias is written back as step:', () => {
    h.nbModel.cells.get(indexOf(h, 'square')).setMetadata('tags', ['block:square', 'prev:load']);
    h.model.setRole('square', { role: 'step', name: 'squares', kind: 'other', prev: ['load'] });
    expect(h.tags('square')).toEqual(['step:squares', 'prev:load']);
  });

  it('removing a step role removes the now dangling prev: tags', () => {
    h.model.setRole('summary', { role: 'step', name: 'summarize', kind: 'other', prev: ['square', 'cube'] });
    h.model.setRole('cube', { role: 'skip', prev: [] });
    expect(h.tags('summary')).toEqual(['step:summarize', 'prev:square']);
    expect(h.model.analysis.diagnostics.filter((d) => d.code === 'undefined-prev')).toEqual([]);
  });

  it('deleting a step cell removes the prev: tags that pointed at it', async () => {
    h.model.setRole('summary', { role: 'step', name: 'summarize', kind: 'other', prev: ['square', 'cube'] });
    h.nbModel.sharedModel.deleteCell(indexOf(h, 'cube'));
    await Promise.resolve(); // cleanup runs after the deletion's own transaction
    await Promise.resolve();
    expect(h.tags('summary')).toEqual(['step:summarize', 'prev:square']);
    expect(h.model.analysis.steps.map((s) => s.name)).toEqual(['load', 'square', 'summarize']);
  });

  it('a dependency on an undefined step shows as a problem until fixed', () => {
    h.nbModel.cells.get(indexOf(h, 'square')).setMetadata('tags', ['step:square', 'prev:nowhere']);
    const problem = h.model.analysis.diagnostics.find((d) => d.code === 'undefined-prev')!;
    expect(problem.message).toContain('prev:nowhere');
    expect(problem.cellId).toBe('square');
    expect(h.bars.barFor('square')!.node.querySelector('.sw-problem-chip')).not.toBeNull();
  });
});
