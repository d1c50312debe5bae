/**
 * One notebook's pipeline: the DAG and diagnostics decoded from its cell tags (recomputed
 * whenever tags, cells or sources change), the parameter values chosen for the next run,
 * and the live state of the current run. Widgets render it; commands drive it.
 */
import type { ICellModel } from '@jupyterlab/cells';
import type { INotebookModel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { RunError, RunEvent } from '../run/events.js';
import { analyse } from './grammar.js';
import { findCell, readCells } from './notebook-cells.js';
import { RunState } from './run-state.js';
import { removeDanglingPrev, setCellRole, TagHistory } from './tag-edits.js';
import type { CellInfo, CellRole, Diagnostic, PipelineAnalysis } from './types.js';

export type PipelineChange = 'analysis' | 'run' | 'params' | 'compile';

/** The last compile through the kernel: the compiler's own diagnostics (data flow included). */
export interface CompileResult {
  ok: boolean;
  dir?: string;
  diagnostics: Diagnostic[];
}

/** Source edits re-analyse after this pause; tag edits re-analyse at once. */
const SOURCE_DEBOUNCE_MS = 300;

export class PipelineModel implements IDisposable {
  readonly notebook: INotebookModel;
  /** Undo/redo of tag edits made through this model. */
  readonly history: TagHistory;
  private _analysis: PipelineAnalysis;
  private _run: RunState | null = null;
  private _compile: CompileResult | null = null;
  private readonly _params = new Map<string, string>();
  private readonly _changed = new Signal<this, PipelineChange>(this);
  private readonly _watched = new Set<ICellModel>();
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _disposed = false;

  constructor(notebook: INotebookModel) {
    this.notebook = notebook;
    this.history = new TagHistory(notebook);
    this._analysis = analyse(readCells(notebook), notebook.metadata);
    notebook.cells.changed.connect(this._onCellsChanged, this);
    notebook.metadataChanged.connect(this._onMetadataChanged, this);
    this._watchCells();
  }

  /** Emits what changed, so a widget can skip work it does not need. */
  get changed(): ISignal<this, PipelineChange> {
    return this._changed;
  }
  get analysis(): PipelineAnalysis {
    return this._analysis;
  }
  get run(): RunState | null {
    return this._run;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The notebook's code cells as the grammar sees them, right now. */
  cells(): CellInfo[] {
    return readCells(this.notebook);
  }

  /** Re-reads the tags now (tests and commands call it instead of waiting). */
  refresh(): void {
    if (this._disposed) return;
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
    this._analysis = analyse(readCells(this.notebook), this.notebook.metadata);
    this._changed.emit('analysis');
  }

  /** Sets a cell's role through the tags (rename/delete propagate), undoably. */
  setRole(cellId: string, role: CellRole): void {
    setCellRole(this.notebook, cellId, role, this.history);
    this.refresh();
  }
  undo(): boolean {
    const done = this.history.undo();
    if (done) this.refresh();
    return done;
  }
  redo(): boolean {
    const done = this.history.redo();
    if (done) this.refresh();
    return done;
  }

  /** Parameter values the user set for the next run (name → literal source text). */
  get paramOverrides(): ReadonlyMap<string, string> {
    return this._params;
  }
  setParam(name: string, value: string | null): void {
    const def = this._analysis.parameters.find((p) => p.name === name);
    if (value === null || value === '' || (def && def.defaultValue === value)) this._params.delete(name);
    else this._params.set(name, value);
    this._changed.emit('params');
  }

  get compileResult(): CompileResult | null {
    return this._compile;
  }
  setCompileResult(result: CompileResult): void {
    this._compile = result;
    this._changed.emit('compile');
  }

  /** Starts tracking a new run (replacing the previous one's state). */
  startRun(label: string): RunState {
    this._run = new RunState(label);
    this._changed.emit('run');
    return this._run;
  }
  applyEvent(event: RunEvent): void {
    if (!this._run) this._run = new RunState('run');
    this._run.apply(event);
    this._changed.emit('run');
  }
  abortRun(status: 'failed' | 'cancelled', error: RunError | null): void {
    this._run?.abort(status, error);
    this._changed.emit('run');
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this._timer) clearTimeout(this._timer);
    this.notebook.cells.changed.disconnect(this._onCellsChanged, this);
    this.notebook.metadataChanged.disconnect(this._onMetadataChanged, this);
    for (const cell of this._watched) {
      cell.metadataChanged.disconnect(this._onMetadataChanged, this);
      cell.contentChanged.disconnect(this._onContentChanged, this);
    }
    this._watched.clear();
    Signal.clearData(this);
  }

  private _onCellsChanged(): void {
    const before = this._analysis.steps;
    this._watchCells();
    this.refresh();
    // A deleted step cell leaves `prev:` tags pointing nowhere: remove them, after the
    // deletion's own transaction has finished (writing inside it is not allowed).
    const removed = before.filter((s) => !findCell(this.notebook, s.cellId)).map((s) => s.name);
    if (removed.length > 0) {
      void Promise.resolve().then(() => {
        if (this._disposed) return;
        removeDanglingPrev(this.notebook, removed, this.history);
        this.refresh();
      });
    }
  }
  private _onMetadataChanged(): void {
    this.refresh();
  }
  private _onContentChanged(): void {
    if (this._timer) clearTimeout(this._timer);
    this._timer = setTimeout(() => this.refresh(), SOURCE_DEBOUNCE_MS);
  }

  /** Connects to every current cell once and forgets removed ones. */
  private _watchCells(): void {
    const current = new Set<ICellModel>();
    for (let i = 0; i < this.notebook.cells.length; i++) current.add(this.notebook.cells.get(i));
    for (const cell of this._watched) {
      if (!current.has(cell)) {
        cell.metadataChanged.disconnect(this._onMetadataChanged, this);
        cell.contentChanged.disconnect(this._onContentChanged, this);
        this._watched.delete(cell);
      }
    }
    for (const cell of current) {
      if (this._watched.has(cell)) continue;
      cell.metadataChanged.connect(this._onMetadataChanged, this);
      cell.contentChanged.connect(this._onContentChanged, this);
      this._watched.add(cell);
    }
  }
}
