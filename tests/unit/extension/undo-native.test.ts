// @vitest-environment jsdom
/// <reference lib="dom" />
import './setup.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, openFixture } from './fixture.js';

let h: Harness;
beforeEach(() => {
  h = openFixture();
});
afterEach(() => h.dispose());

describe('notebook undo', () => {
  it('the notebook’s own undo (Edit → Undo) reverts a whole tag edit, rename included', () => {
    // Start from a clean undo stack (loading the fixture is not an edit to undo).
    (h.nbModel.sharedModel as unknown as { undoManager: { clear(): void } }).undoManager.clear();
    h.model.setRole('load', { role: 'step', name: 'ingest_values', kind: 'ingest', prev: [] });
    expect(h.tags('square')).toContain('prev:ingest_values');
    h.nbModel.sharedModel.undo(); // what notebook:undo calls; the model follows by itself
    expect(h.tags('load')).toEqual(['step:load', 'kind:ingest']);
    expect(h.tags('square')).toEqual(['step:square', 'kind:prepare', 'prev:load']);
    expect(h.model.analysis.steps.map((s) => s.name)).toEqual(['load', 'square', 'cube']);
  });
});
