/**
 * Services the Stillwater plugins share. The pipelines registry owns one PipelineModel
 * per open Stillwater notebook; tag bars, the side panel and the commands all read it.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { PipelineModel } from './model/pipeline-model.js';
import type { PipelineActions } from './run/pipeline-actions.js';
import type { StillwaterSettings } from './model/settings.js';

export interface IStillwaterPipelines {
  /** The user's Stillwater settings (live). */
  readonly settings: StillwaterSettings;
  /** The model of a notebook panel, or null when the notebook is not a Stillwater one. */
  modelFor(panel: NotebookPanel): PipelineModel | null;
  /** The notebook panel that currently has focus, when it is a Stillwater notebook. */
  readonly current: NotebookPanel | null;
  /** Emits when the current notebook changes or a notebook becomes (or stops being) Stillwater. */
  readonly currentChanged: ISignal<IStillwaterPipelines, NotebookPanel | null>;
  /** Emits for each panel that gets a model (tag bars attach here). */
  readonly modelAdded: ISignal<IStillwaterPipelines, { panel: NotebookPanel; model: PipelineModel }>;
}

export const IStillwaterPipelines = new Token<IStillwaterPipelines>(
  '@stillwater/jupyterlab:IStillwaterPipelines',
  'The pipeline model of each open Stillwater notebook.',
);

/** Compile, run, cancel, export and history through each notebook's own kernel: one instance, shared. */
export type IPipelineActions = PipelineActions;

export const IPipelineActions = new Token<IPipelineActions>(
  '@stillwater/jupyterlab:IPipelineActions',
  'Compile, run, cancel, export and run history of a Stillwater notebook, through its kernel.',
);

/** Command ids, registered once and reused by palette, toolbar, menus and shortcuts. */
export const CommandIDs = {
  compile: 'stillwater:compile',
  run: 'stillwater:run',
  runFrom: 'stillwater:run-from-step',
  runOnly: 'stillwater:run-only-step',
  rerun: 'stillwater:rerun',
  cancel: 'stillwater:cancel',
  openHistory: 'stillwater:open-history',
  editTags: 'stillwater:edit-tags',
  undoTags: 'stillwater:undo-tags',
  redoTags: 'stillwater:redo-tags',
  showPanel: 'stillwater:show-panel',
  exportPipeline: 'stillwater:export',
} as const;
