/** The sidebar's list of runs: status, model and best metric, the active run's progress, links. */
import { h } from '../dom.js';
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import { runRow } from './run-row.js';

export interface RunLinks {
  openDashboard(runId: string): void;
  openPredict(runId: string): void;
  reRun(runId: string): void;
  resume(runId: string): void;
  compare(): void;
}

function link(cls: string, text: string, onClick: () => void): HTMLElement {
  return h('a', { href: '#', class: cls, onclick: (e: Event) => (e.preventDefault(), onClick()) }, text);
}

function runItem(r: RunSummary, activeRunId: string | undefined, links: RunLinks): HTMLElement {
  const row = runRow(r, activeRunId);
  const p = row.progress;
  const progress = p
    ? h('vscode-progress-bar', { id: 'active-progress', 'aria-label': `${r.name} progress`, indeterminate: p.indeterminate, value: p.value, max: p.max })
    : null;
  return h(
    'li',
    { class: `run status-${r.status}${row.active ? ' active' : ''}`, 'data-run-id': r.runId },
    h(
      'div',
      { class: 'run-head' },
      h('span', { class: 'run-name', title: r.outputDir }, r.name),
      h('vscode-badge', { class: 'run-status', variant: 'default' }, r.status),
    ),
    h('div', { class: 'run-meta muted' }, row.meta),
    progress,
    r.error ? h('div', { class: 'error run-error' }, r.error) : null,
    h(
      'div',
      { class: 'run-links' },
      link('open-dashboard', 'Dashboard', () => links.openDashboard(r.runId)),
      r.modelDir || r.lastCheckpoint ? link('open-predict', 'Predict', () => links.openPredict(r.runId)) : null,
      row.active ? null : link('re-run', 'Re-run', () => links.reRun(r.runId)),
      row.resumable ? link('resume', 'Resume', () => links.resume(r.runId)) : null,
    ),
  );
}

export class RunsList {
  readonly el: HTMLElement;
  private readonly list = h('ul', { id: 'runs', class: 'runs' });
  private readonly compare: HTMLElement;

  constructor(private readonly links: RunLinks) {
    this.compare = link('compare-runs', 'Compare runs', () => links.compare());
    this.el = h('div', { class: 'runs-box' }, h('div', { class: 'runs-head' }, h('h3', null, 'Runs'), this.compare), this.list);
  }

  render(runs: readonly RunSummary[], activeRunId: string | undefined): void {
    if (runs.length === 0) this.list.replaceChildren(h('li', { class: 'muted' }, 'No runs in this workspace yet.'));
    else this.list.replaceChildren(...runs.map((r) => runItem(r, activeRunId, this.links)));
    this.compare.hidden = runs.length === 0;
  }
}
