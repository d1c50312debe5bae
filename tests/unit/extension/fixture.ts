/**
 * Real NotebookModel + Notebook widgets (JupyterLab's own test factories) holding the
 * browser test's tagged fixture notebook, with a PipelineModel and tag bars attached.
 */
import './setup.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Notebook, NotebookModel } from '@jupyterlab/notebook';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils.js';
import { Widget } from '@lumino/widgets';
import { PipelineModel } from '../../../extension/src/model/pipeline-model.js';
import { TagBarManager } from '../../../extension/src/widgets/tag-bars.js';
import { repoRoot } from '../../helpers/paths.js';

export const FIXTURE = path.join(repoRoot, 'tests', 'e2e', 'fixtures', 'squares.ipynb');

export interface Harness {
  notebook: Notebook;
  nbModel: NotebookModel;
  model: PipelineModel;
  bars: TagBarManager;
  tags: (cellId: string) => string[];
  dispose: () => void;
}

export function openFixture(): Harness {
  const nbModel = new NotebookModel();
  nbModel.fromJSON(JSON.parse(readFileSync(FIXTURE, 'utf8')));
  const notebook = NBTestUtils.createNotebook();
  notebook.model = nbModel;
  Widget.attach(notebook, document.body);
  const model = new PipelineModel(nbModel);
  const bars = new TagBarManager(notebook, model);
  const tags = (cellId: string) => {
    for (let i = 0; i < nbModel.cells.length; i++) {
      const cell = nbModel.cells.get(i);
      if (cell.id === cellId) return (cell.getMetadata('tags') as string[] | undefined) ?? [];
    }
    throw new Error(`no cell ${cellId}`);
  };
  return {
    notebook,
    nbModel,
    model,
    bars,
    tags,
    dispose: () => {
      bars.dispose();
      model.dispose();
      notebook.dispose();
      nbModel.dispose();
    },
  };
}

/** Sets a form control's value the way a user does, firing the events the editor listens to. */
export function setValue(el: HTMLInputElement | HTMLSelectElement, value: string): void {
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}
