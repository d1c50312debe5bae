/**
 * The core plugin: a PipelineModel per open Stillwater notebook, shared through the
 * IStillwaterPipelines token, and the user's settings (schema/pipelines.json).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { PipelineRegistry } from '../model/registry.js';
import { IStillwaterPipelines } from '../tokens.js';

export const pipelinesPlugin: JupyterFrontEndPlugin<IStillwaterPipelines> = {
  id: '@stillwater/jupyterlab:pipelines',
  description: 'Tracks the pipeline (tags, DAG, run state) of each Stillwater notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry],
  provides: IStillwaterPipelines,
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker, registry: ISettingRegistry | null) => {
    const pipelines = new PipelineRegistry(tracker);
    if (registry) {
      registry
        .load(pipelinesPlugin.id)
        .then((settings) => pipelines.settings.follow(settings))
        .catch((reason: unknown) => console.warn('Stillwater: settings not loaded, using defaults', reason));
    }
    return pipelines;
  },
};
