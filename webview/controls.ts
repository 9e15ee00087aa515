/** Builders for the @vscode-elements/elements controls the pages use. */
import type { VscodeSingleSelect } from '@vscode-elements/elements';
import { h } from './dom.js';

export interface Choice {
  value: string;
  label?: string;
  description?: string;
}

/**
 * Replaces a select's options. The selection is marked with the `selected` attribute, which the
 * component reads when it picks up its slotted options (setting `.value` before the new options
 * are slotted is not reliable).
 */
export function setChoices(sel: VscodeSingleSelect, choices: readonly Choice[], selected: string | undefined): void {
  const pick = choices.some((c) => c.value === selected) ? selected : choices[0]?.value;
  sel.replaceChildren(
    ...choices.map((c) => h('vscode-option', { value: c.value, selected: c.value === pick, description: c.description }, c.label ?? c.value)),
  );
  if (pick !== undefined) sel.value = pick;
}

export function singleSelect(
  id: string,
  choices: readonly Choice[],
  selected: string | undefined,
  onChange: (value: string) => void,
  attrs: Record<string, string> = {},
): VscodeSingleSelect {
  const sel = h('vscode-single-select', { id, ...attrs });
  setChoices(sel, choices, selected);
  sel.addEventListener('change', () => onChange(sel.value));
  return sel;
}

/** A labelled row: <vscode-label for=id>label</vscode-label> control [help]. */
export function formRow(id: string, label: string, control: HTMLElement, help?: string): HTMLElement {
  return h('div', { class: 'form-row', 'data-row': id }, h('vscode-label', { for: id }, label), control, help ? h('div', { class: 'help' }, help) : null);
}
