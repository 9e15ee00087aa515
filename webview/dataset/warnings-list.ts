/** The preview's warnings: what a person should know before training, each with its count and a few examples. */
import type { DatasetWarning } from '../../src/protocol/webviews/dataset.js';
import { h } from '../dom.js';
import { count } from '../format.js';
import { warningLines } from './view-model.js';

function item(w: DatasetWarning): HTMLElement {
  const { message, examples } = warningLines(w);
  return h(
    'li',
    { class: `warning warning-${w.kind}`, 'data-kind': w.kind },
    w.count !== undefined ? h('span', { class: 'warning-count', title: 'rows' }, count(w.count)) : null,
    h('span', { class: 'warning-message' }, message),
    examples.length ? h('ul', { class: 'warning-examples' }, ...examples.map((e) => h('li', null, e))) : null,
  );
}

export class WarningsList {
  readonly el = h('section', { id: 'warnings-box', class: 'warnings-box', hidden: true }, h('h3', null, 'Before you train'));
  private readonly list = h('ul', { id: 'warnings', class: 'warnings', 'data-testid': 'warnings' });

  constructor() {
    this.el.append(this.list);
  }

  render(warnings: readonly DatasetWarning[]): void {
    this.list.replaceChildren(...warnings.map(item));
    this.el.hidden = warnings.length === 0;
  }
}
