/** One flag of the run table as a form control: a checkbox, a select or a text field. */
import type { VscodeCheckbox, VscodeTextfield } from '@vscode-elements/elements';
import type { FormField } from '../../src/protocol/webviews/sidebar.js';
import { formRow, singleSelect, type Choice } from '../controls.js';
import { h } from '../dom.js';
import type { FieldValue } from './form-model.js';

/** Flags that name a file or folder: empty means none. */
const PATH_FIELDS: ReadonlySet<string> = new Set(['tokenizer_name', 'test_file', 'validation_file', 'resume_from_checkpoint']);

function checkbox(f: FormField, id: string, value: FieldValue, onChange: (v: FieldValue) => void): HTMLElement {
  const cb = h('vscode-checkbox', { id, 'data-field': f.name, checked: value === true, label: f.label, title: f.help });
  cb.addEventListener('change', () => onChange((cb as VscodeCheckbox).checked));
  return h('div', { class: 'form-row checkbox-row', 'data-row': id }, cb, h('div', { class: 'help' }, f.help));
}

function select(f: FormField, id: string, value: FieldValue, onChange: (v: FieldValue) => void): HTMLElement {
  const choices: Choice[] = (f.choices ?? []).map((c) => ({ value: c }));
  if (f.value === null || f.value === undefined) choices.unshift({ value: '', label: '(default)' });
  return formRow(id, f.label, singleSelect(id, choices, String(value), onChange, { 'data-field': f.name }), f.help);
}

/** Ints get a number input (range-checked); floats a text input, so 2e-5 is typed as such. */
function textField(f: FormField, id: string, value: FieldValue, onChange: (v: FieldValue) => void): HTMLElement {
  const int = f.type === 'int';
  const tf = h('vscode-textfield', {
    id,
    'data-field': f.name,
    type: int ? 'number' : 'text',
    step: int ? 1 : undefined,
    min: int ? f.min : undefined,
    max: int ? f.max : undefined,
    inputmode: f.type === 'float' ? 'decimal' : undefined,
    placeholder: f.value === null || f.value === undefined ? (PATH_FIELDS.has(f.name) ? 'none' : 'default') : undefined,
  }) as VscodeTextfield;
  tf.value = String(value);
  tf.addEventListener('input', () => onChange(tf.value));
  return formRow(id, f.label, tf, f.help);
}

/** The control of `f` showing `value` (the person's unsent edit, else the host's value). */
export function fieldControl(f: FormField, value: FieldValue, onChange: (v: FieldValue) => void): HTMLElement {
  const id = `field-${f.name}`;
  if (f.type === 'bool') return checkbox(f, id, value, onChange);
  if (f.type === 'enum') return select(f, id, value, onChange);
  return textField(f, id, value, onChange);
}
