/**
 * "Export Pipeline…": asks for the target (Kubeflow Pipelines, Argo, Airflow) unless the
 * command is given one (`{ target: 'argo' }`), compiles and exports in the notebook's
 * kernel, and says in a notification where the file was written (beside the notebook).
 */
import { InputDialog, Notification } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { shareIcon } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import type { PipelineModel } from '../model/pipeline-model.js';
import type { ExportOutcome, ExportTarget, PipelineActions } from '../run/pipeline-actions.js';
import { CommandIDs } from '../tokens.js';

/** The targets as the dialog lists them. */
export const EXPORT_TARGET_LABELS: Record<ExportTarget, string> = {
  kfp: 'Kubeflow Pipelines v2 (pipeline IR YAML)',
  argo: 'Argo Workflows (Workflow YAML)',
  airflow: 'Airflow (DAG file)',
};

export function registerExportCommand(
  commands: CommandRegistry,
  actions: Pick<PipelineActions, 'export' | 'isRunning'>,
  current: () => { panel: NotebookPanel; model: PipelineModel } | null,
  report: (title: string) => (err: unknown) => void,
  trans: TranslationBundle = nullTranslator.load('stillwater'),
): void {
  commands.addCommand(CommandIDs.exportPipeline, {
    label: trans.__('Export Pipeline…'),
    caption: trans.__(
      'Export the pipeline for Kubeflow Pipelines, Argo or Airflow; the file is written beside the notebook',
    ),
    icon: shareIcon,
    isEnabled: () => !!current() && !actions.isRunning(current()?.model ?? null),
    execute: async (args) => {
      const c = current();
      if (!c) return;
      const target = (args.target as ExportTarget | undefined) ?? (await askTarget(trans));
      if (!target) return;
      try {
        const outcome = await actions.export(c.panel, c.model, target);
        notifyOutcome(outcome, target, trans);
        return outcome;
      } catch (err) {
        report(trans.__('Stillwater export failed'))(err);
      }
    },
  });
}

async function askTarget(trans: TranslationBundle): Promise<ExportTarget | null> {
  const labels = Object.values(EXPORT_TARGET_LABELS);
  const choice = await InputDialog.getItem({ title: trans.__('Export pipeline to'), items: labels, current: 0 });
  if (!choice.button.accept || choice.value === null) return null;
  const entry = Object.entries(EXPORT_TARGET_LABELS).find(([, label]) => label === choice.value);
  return (entry?.[0] as ExportTarget | undefined) ?? null;
}

function notifyOutcome(outcome: ExportOutcome, target: ExportTarget, trans: TranslationBundle): void {
  if (!outcome.ok) {
    const first = outcome.diagnostics.find((d) => d.severity === 'error');
    const why = first ? ` (${first.message})` : '';
    Notification.error(trans.__('Export failed: the notebook does not compile%1', why), {
      autoClose: false,
    });
    return;
  }
  const image = outcome.defaultImage
    ? trans.__(' Steps run in image %1: build it with `stillwater image`.', outcome.image ?? '')
    : '';
  Notification.success(trans.__('Exported the %1 to %2.%3', EXPORT_TARGET_LABELS[target], outcome.file ?? '', image), {
    autoClose: 10_000,
  });
}
