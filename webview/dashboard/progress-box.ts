/** Progress: the bar, step / epoch / ETA / speed / stage, and the latest metrics as chips. */
import { h } from '../dom.js';
import type { MetricChip, ProgressView } from './view-model.js';

type Bar = HTMLElement & { value: number; max: number; indeterminate: boolean };

function stat(label: string, el: HTMLElement): HTMLElement {
  return h('span', null, `${label} `, el);
}

function chip(c: MetricChip): HTMLElement {
  return h(
    'span',
    { class: c.best ? 'metric best' : 'metric', 'data-metric': c.key },
    h('span', { class: 'metric-name' }, c.name),
    ' ',
    h('span', { class: 'metric-value' }, c.value),
  );
}

export class ProgressBox {
  readonly el: HTMLElement;
  private readonly bar = h('vscode-progress-bar', { id: 'progress', 'aria-label': 'training progress' }) as Bar;
  private readonly step = h('b', { id: 'step' }, '–');
  private readonly epoch = h('b', { id: 'epoch' }, '–');
  private readonly eta = h('b', { id: 'eta' }, '–');
  private readonly speed = h('span', { id: 'speed', class: 'muted' });
  private readonly stage = h('span', { id: 'stage', class: 'muted' });
  private readonly metrics = h('div', { id: 'metrics', class: 'metrics', hidden: true });

  constructor() {
    this.el = h(
      'section',
      { class: 'progress-box' },
      this.bar,
      h('div', { class: 'stats' }, stat('Step', this.step), stat('Epoch', this.epoch), stat('ETA', this.eta), this.speed, this.stage),
      this.metrics,
    );
  }

  render(v: ProgressView): void {
    this.bar.max = v.max;
    this.bar.value = v.value;
    this.bar.indeterminate = v.indeterminate;
    this.step.textContent = v.step;
    this.epoch.textContent = v.epoch;
    this.eta.textContent = v.eta;
    this.speed.textContent = v.speed;
    this.stage.textContent = v.stage;
  }

  renderMetrics(chips: readonly MetricChip[]): void {
    this.metrics.replaceChildren(...chips.map(chip));
    this.metrics.hidden = chips.length === 0;
  }
}
