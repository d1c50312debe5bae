/**
 * The slim bar above a code cell: its role as a chip (a step name coloured by kind, or
 * imports/functions/parameters/metrics/skip), its "depends on" chips, and problems the
 * grammar found in its tags. Clicking the bar opens the tag editor below it.
 */
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { PipelineChange, PipelineModel } from '../model/pipeline-model.js';
import type { CellRole } from '../model/types.js';
import { TagEditor } from './tag-editor.js';

const ROLE_CHIPS: Record<Exclude<CellRole['role'], 'step' | 'continue'>, string> = {
  imports: 'imports',
  functions: 'functions',
  parameters: 'parameters',
  metrics: 'metrics',
  skip: 'skip',
};

export class TagBar extends Widget {
  readonly cellId: string;
  private readonly _model: PipelineModel;
  private readonly _chips: HTMLElement;
  private _editor: TagEditor | null = null;

  constructor(
    model: PipelineModel,
    cellId: string,
    private readonly _trans: TranslationBundle = nullTranslator.load('stillwater'),
  ) {
    super();
    this._model = model;
    this.cellId = cellId;
    this.addClass('sw-TagBar');
    this.node.dataset.cellId = cellId;
    this._chips = document.createElement('div');
    this._chips.className = 'sw-chips';
    this._chips.title = _trans.__('Edit Stillwater tags');
    this._chips.tabIndex = 0;
    this._chips.addEventListener('click', () => this.toggleEditor());
    this._chips.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.toggleEditor();
    });
    this.node.append(this._chips);
    model.changed.connect(this._onChanged, this);
    this.render();
  }

  get editor(): TagEditor | null {
    return this._editor;
  }

  /** Opens the editor (or closes it when open). */
  toggleEditor(): void {
    if (this._editor) {
      this.closeEditor();
      return;
    }
    this._editor = new TagEditor(this._model, this.cellId, () => this.closeEditor(), this._trans);
    Widget.attach(this._editor, this.node);
    this.addClass('sw-mod-editing');
    this._editor.node.querySelector<HTMLElement>('.sw-step-name, .sw-role')?.focus();
  }

  closeEditor(): void {
    if (!this._editor) return;
    const editor = this._editor;
    this._editor = null;
    if (editor.isAttached) Widget.detach(editor);
    editor.dispose();
    this.removeClass('sw-mod-editing');
  }

  render(): void {
    const t = this._trans;
    const { analysis } = this._model;
    const role = analysis.roles.get(this.cellId) ?? { role: 'continue', prev: [] };
    const chips = this._chips;
    chips.textContent = '';
    this.node.dataset.role = role.role;
    if (role.role === 'step') {
      const step = analysis.steps.find((s) => s.cellId === this.cellId);
      const kind = step?.kind ?? role.kind ?? 'other';
      chips.append(
        chip(`sw-chip sw-step-chip sw-kind-${kind}`, role.name ?? '', t.__('step %1 (%2)', role.name ?? '', kind)),
      );
      for (const p of role.prev) chips.append(chip('sw-chip sw-dep-chip', `← ${p}`, t.__('depends on %1', p)));
    } else if (role.role === 'continue') {
      chips.append(chip('sw-chip sw-add-chip', t.__('+ tag'), t.__('No Stillwater role: part of the block above')));
    } else {
      chips.append(chip(`sw-chip sw-role-chip sw-role-${role.role}`, ROLE_CHIPS[role.role], role.role));
    }
    const problems = analysis.diagnostics.filter((d) => d.cellId === this.cellId && d.severity === 'error');
    if (problems.length > 0) {
      const warn = chip('sw-chip sw-problem-chip', `⚠ ${problems.length}`, problems.map((p) => p.message).join('\n'));
      chips.append(warn);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.closeEditor();
    this._model.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  private _onChanged(_: PipelineModel, change: PipelineChange): void {
    if (change === 'analysis') this.render();
  }
}

function chip(className: string, text: string, title: string): HTMLElement {
  const e = document.createElement('span');
  e.className = className;
  e.textContent = text;
  e.title = title;
  return e;
}
