/** The column roles, the tokenizer and max_seq_length: any change asks the host to analyse again. */
import type { VscodeSingleSelect, VscodeTextfield } from '@vscode-elements/elements';
import type { DatasetPreviewState } from '../../src/protocol/webviews/dataset.js';
import { formRow, setChoices, singleSelect, type Choice } from '../controls.js';
import { h } from '../dom.js';
import { pickRoles, type Roles, type RolesForm as RolesValues } from './view-model.js';

export class RolesForm {
  readonly el: HTMLElement;
  /** What the form holds now. */
  readonly values: RolesValues = { text: '', pair: '', label: '', tokenizer: '', maxSeqLength: '', docStride: '' };
  private readonly selects: Record<keyof Roles, VscodeSingleSelect>;
  private readonly tokenizer = h('vscode-textfield', { id: 'tokenizer', placeholder: 'none yet: lengths are in words' }) as VscodeTextfield;
  private readonly maxSeqLength = h('vscode-textfield', { id: 'max-seq-length', type: 'number', min: 2, step: 1, placeholder: '128' }) as VscodeTextfield;
  private readonly docStride = h('vscode-textfield', {
    id: 'doc-stride',
    type: 'number',
    min: 0,
    step: 1,
    placeholder: 'max_seq_length / 4',
    title: 'sliding_window: tokens each chunk shares with the one before (the count of chunks in the long-text table)',
  }) as VscodeTextfield;
  private readonly busy = h('vscode-progress-ring', { id: 'busy', hidden: true });

  constructor(analyze: () => void, pickTokenizer: () => void) {
    const role = (id: string, key: keyof Roles): VscodeSingleSelect => singleSelect(id, [], undefined, (v) => ((this.values[key] = v), analyze()));
    this.selects = { text: role('text-column', 'text'), pair: role('pair-column', 'pair'), label: role('label-column', 'label') };
    this.tokenizer.addEventListener('input', () => (this.values.tokenizer = this.tokenizer.value));
    this.tokenizer.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') analyze();
    });
    this.maxSeqLength.addEventListener('input', () => (this.values.maxSeqLength = this.maxSeqLength.value));
    this.maxSeqLength.addEventListener('change', () => analyze());
    this.docStride.addEventListener('input', () => (this.values.docStride = this.docStride.value));
    this.docStride.addEventListener('change', () => analyze());
    this.el = h(
      'section',
      { class: 'roles' },
      formRow('text-column', 'Text column', this.selects.text),
      formRow('pair-column', 'Second text column', this.selects.pair),
      formRow('label-column', 'Label column', this.selects.label),
      formRow(
        'tokenizer',
        'Tokenizer',
        h(
          'div',
          { class: 'with-button' },
          this.tokenizer,
          h(
            'vscode-button',
            { id: 'choose-tokenizer', secondary: true, onclick: () => pickTokenizer(), title: 'Hub search, cached and local models' },
            'Choose…',
          ),
        ),
      ),
      formRow('max-seq-length', 'max_seq_length', this.maxSeqLength),
      formRow('doc-stride', 'doc_stride (sliding_window)', this.docStride),
      h('div', { class: 'actions analyze-row' }, h('vscode-button', { id: 'analyze', secondary: true, onclick: () => analyze() }, 'Analyze'), this.busy),
    );
  }

  /** Takes the roles (and the tokenizer and max_seq_length, when measured) of a new preview. */
  render(s: DatasetPreviewState): Roles {
    Object.assign(this.values, pickRoles(s));
    if (s.lengths?.unit === 'tokens') {
      this.values.tokenizer = s.lengths.tokenizer ?? this.values.tokenizer;
      this.values.maxSeqLength = String(s.lengths.maxSeqLength ?? this.values.maxSeqLength);
    }
    const cols: Choice[] = s.columns.map((c) => ({ value: c.name, description: c.kind }));
    setChoices(this.selects.text, cols, this.values.text);
    setChoices(this.selects.pair, [{ value: '', label: '(none)' }, ...cols], this.values.pair);
    setChoices(this.selects.label, cols, this.values.label);
    this.tokenizer.value = this.values.tokenizer;
    this.maxSeqLength.value = this.values.maxSeqLength;
    return this.values;
  }

  /** A tokenizer the picker chose. */
  setTokenizer(t: string): void {
    this.values.tokenizer = t;
    this.tokenizer.value = t;
  }

  setBusy(busy: boolean): void {
    this.busy.hidden = !busy;
  }
}
