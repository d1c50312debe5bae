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

const bar = (cellId: string) => document.querySelector<HTMLElement>(`.sw-TagBar[data-cell-id="${cellId}"]`)!;

describe('tag bars', () => {
  it('shows each code cell’s role above it, coloured by kind', () => {
    expect(document.querySelectorAll('.sw-TagBar')).toHaveLength(7); // every code cell, not the markdown one
    expect(bar('load').querySelector('.sw-step-chip')!.textContent).toBe('load');
    expect(bar('load').querySelector('.sw-step-chip')!.classList).toContain('sw-kind-ingest');
    expect(bar('square').querySelector('.sw-dep-chip')!.textContent).toBe('← load');
    expect(bar('params').querySelector('.sw-role-chip')!.textContent).toBe('parameters');
    expect(bar('summary').querySelector('.sw-add-chip')).not.toBeNull();
  });

  it('adds a bar to a new code cell and shows tag problems on the cell', () => {
    h.nbModel.sharedModel.insertCell(1, { cell_type: 'code', source: 'let x = 1;', metadata: { tags: ['step:Bad'] } });
    const id = h.nbModel.cells.get(1).id;
    // The new cell's widget renders when idle; its bar exists at once.
    const newBar = h.bars.barFor(id)!;
    expect(newBar).toBeDefined();
    expect(newBar.node.querySelector('.sw-problem-chip')!.getAttribute('title')).toContain('step:Bad');
  });
});

describe('tag editor', () => {
  it('turns an untagged cell into a step with kind and dependencies, as plain tags', () => {
    bar('summary').querySelector<HTMLElement>('.sw-chips')!.click();
    const editor = bar('summary').querySelector<HTMLElement>('.sw-TagEditor')!;
    setValue(editor.querySelector('select.sw-role')!, 'step');
    const e2 = bar('summary').querySelector<HTMLElement>('.sw-TagEditor')!;
    const name = e2.querySelector<HTMLInputElement>('input.sw-step-name')!;
    const apply = e2.querySelector<HTMLButtonElement>('button.sw-apply')!;

    // Validated as you type.
    setValue(name, 'Summary');
    expect(e2.querySelector('.sw-name-error')!.textContent).toMatch(/lower-case/);
    expect(apply.disabled).toBe(true);
    setValue(name, 's'.repeat(65));
    expect(e2.querySelector('.sw-name-error')!.textContent).toBe('at most 64 characters (this one has 65)');
    expect(apply.disabled).toBe(true);
    setValue(name, 'square');
    expect(e2.querySelector('.sw-name-error')!.textContent).toMatch(/already exists/);
    setValue(name, 'summarize');
    expect(e2.querySelector('.sw-name-error')!.textContent).toBe('');
    expect(apply.disabled).toBe(false);

    // Only earlier steps are offered as dependencies.
    const deps = [...e2.querySelectorAll<HTMLInputElement>('.sw-deps input')].map((i) => i.value);
    expect(deps).toEqual(['load', 'square', 'cube']);
    setValue(e2.querySelector('select.sw-kind')!, 'evaluate');
    for (const v of ['square', 'cube']) {
      const box = e2.querySelector<HTMLInputElement>(`.sw-deps input[value="${v}"]`)!;
      box.checked = true;
      box.dispatchEvent(new Event('change'));
    }
    apply.click();

    expect(h.tags('summary')).toEqual(['step:summarize', 'kind:evaluate', 'prev:square', 'prev:cube']);
    expect(bar('summary').querySelector('.sw-TagEditor')).toBeNull();
    expect(bar('summary').querySelector('.sw-step-chip')!.textContent).toBe('summarize');
    expect(h.model.analysis.steps.map((s) => s.name)).toEqual(['load', 'square', 'cube', 'summarize']);
  });

  it('keeps tags it does not own (step options, other tools’ tags) when the role changes', () => {
    h.model.setRole('cube', { role: 'step', name: 'cube', kind: 'prepare', prev: ['load'] });
    const cell = h.nbModel.cells.get(5);
    cell.setMetadata('tags', [...h.tags('cube'), 'retries:2']);
    h.model.setRole('cube', { role: 'step', name: 'cubes', kind: 'train', prev: [] });
    expect(h.tags('cube')).toEqual(['step:cubes', 'kind:train', 'retries:2']);
    h.model.setRole('cube', { role: 'skip', prev: [] });
    expect(h.tags('cube')).toEqual(['skip']); // a step option without a step would be an error
  });

  it('undoes and redoes an edit as a whole', () => {
    const before = h.tags('summary');
    h.model.setRole('summary', { role: 'step', name: 'summarize', kind: 'evaluate', prev: ['square'] });
    expect(h.model.history.canUndo).toBe(true);
    expect(h.model.undo()).toBe(true);
    expect(h.tags('summary')).toEqual(before);
    expect(h.model.analysis.steps.map((s) => s.name)).toEqual(['load', 'square', 'cube']);
    expect(h.model.redo()).toBe(true);
    expect(h.tags('summary')).toEqual(['step:summarize', 'kind:evaluate', 'prev:square']);
  });
});
