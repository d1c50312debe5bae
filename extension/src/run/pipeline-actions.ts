/**
 * Compile, run, cancel and history for a notebook panel, through its own kernel. Feeds
 * run events into the notebook's PipelineModel as they stream in.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { type ISignal, Signal } from '@lumino/signaling';
import type {
  CompileOutcome,
  ExportOutcome,
  ExportTarget,
  HistoryOutcome,
  LabRequest,
  LineageOutcome,
  NotebookSource,
  RunFilter,
  RunRequest,
} from '@stillwater/kernel/contracts';
import type { PipelineModel } from '../model/pipeline-model.js';
import type { StillwaterSettingsValues } from '../model/settings.js';
import { errorText, executeSnippet, type SnippetResult } from './kernel-client.js';
import { paramText } from './params.js';
import { labSnippet } from './snippets.js';

export type { CompileOutcome, ExportOutcome, ExportTarget, HistoryOutcome, LineageOutcome };

/** Which steps run (`--from`/`--only`), and whose parameters (`--params-from`). */
export type RunSelection = Pick<RunRequest, 'from' | 'only' | 'paramsFrom'>;

/** How long Cancel waits for the run to stop by itself before interrupting the kernel. */
const CANCEL_GRACE_MS = 15_000;

export class PipelineActions {
  /** Models with a run in flight (one run per notebook at a time) → that run's cancel file. */
  private readonly _running = new Map<PipelineModel, string>();
  private _contents: Contents.IManager | null = null;
  private readonly _runEnded = new Signal<this, NotebookPanel>(this);

  constructor(private readonly _trans: TranslationBundle = nullTranslator.load('stillwater')) {}

  /** A notebook's run ended, however (its history has it by then): history views refresh. */
  get runEnded(): ISignal<this, NotebookPanel> {
    return this._runEnded;
  }

  /** The server's contents API, used to drop a run's cancel file. */
  setContents(contents: Contents.IManager): void {
    this._contents = contents;
  }

  isRunning(model: PipelineModel | null): boolean {
    return !!model && this._running.has(model);
  }

  async compile(panel: NotebookPanel, model: PipelineModel): Promise<CompileOutcome> {
    const outcome = await this._ask<CompileOutcome>(panel, { kind: 'compile', ...this._source(panel) });
    model.setCompileResult(outcome);
    return outcome;
  }

