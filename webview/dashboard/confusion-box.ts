/**
 * The latest confusion matrix (rows: true, columns: predicted) with per-class precision, recall,
 * F1, support. Once the errors table has rows, a count cell filters it to that (true, predicted)
 * pair; clicking the cell again clears the filter.
 */
import { h } from '../dom.js';
import type { CellFilter } from './errors-view-model.js';
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

/** A count cell: a button-like cell once it can filter the errors table. */
function countCell(r: ConfusionRow, i: number, j: number, labels: readonly string[], pick: Pick | undefined): HTMLElement {
  const c = r.cells[j]!;
  const f: CellFilter = { label: r.label, predicted: labels[j]! };
  const on = pick?.selected?.label === f.label && pick.selected.predicted === f.predicted;
  const toggle = (): void => pick?.choose(on ? undefined : f);
  const td = h(
    'td',
    {
      class: `count${c.diag ? ' diag' : ''}${pick ? ' pickable' : ''}${on ? ' selected' : ''}`,
      'data-row': i,
      'data-col': j,
      ...(pick
        ? {
            tabindex: 0,
            role: 'button',
            'aria-pressed': on ? 'true' : 'false',
            title: `Show the rows labelled ${f.label} predicted as ${f.predicted} in the errors table`,
            onclick: toggle,
            onkeydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') {
                e.preventDefault();
                toggle();
              }
            },
          }
        : {}),
    },
    c.count,
  );
  td.style.setProperty('--share', `${Math.round(c.share * 100)}%`);
  return td;
}

function row(r: ConfusionRow, i: number, labels: readonly string[], pick: Pick | undefined): HTMLElement {
  const [precision, recall, f1, support] = r.scores;
  return h(
    'tr',
    { 'data-label': r.label },
    h('th', { class: 'true' }, r.label),
    ...r.cells.map((_, j) => countCell(r, i, j, labels, pick)),
    h('td', { class: 'sep score' }, precision),
    h('td', { class: 'score' }, recall),
    h('td', { class: 'score' }, f1),
    h('td', { class: 'score' }, support),
  );
}

/** How cells filter the errors table: the cell chosen, and what choosing does. */
interface Pick {
  selected: CellFilter | undefined;
  choose: (f: CellFilter | undefined) => void;
}

export class ConfusionBox {
  readonly el: HTMLElement;
  private readonly title = h('h3', { id: 'confusion-title' }, 'Confusion matrix');
  private readonly box = h('div', { id: 'confusion', 'data-testid': 'confusion' });

  private view: ConfusionView | undefined;
  private pick: Pick | undefined;

  constructor() {
    this.el = h('section', { class: 'confusion-box' }, this.title, this.box);
  }

  render(v: ConfusionView): void {
    this.view = v;
    this.title.textContent = v.title;
    if ('empty' in v) {
      this.box.replaceChildren(h('p', { class: 'muted' }, v.empty));
      return;
    }
    const hint = this.pick ? h('p', { class: 'muted hint' }, 'Click a count to see those rows in the errors table.') : null;
    const table = h(
      'table',
      { class: 'confusion', 'data-testid': 'confusion-table' },
      head(v.labels),
      h('tbody', null, ...v.rows.map((r, i) => row(r, i, v.labels, this.pick))),
    );
    this.box.replaceChildren(table, ...(hint ? [hint] : []));
  }

  /** Lets the cells filter the errors table (undefined: they do not); `selected` is marked. */
  setPick(pick: Pick | undefined): void {
    this.pick = pick;
    if (this.view) this.render(this.view);
  }
}
