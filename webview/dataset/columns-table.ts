/** The column profiles: type, empty and distinct counts, and the role each column has. */
import type { ColumnProfile } from '../../src/protocol/webviews/dataset.js';
import { h } from '../dom.js';
import { columnRole, type Roles } from './view-model.js';

function head(): HTMLElement {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', null, 'column'),
      h('th', null, 'type'),
      h('th', { class: 'num' }, 'empty'),
      h('th', { class: 'num' }, 'distinct'),
      h('th', null, 'role'),
    ),
  );
}

function row(c: ColumnProfile, roles: Roles): HTMLElement {
  return h(
    'tr',
    { 'data-column': c.name },
    h('td', null, c.name),
    h('td', null, c.kind),
    h('td', { class: 'num' }, c.empty),
    h('td', { class: 'num' }, c.distinct),
    h('td', { class: 'role' }, columnRole(c.name, roles)),
  );
}

export class ColumnsTable {
  readonly el = h('table', { id: 'columns', class: 'grid', 'data-testid': 'columns' });

  render(columns: readonly ColumnProfile[], roles: Roles): void {
    this.el.replaceChildren(head(), h('tbody', null, ...columns.map((c) => row(c, roles))));
  }
}
