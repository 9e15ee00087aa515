/**
 * The sidebar's run form: Model, Data, Training (and Advanced), Output, Start / Cancel. Each
 * section is a function (or, where it re-renders, a class) over the form's state (form-model.ts).
 */
import type { VscodeSingleSelect, VscodeTextfield } from '@vscode-elements/elements';
import type { FolderPurpose } from '../../src/protocol/webviews/sidebar.js';
import { formRow, setChoices, singleSelect, type Choice } from '../controls.js';
import { h } from '../dom.js';
import { baseName, count } from '../format.js';
import { fieldControl } from './field-control.js';
import { type FormModel, fieldGroups } from './form-model.js';

/** What the form's buttons do (the page sends the messages). */
export interface FormActions {
  /** The form state changed: keep it across a reload. */
  changed(): void;
  pickFolder(purpose: FolderPurpose): void;
  /** The model picker (Hub search, cached, recent, local). */
  pickModel(): void;
  pickDataset(): void;
  /** Time a few steps of this run on this machine. */
  estimate(): void;
  previewDataset(): void;
  start(): void;
  cancel(): void;
  advancedToggled(open: boolean): void;
}

type Button = HTMLElement & { disabled: boolean };

function withButton(field: HTMLElement, id: string, label: string, onclick: () => void): HTMLElement {
  return h('div', { class: 'with-button' }, field, h('vscode-button', { id, secondary: true, onclick }, label));
}

function textfield(id: string, placeholder: string, value: string, onInput: (v: string) => void): VscodeTextfield {
  const tf = h('vscode-textfield', { id, placeholder }) as VscodeTextfield;
  tf.value = value;
  tf.addEventListener('input', () => onInput(tf.value));
  return tf;
}

/** The model: a Hub id or folder, Choose… (the model picker), the recent models, the tokenizer. */
class ModelSection {
  readonly field: VscodeTextfield;
  readonly nodes: (Node | null)[];

  constructor(form: FormModel, actions: FormActions) {
    this.field = textfield('model', 'org/name, a local folder, or preset:bert-tiny', form.model, (v) => ((form.model = v), actions.changed()));
    const own = fieldGroups(form.fields).model.map((f) => fieldControl(f, form.value(f), (v) => (form.values.set(f.name, v), actions.changed())));
    const recent =
      form.recentModels.length > 0
        ? singleSelect('recent-models', [{ value: '', label: 'Recent models…' }, ...form.recentModels.map((m) => ({ value: m }))], '', (v) => {
            if (!v) return;
            this.set(form, v);
            actions.changed();
            recent!.value = '';
          })
        : null;
    this.nodes = [
      h('h3', null, 'Model'),
      formRow(
        'model',
        'Pretrained model',
        withButton(this.field, 'choose-model', 'Choose…', () => actions.pickModel()),
        'Hub id or local folder; Choose… searches the Hub and lists cached and local models',
      ),
      recent ? h('div', { class: 'form-row' }, recent) : null,
      ...own,
    ];
  }

  set(form: FormModel, model: string): void {
    form.model = model;
    this.field.value = model;
  }
}

/** The data file, its column roles, the data flags (task) and Preview. */
class DataSection {
  readonly nodes: Node[];
  private readonly file = h('vscode-textfield', { id: 'dataset-file', readonly: true, placeholder: 'a .csv, .tsv, .json or .jsonl file' }) as VscodeTextfield;
  private readonly info = h('div', { id: 'dataset-info', class: 'muted' });
  private readonly selects: Record<'text' | 'pair' | 'label', VscodeSingleSelect>;

  constructor(
    private readonly form: FormModel,
    actions: FormActions,
  ) {
    const role = (id: string, key: 'text' | 'pair' | 'label'): VscodeSingleSelect =>
      singleSelect(id, [], undefined, (v) => ((form.columns[key] = v), actions.changed()));
    this.selects = { text: role('text-column', 'text'), pair: role('pair-column', 'pair'), label: role('label-column', 'label') };
    const change = (): void => actions.changed();
    this.nodes = [
      h('h3', null, 'Data'),
      formRow(
        'dataset-file',
        'Data file',
        withButton(this.file, 'choose-dataset', 'Choose…', () => actions.pickDataset()),
      ),
      this.info,
      formRow('text-column', 'Text column', this.selects.text),
      formRow('pair-column', 'Second text column (pairs)', this.selects.pair),
      formRow('label-column', 'Label column', this.selects.label),
      ...fieldGroups(form.fields).data.map((f) => fieldControl(f, form.value(f), (v) => (form.values.set(f.name, v), change()))),
      h(
        'div',
        { class: 'actions' },
        h('vscode-button', { id: 'preview-dataset', secondary: true, onclick: () => actions.previewDataset() }, 'Preview dataset'),
      ),
    ];
  }

