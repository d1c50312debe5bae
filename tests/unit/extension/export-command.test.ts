// @vitest-environment jsdom
/// <reference lib="dom" />
import './setup.js';
import { Notification } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { CommandRegistry } from '@lumino/commands';
import { describe, expect, it } from 'vitest';
import type { PipelineModel } from '../../../extension/src/model/pipeline-model.js';
import { registerExportCommand } from '../../../extension/src/plugins/export-command.js';
import type { ExportOutcome, ExportTarget } from '../../../extension/src/run/pipeline-actions.js';
import { CommandIDs } from '../../../extension/src/tokens.js';

/** The command over a recording stand-in for the kernel actions (the kernel side has its own test). */
function setup(outcome: ExportOutcome | Error, notebook = true) {
  const commands = new CommandRegistry();
  const calls: ExportTarget[] = [];
  const errors: string[] = [];
  const current = { panel: {} as NotebookPanel, model: {} as PipelineModel };
  registerExportCommand(
    commands,
    {
      isRunning: () => false,
      export: async (_panel, _model, target) => {
        calls.push(target);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    },
    () => (notebook ? current : null),
    (title) => (err) => errors.push(`${title}: ${(err as Error).message}`),
  );
  return { commands, calls, errors };
}

const latest = () => Notification.manager.notifications[0]!;

describe('"Export Pipeline…" command', () => {
  it('is labelled for the palette and disabled without a Stillwater notebook', () => {
    const { commands } = setup({ kind: 'export', ok: true, diagnostics: [] }, false);
    expect(commands.label(CommandIDs.exportPipeline)).toBe('Export Pipeline…');
    expect(commands.isEnabled(CommandIDs.exportPipeline)).toBe(false);
  });

  it('exports to the given target and says where the file is', async () => {
    const file = '/home/me/project/turbofan.kfp.yaml';
    const { commands, calls } = setup({
      kind: 'export',
      ok: true,
      diagnostics: [],
      target: 'kfp',
      file,
      image: 'stillwater/turbofan:0123456789ab',
      defaultImage: true,
    });
    expect(commands.isEnabled(CommandIDs.exportPipeline)).toBe(true);
    await commands.execute(CommandIDs.exportPipeline, { target: 'kfp' });
    expect(calls).toEqual(['kfp']);
    expect(latest().type).toBe('success');
    expect(latest().message).toContain(file);
    expect(latest().message).toContain('stillwater image');
  });

  it('reports a notebook that does not compile, and kernel errors', async () => {
    const bad = setup({
      kind: 'export',
      ok: false,
      diagnostics: [{ severity: 'error', code: 'cycle', message: 'a → b → a' } as never],
    });
    await bad.commands.execute(CommandIDs.exportPipeline, { target: 'argo' });
    expect(latest().type).toBe('error');
    expect(latest().message).toContain('a → b → a');
    const broken = setup(new Error('no kernel'));
    await broken.commands.execute(CommandIDs.exportPipeline, { target: 'airflow' });
    expect(broken.errors).toEqual(['Stillwater export failed: no kernel']);
  });
});
