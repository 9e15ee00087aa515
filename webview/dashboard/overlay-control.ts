/** The overlay controls: the run to draw dashed over this one, Clear, and what the overlay is doing. */
import type { VscodeSingleSelect } from '@vscode-elements/elements';
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import { setChoices, singleSelect, type Choice } from '../controls.js';
import { h } from '../dom.js';

function choices(otherRuns: readonly RunSummary[]): Choice[] {
  return [{ value: '', label: 'Overlay run…' }, ...otherRuns.map((r) => ({ value: r.runId, label: r.name, description: r.status }))];
}

export class OverlayControl {
  /** The toolbar's part: the select (when there are other runs), Clear, the status text. */
  readonly nodes: (HTMLElement | null)[];
  private readonly select: VscodeSingleSelect | null;
  private readonly clear: HTMLElement;
  private readonly status = h('span', { id: 'overlay-status', class: 'muted' });

  constructor(
    private readonly otherRuns: readonly RunSummary[],
    onPick: (runId: string) => void,
  ) {
    this.select = otherRuns.length ? singleSelect('overlay-run', choices(otherRuns), '', onPick) : null;
    this.clear = h(
      'vscode-button',
      {
        id: 'clear-overlay',
        secondary: true,
        hidden: true,
        onclick: () => {
          if (this.select) this.select.value = '';
          onPick('');
        },
      },
      'Clear overlay',
    );
    this.nodes = [this.select, this.clear, this.status];
  }

  /** Shows `runId` as chosen (an overlay restored after a reload). */
  choose(runId: string): void {
    if (this.select) setChoices(this.select, choices(this.otherRuns), runId);
  }

  cleared(): void {
    this.clear.hidden = true;
    this.status.textContent = '';
  }

  loading(): void {
    this.clear.hidden = true;
    this.status.classList.remove('error');
    this.status.textContent = 'Loading…';
  }

  loaded(name: string): void {
    this.status.textContent = `${name}: dashed lines`;
    this.clear.hidden = false;
  }

  failed(message: string): void {
    this.status.textContent = message;
    this.status.classList.add('error');
  }
}