  render(): void {
    const d = this.form.dataset;
    this.file.value = d?.file ?? '';
    this.file.title = d?.file ?? '';
    this.info.textContent = d
      ? `${baseName(d.file)}: ${d.rows !== undefined ? `${count(d.rows)} rows, ` : ''}${d.columns.length} columns`
      : 'No data file chosen.';
    const cols: Choice[] = (d?.columns ?? []).map((c) => ({ value: c }));
    setChoices(this.selects.text, cols, this.form.columns.text);
    setChoices(this.selects.pair, [{ value: '', label: '(none)' }, ...cols], this.form.columns.pair);
    setChoices(this.selects.label, cols, this.form.columns.label);
    for (const s of Object.values(this.selects)) s.disabled = !d;
  }
}

/** The hyperparameters: the common ones, the rest under "Advanced"; fields that do nothing with the others' values hidden (doc_stride without sliding windows). */
function trainingSection(form: FormModel, actions: FormActions, advancedOpen: boolean): (Node | null)[] {
  const { common, advanced } = fieldGroups(form.fields);
  const rows = new Map<string, HTMLElement>();
  const showActive = (): void => {
    const off = form.inactive();
    for (const [name, row] of rows) row.hidden = off.has(name);
  };
  const control = (f: (typeof common)[number]): HTMLElement => {
    const row = fieldControl(f, form.value(f), (v) => (form.values.set(f.name, v), showActive(), actions.changed()));
    rows.set(f.name, row);
    return row;
  };
  const box = h(
    'vscode-collapsible',
    { id: 'advanced', heading: `Advanced (${advanced.length})`, open: advancedOpen },
    h('div', { class: 'collapsible-body' }, ...advanced.map(control)),
  );
  box.addEventListener('vsc-collapsible-toggle', () => actions.advancedToggled((box as HTMLElement & { open: boolean }).open));
  const shown = common.map(control);
  showActive();
  return [h('h3', null, 'Training'), ...shown, advanced.length ? box : null];
}

export class SidebarForm {
  readonly el: HTMLFormElement;
  private readonly model: ModelSection;
  private readonly data: DataSection;
  private readonly output: VscodeTextfield;
  private readonly startButton = h('vscode-button', { id: 'start' }, 'Start training') as Button;
  private readonly estimateButton = h(
    'vscode-button',
    { id: 'estimate', secondary: true, title: 'Time a few training steps on this machine' },
    'Estimate',
  ) as Button;
  private readonly estimateBox = h('div', { id: 'estimate-result', class: 'estimate muted', hidden: true });
  private readonly cancelButton = h('vscode-button', { id: 'cancel', secondary: true, disabled: true }, 'Cancel') as Button;
  private readonly error = h('div', { id: 'form-error', class: 'error', role: 'alert', hidden: true });

  constructor(
    private readonly form: FormModel,
    actions: FormActions,
    advancedOpen: boolean,
  ) {
    this.model = new ModelSection(form, actions);
    this.data = new DataSection(form, actions);
    this.output = textfield('output-dir', 'out/my-run', form.outputDir, (v) => ((form.outputDir = v), actions.changed()));
    this.startButton.addEventListener('click', () => actions.start());
    this.estimateButton.addEventListener('click', () => actions.estimate());
    this.cancelButton.addEventListener('click', () => actions.cancel());
    this.el = h(
      'form',
      { id: 'train-form', class: 'sidebar-form', onsubmit: (e: Event) => e.preventDefault() },
      ...this.model.nodes,
      ...this.data.nodes,
      ...trainingSection(form, actions, advancedOpen),
      h('h3', null, 'Output'),
      formRow(
        'output-dir',
        'Output folder',
        withButton(this.output, 'browse-output', 'Browse…', () => actions.pickFolder('output')),
      ),
      h('div', { class: 'actions' }, this.startButton, this.estimateButton, this.cancelButton),
      this.estimateBox,
      this.error,
    );
  }

  renderDataset(): void {
    this.data.render();
  }

  /** A folder the person picked. */
  setFolder(purpose: FolderPurpose, dir: string): void {
    if (purpose === 'model') this.model.set(this.form, dir);
    else {
      this.form.outputDir = dir;
      this.output.value = dir;
    }
  }

  showError(msg: string): void {
    this.error.textContent = msg;
    this.error.hidden = msg === '';
  }

  /** The estimate's lines (or a message while measuring, or nothing). */
  showEstimate(lines: readonly string[], busy = false): void {
    this.estimateBox.replaceChildren(...lines.map((l) => h('div', null, l)));
    this.estimateBox.hidden = lines.length === 0;
    this.estimateBox.classList.toggle('busy', busy);
    this.estimateButton.disabled = busy;
  }

  setStarting(starting: boolean): void {
    this.startButton.disabled = starting;
  }

  /** Cancel applies while the active run runs. */
  renderCancel(): void {
    this.cancelButton.disabled = !this.form.running;
  }
}