  /** Runs the pipeline (optionally from or only one step); resolves when the run ends. */
  async run(
    panel: NotebookPanel,
    model: PipelineModel,
    settings: StillwaterSettingsValues,
    selection: RunSelection = {},
  ): Promise<void> {
    const t = this._trans;
    if (this._running.has(model)) throw new Error(t.__('a run is already in progress for this notebook'));
    const label = selection.from
      ? t.__('Run from %1', selection.from)
      : selection.only
        ? t.__('Run only %1', selection.only)
        : selection.paramsFrom
          ? t.__('Re-run %1', selection.paramsFrom)
          : t.__('Run');
    const cancelFile = `cancel-${Math.random().toString(16).slice(2, 10)}`;
    this._running.set(model, cancelFile);
    model.startRun(label);
    try {
      const kernel = await this._kernel(panel);
      const req: RunRequest = {
        kind: 'run',
        ...this._source(panel),
        // A re-run takes exactly the earlier run's parameters, not the panel's edits.
        params: selection.paramsFrom
          ? {}
          : Object.fromEntries([...model.paramOverrides].map(([k, v]) => [k, paramText(v)])),
        concurrency: settings.concurrency,
        cache: settings.cachePolicy !== 'no-cache',
        lakehouseRoot: settings.lakehouseRoot,
        cancelFile,
        ...selection,
      };
      const res = await executeSnippet(kernel, labSnippet(req), (out) => {
        if (out.kind === 'event') model.applyEvent(out.event);
        else if (out.kind === 'result') {
          const compiled = out.value as CompileOutcome;
          model.setCompileResult(compiled);
          if (!compiled.ok) {
            const first = compiled.diagnostics.find((d) => d.severity === 'error');
            model.abortRun('failed', {
              type: 'CompileError',
              message: first?.message ?? t.__('the notebook does not compile'),
              ...(first?.cell !== undefined ? { cell: first.cell } : {}),
              ...(first?.line !== undefined ? { line: first.line } : {}),
            });
          }
        }
      });
      if (res.status === 'abort' || (res.error && /interrupt/i.test(errorText(res.error)))) {
        model.abortRun('cancelled', { type: 'Cancelled', message: t.__('the run was cancelled') });
      } else if (res.status === 'error' && res.error) {
        model.abortRun('failed', { type: res.error.ename || 'Error', message: errorText(res.error) });
      } else if (model.run && !model.run.finished) {
        model.abortRun('failed', {
          type: 'Error',
          message: t.__('the kernel finished without reporting the end of the run'),
        });
      }
    } catch (err) {
      model.abortRun('failed', { type: 'Error', message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      this._running.delete(model);
      this._runEnded.emit(panel);
    }
  }

  /**
   * Asks the run to stop: writes its cancel file beside the notebook (the snippet
   * watches for it and aborts the runner, which ends the run `cancelled`). Falls back to
   * interrupting the kernel if the run has not ended after a grace period.
   */
  async cancel(panel: NotebookPanel, model: PipelineModel): Promise<void> {
    const cancelFile = this._running.get(model);
    if (!cancelFile) return;
    // The compiler's output folder, `<notebook>.pipeline/` (not hidden: the server
    // refuses to create hidden files).
    const pipelineDir = `${panel.context.path.replace(/\.ipynb$/, '')}.pipeline`;
    if (this._contents) {
      await this._contents.save(`${pipelineDir}/${cancelFile}`, { type: 'file', format: 'text', content: 'cancel\n' });
    } else {
      await panel.sessionContext.session?.kernel?.interrupt();
      return;
    }
    setTimeout(() => {
      if (this._running.get(model) === cancelFile) void panel.sessionContext.session?.kernel?.interrupt();
    }, CANCEL_GRACE_MS);
  }

  /** Compiles and exports the pipeline; the file is written beside the notebook. */
  async export(panel: NotebookPanel, model: PipelineModel, target: ExportTarget): Promise<ExportOutcome> {
    const outcome = await this._ask<ExportOutcome>(panel, { kind: 'export', ...this._source(panel), target });
    model.setCompileResult({ ok: outcome.ok, diagnostics: outcome.diagnostics });
    return outcome;
  }

  /** The runs `stillwater runs list` shows for the notebook's home (filtered), with the step executions of `runIds`. */
  async history(panel: NotebookPanel, runIds: string[] = [], filter?: RunFilter): Promise<HistoryOutcome> {
    return this._ask<HistoryOutcome>(panel, { kind: 'history', runIds, ...(filter ? { filter } : {}) });
  }

  /** Which run and step wrote a table version, from which inputs (`stillwater runs lineage`). */
  async lineage(panel: NotebookPanel, table: string, version?: number): Promise<LineageOutcome> {
    return this._ask<LineageOutcome>(panel, { kind: 'lineage', table, ...(version !== undefined ? { version } : {}) });
  }

  /** Sends a request whose answer is one outcome (not a run's event stream). */
  private async _ask<T extends CompileOutcome | ExportOutcome | HistoryOutcome | LineageOutcome>(
    panel: NotebookPanel,
    request: LabRequest & { kind: T['kind'] },
  ): Promise<T> {
    const kernel = await this._kernel(panel);
    const res: SnippetResult = await executeSnippet(kernel, labSnippet(request));
    const outcome = res.result as T | undefined;
    if (res.status !== 'ok' || outcome?.kind !== request.kind) {
      throw new Error(
        res.error
          ? errorText(res.error)
          : this._trans.__('the kernel answered nothing to the %1 request', request.kind),
      );
    }
    return outcome;
  }

  private _source(panel: NotebookPanel): NotebookSource {
    const file = panel.context.path.split('/').pop() ?? panel.context.path;
    const model = panel.context.model;
    return { notebookFile: file, notebook: model.toJSON(), dirty: model.dirty };
  }

  private async _kernel(panel: NotebookPanel) {
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session?.kernel;
    if (!kernel) throw new Error(this._trans.__('the notebook has no kernel: start the tslab kernel first'));
    return kernel;
  }
}
