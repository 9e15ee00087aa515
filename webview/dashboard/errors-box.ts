/**
 * The final evaluation's errors and least-confident rows (text, label, predicted, score), sortable
 * by column, filtered to a confusion-matrix cell; a row opens the data file at its line.
 */
import type { ErrorRow, ErrorTable } from '../../src/protocol/webviews/dashboard.js';
import { h } from '../dom.js';
import { baseName, percent } from '../format.js';
import { type CellFilter, type Sort, type SortKey, errorsCaption, filterRows, nextSort, predictedText, sortRows } from './errors-view-model.js';

const COLUMNS: { key: SortKey; title: string; num?: boolean }[] = [
  { key: 'line', title: 'Line', num: true },
  { key: 'text', title: 'Text' },
  { key: 'label', title: 'Label' },
  { key: 'predicted', title: 'Predicted' },
  { key: 'score', title: 'Score', num: true },
];

export class ErrorsBox {
  readonly el: HTMLElement;
  private readonly caption = h('p', { id: 'errors-caption', class: 'muted' });
  private readonly filterBar = h('div', { id: 'errors-filter', class: 'filter-bar', hidden: true });
  private readonly box = h('div', { id: 'errors', class: 'errors-scroll', 'data-testid': 'errors' });
  private readonly title = h('h3', { id: 'errors-title' }, 'Errors and least confident predictions');
  private table: ErrorTable | undefined;
  private sort: Sort | undefined;
  private filter: CellFilter | undefined;

  /** `open`: a row was chosen (its line); `filterChanged`: the filter was cleared here (the matrix unmarks its cell). */
  constructor(
    private readonly open: (line: number) => void,
    private readonly filterChanged: (f: CellFilter | undefined) => void,
  ) {
    this.el = h('section', { class: 'errors-box', hidden: true }, this.title, this.caption, this.filterBar, this.box);
  }

  /** A new table (null: the run has none yet). The filter and the sort stay. */
  render(t: ErrorTable | null): void {
    this.table = t ?? undefined;
    this.el.hidden = !t;
    if (t) this.title.textContent = `Errors and least confident predictions — ${baseName(t.dataFile)}`;
    this.draw();
  }

  /** The table could not be read: say so where it would be. */
  failed(message: string): void {
    this.table = undefined;
    this.el.hidden = false;
    this.caption.textContent = `The errors table could not be read: ${message}`;
    this.filterBar.hidden = true;
    this.box.replaceChildren();
  }

  setFilter(f: CellFilter | undefined): void {
    this.filter = f;
    this.draw();
  }

  get currentFilter(): CellFilter | undefined {
    return this.filter;
  }

  private draw(): void {
    const t = this.table;
    if (!t) return;
    const rows = sortRows(filterRows(t.rows, this.filter), this.sort);
    this.caption.textContent = errorsCaption(t, rows.length, this.filter);
    this.drawFilter();
    const head = h(
      'tr',
      null,
      ...COLUMNS.map((c) => {
        const dir = this.sort?.key === c.key ? this.sort.dir : undefined;
        const th = h(
          'th',
          { class: c.num ? 'num' : null, 'data-key': c.key, 'aria-sort': dir ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' },
          h('button', { class: 'sort', type: 'button', onclick: () => this.sortBy(c.key) }, c.title, dir ? (dir === 'asc' ? ' ▲' : ' ▼') : ''),
        );
        return th;
      }),
    );
    const body = rows.length ? rows.map((r) => this.row(r)) : [h('tr', null, h('td', { colspan: COLUMNS.length, class: 'muted' }, 'No rows here.'))];
    this.box.replaceChildren(h('table', { class: 'grid errors', 'data-testid': 'errors-table' }, h('thead', null, head), h('tbody', null, ...body)));
  }

  private drawFilter(): void {
    const f = this.filter;
    this.filterBar.hidden = !f;
    if (!f) return this.filterBar.replaceChildren();
    this.filterBar.replaceChildren(
      h('span', null, 'Label ', h('b', null, f.label), ' predicted as ', h('b', null, f.predicted)),
      h('vscode-button', { id: 'clear-filter', secondary: true, onclick: () => (this.setFilter(undefined), this.filterChanged(undefined)) }, 'Clear filter'),
    );
  }

  private row(r: ErrorRow): HTMLElement {
    const text = r.pair !== undefined ? `${r.text} ‖ ${r.pair}` : r.text;
    const open = (): void => this.open(r.line);
    return h(
      'tr',
      {
        class: `row-${r.kind}`,
        'data-line': r.line,
        tabindex: 0,
        title: `Open line ${r.line} of ${this.table ? baseName(this.table.dataFile) : 'the data file'}`,
        onclick: open,
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') {
            e.preventDefault();
            open();
          }
        },
      },
      h('td', { class: 'num line' }, r.line),
      h('td', { class: 'text' }, h('div', { class: 'clip', title: text }, text)),
      h('td', { class: 'label' }, r.label),
      h('td', { class: `predicted ${r.kind}` }, predictedText(r)),
      h('td', { class: 'num score' }, percent(r.score)),
    );
  }

  private sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key);
    this.draw();
  }
}
