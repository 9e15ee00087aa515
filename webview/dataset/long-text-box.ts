/** Under the length histogram: the rows longer than max_seq_length and what each --long_text mode reads of them (as `finetune inspect` counts them). */
import type { LongTextCounts } from '../../src/protocol/webviews/dataset.js';
import { h } from '../dom.js';
import { longTextRows, longTextSummary } from './view-model.js';

export class LongTextBox {
  private readonly summary = h('div', { id: 'long-text-summary', class: 'muted' });
  private readonly body = h('tbody');
  private readonly table = h(
    'table',
    { id: 'long-text-table', class: 'grid long-text-table' },
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, 'long_text'), h('th', { scope: 'col' }, 'reads of the long rows'), h('th', { scope: 'col' }, 'model inputs')),
    ),
    this.body,
  );
  readonly el = h('div', { id: 'long-text', class: 'long-text', hidden: true }, this.summary, this.table);

  render(l: LongTextCounts | undefined): void {
    this.el.hidden = !l;
    if (!l) return;
    this.summary.textContent = longTextSummary(l);
    this.table.hidden = l.rowsOverLength === 0;
    this.body.replaceChildren(
      ...longTextRows(l).map((r) =>
        h('tr', { 'data-mode': r.mode }, h('th', { scope: 'row' }, h('code', null, r.mode)), h('td', null, r.reads), h('td', null, r.inputs)),
      ),
    );
  }
}
