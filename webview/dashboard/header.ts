/** The dashboard's header: run name, model and data, status badge, Cancel, the overlay controls; the run's error under it. */
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import { h } from '../dom.js';
import { baseName, shortModel } from '../format.js';
import type { RunStatus } from './view-model.js';

export class RunHeader {
  readonly el: HTMLElement;
  /** The run's error, shown under the header. */
  readonly error = h('div', { id: 'run-error', class: 'error', role: 'alert', hidden: true });
  private readonly name = h('h2', { id: 'run-name' });
  private readonly status = h('vscode-badge', { id: 'status' });
  private readonly source = h('div', { id: 'run-source', class: 'muted' });
  private readonly cancel: HTMLElement;

  /** `toolbar`: what follows Cancel (the overlay controls). */
  constructor(onCancel: () => void, toolbar: readonly (Node | null)[]) {
    this.cancel = h('vscode-button', { id: 'cancel', secondary: true, hidden: true, onclick: onCancel }, 'Cancel run');
    this.el = h(
      'header',
      { class: 'run-header' },
      h('div', { class: 'title-row' }, this.name, this.status),
      this.source,
      h('div', { class: 'toolbar' }, this.cancel, ...toolbar),
    );
  }

  render(run: RunSummary, status: RunStatus, error: string): void {
    this.name.textContent = run.name;
    this.name.title = run.outputDir;
    this.source.textContent = `${shortModel(run.model)} · ${baseName(run.trainFile)}`;
    this.status.textContent = status;
    this.status.className = `status-${status}`;
    this.cancel.hidden = status !== 'running';
    this.error.textContent = error;
    this.error.hidden = !error;
  }
}
