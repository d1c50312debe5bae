/**
 * The cell tag editor: role, step name (validated as you type), kind, and the earlier
 * steps to depend on. It edits a draft and writes ordinary cell tags only on Apply, via
 * the pipeline model (so renames propagate and the edit is one undo step).
 */
import { nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { STEP_KINDS, stepNameProblem } from '../model/grammar.js';
import type { PipelineModel } from '../model/pipeline-model.js';
import { el } from './dom.js';
import { CELL_ROLES, type CellRole, type CellRoleName, type StepKind } from '../model/types.js';

const ROLE_LABELS: Record<CellRoleName, string> = {
  continue: 'No role (joins the block above)',
  step: 'Step',
  imports: 'Imports',
  functions: 'Functions',
  parameters: 'Pipeline parameters',
  metrics: 'Pipeline metrics',
  skip: 'Skip (not in the pipeline)',
};

export class TagEditor extends Widget {
  private readonly _model: PipelineModel;
  private readonly _cellId: string;
  private _draft: CellRole;
  private readonly _onDone: () => void;

  constructor(
    model: PipelineModel,
    cellId: string,
    onDone: () => void,
    private readonly _trans: TranslationBundle = nullTranslator.load('stillwater'),
  ) {
    super();
    this._model = model;
    this._cellId = cellId;
    this._onDone = onDone;
    this.addClass('sw-TagEditor');
    const current = model.analysis.roles.get(cellId) ?? { role: 'continue', prev: [] };
    this._draft = { ...current, prev: [...current.prev] };
    this._render();
  }

  /** The draft role (what Apply would write). */
  get draft(): CellRole {
    return this._draft;
  }

  /** Why the draft cannot be applied, or null. */
  get problem(): string | null {
    if (this._draft.role !== 'step') return null;
    const own = this._model.analysis.roles.get(this._cellId);
    const taken = this._model.analysis.steps
      .filter((s) => s.cellId !== this._cellId && !(own?.role === 'step' && s.name === own.name))
      .map((s) => s.name);
    return stepNameProblem(this._draft.name ?? '', taken);
  }

  apply(): boolean {
    if (this.problem) return false;
    const role: CellRole =
      this._draft.role === 'step'
        ? { role: 'step', name: this._draft.name ?? '', kind: this._draft.kind ?? 'other', prev: this._draft.prev }
        : { role: this._draft.role, prev: [] };
    this._model.setRole(this._cellId, role);
    this._onDone();
    return true;
  }

  /** Steps defined above this cell (a step may only depend on earlier steps). */
  private _earlierSteps(): string[] {
    const index = this._model.cells().find((c) => c.id === this._cellId)?.index ?? Number.POSITIVE_INFINITY;
    const own = this._model.analysis.roles.get(this._cellId);
    return this._model.analysis.steps
      .filter((s) => s.cellIndex < index && !(own?.role === 'step' && s.name === own.name))
      .map((s) => s.name);
  }

  private _render(): void {
    const t = this._trans;
    const node = this.node;
    node.textContent = '';
    const d = this._draft;

    const role = el('select', 'sw-role');
    role.setAttribute('aria-label', t.__('Cell role'));
    for (const r of CELL_ROLES) role.append(option(r, t.__(ROLE_LABELS[r]), r === d.role));
    role.addEventListener('change', () => {
      this._draft.role = role.value as CellRoleName;
      if (this._draft.role === 'step') this._draft.kind ??= 'other';
      this._render();
    });
    node.append(field(t.__('Role'), role));

    if (d.role === 'step') {
      const name = el('input', 'sw-step-name');
      name.type = 'text';
      name.placeholder = 'step_name';
      name.value = d.name ?? '';
      name.setAttribute('aria-label', t.__('Step name'));
      const error = el('div', 'sw-name-error');
      const refresh = () => {
        const problem = this.problem;
        error.textContent = problem ?? '';
        name.classList.toggle('sw-invalid', problem !== null);
        apply.disabled = problem !== null;
      };
      name.addEventListener('input', () => {
        this._draft.name = name.value;
        refresh();
      });
      name.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.apply();
        if (e.key === 'Escape') this._onDone();
        e.stopPropagation(); // keep notebook shortcuts out of the text box
      });
      node.append(field(t.__('Name'), name), error);

      const kind = el('select', 'sw-kind');
      kind.setAttribute('aria-label', t.__('Step kind'));
      for (const k of STEP_KINDS) kind.append(option(k, k, k === (d.kind ?? 'other')));
      kind.addEventListener('change', () => {
        this._draft.kind = kind.value as StepKind;
      });
      node.append(field(t.__('Kind'), kind));

      const deps = el('div', 'sw-deps');
      const earlier = this._earlierSteps();
      if (earlier.length === 0) deps.append(el('span', 'sw-muted', t.__('no earlier steps')));
      for (const step of earlier) {
        const label = el('label', 'sw-dep');
        const box = el('input');
        box.type = 'checkbox';
        box.value = step;
        box.checked = d.prev.includes(step);
        box.addEventListener('change', () => {
          this._draft.prev = box.checked
            ? [...this._draft.prev.filter((p) => p !== step), step]
            : this._draft.prev.filter((p) => p !== step);
        });
        label.append(box, document.createTextNode(step));
        deps.append(label);
      }
      node.append(field(t.__('Depends on'), deps));
      queueMicrotask(refresh);
    }

    const buttons = el('div', 'sw-editor-buttons');
    const apply = el('button', 'sw-apply jp-mod-styled jp-mod-accept', t.__('Apply'));
    apply.addEventListener('click', () => this.apply());
    const cancel = el('button', 'sw-cancel jp-mod-styled', t.__('Cancel'));
    cancel.addEventListener('click', () => this._onDone());
    apply.disabled = this.problem !== null;
    buttons.append(apply, cancel);
    node.append(buttons);
  }
}

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  o.selected = selected;
  return o;
}

function field(label: string, control: HTMLElement): HTMLElement {
  const row = el('div', 'sw-field');
  row.append(el('span', 'sw-field-label', label), control);
  return row;
}
