/** The latest confusion matrix (rows: true, columns: predicted) with per-class precision, recall, F1, support. */
import { h } from '../dom.js';
import type { ConfusionRow, ConfusionView } from './view-model.js';

function head(labels: readonly string[]): HTMLElement {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', { class: 'corner' }, 'true \\ predicted'),
      ...labels.map((l) => h('th', { class: 'pred' }, l)),
      h('th', { class: 'sep' }, 'precision'),
      h('th', null, 'recall'),
      h('th', null, 'f1'),
      h('th', null, 'support'),
    ),
  );
}

function row(r: ConfusionRow, i: number): HTMLElement {
  const [precision, recall, f1, support] = r.scores;
  return h(
    'tr',
    { 'data-label': r.label },
    h('th', { class: 'true' }, r.label),
    ...r.cells.map((c, j) => {
      const td = h('td', { class: `count${c.diag ? ' diag' : ''}`, 'data-row': i, 'data-col': j }, c.count);
      td.style.setProperty('--share', `${Math.round(c.share * 100)}%`);
      return td;
    }),
    h('td', { class: 'sep score' }, precision),
    h('td', { class: 'score' }, recall),
    h('td', { class: 'score' }, f1),
    h('td', { class: 'score' }, support),
  );
}

export class ConfusionBox {
  readonly el: HTMLElement;
  private readonly title = h('h3', { id: 'confusion-title' }, 'Confusion matrix');
  private readonly box = h('div', { id: 'confusion', 'data-testid': 'confusion' });

  constructor() {
    this.el = h('section', { class: 'confusion-box' }, this.title, this.box);
  }

  render(v: ConfusionView): void {
    this.title.textContent = v.title;
    if ('empty' in v) {
      this.box.replaceChildren(h('p', { class: 'muted' }, v.empty));
      return;
    }
    this.box.replaceChildren(h('table', { class: 'confusion', 'data-testid': 'confusion-table' }, head(v.labels), h('tbody', null, ...v.rows.map(row))));
  }
}
