/** The predictions: each label with a bar and its probability, best first, the top one highlighted. */
import type { LabelScore } from '../../src/protocol/webviews/predict.js';
import { h } from '../dom.js';
import { resultRows, type ResultRow } from './view-model.js';

function result(r: ResultRow): HTMLElement {
  const bar = h('div', { class: 'bar' });
  bar.style.width = r.width;
  return h(
    'div',
    { class: `result${r.top ? ' top' : ''}`, 'data-label': r.label, role: 'listitem' },
    h('div', { class: 'result-label', title: r.label }, r.label),
    h('div', { class: 'bar-track' }, bar),
    h('div', { class: 'pct' }, r.percent),
  );
}

export class Results {
  readonly el = h('div', { id: 'results', class: 'results', role: 'list', 'data-testid': 'results', hidden: true });

  render(scores: readonly LabelScore[]): void {
    const rows = resultRows(scores);
    this.el.replaceChildren(...rows.map(result));
    this.el.hidden = rows.length === 0;
  }
}
