/**
 * A virtualised table: fixed-height rows, only the rows in view (plus a margin) are in the DOM,
 * so ten thousand rows cost as much as forty. Header and rows share one CSS grid template, each
 * column as wide as its typical cell (columns.ts).
 */
import { h } from '../dom.js';
import { columnShares, gridColumns } from './columns.js';

export const ROW_HEIGHT = 24;
const OVERSCAN = 8;
/** Rows drawn when the table is not laid out yet (hidden view). */
const FALLBACK_ROWS = 30;
/** Longer cells get a tooltip with the full text. */
const TITLE_FROM = 40;

export class VirtualRows {
  readonly el: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private columns: string[] = [];
  private rows: string[][] = [];
  private first = -1;
  private last = -1;
  private queued = false;

  constructor(id: string) {
    this.head = h('div', { class: 'vrow vhead', role: 'row' });
    this.body = h('div', { class: 'vbody', role: 'rowgroup' });
    this.el = h('div', { id, class: 'vgrid', role: 'table', 'data-testid': id, tabindex: 0 }, this.head, this.body);
    this.el.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  setData(columns: string[], rows: string[][]): void {
    this.columns = columns;
    this.rows = rows;
    const grid = gridColumns(columnShares(columns, rows));
    this.el.style.setProperty('--grid-columns', grid.template);
    this.el.style.setProperty('--grid-min-width', grid.minWidth);
    this.el.setAttribute('aria-rowcount', String(rows.length + 1));
    this.head.replaceChildren(
      h('div', { class: 'vcell idx', role: 'columnheader' }, '#'),
      ...columns.map((c) => h('div', { class: 'vcell', role: 'columnheader', title: c }, c)),
    );
    this.body.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.first = this.last = -1;
    this.draw();
  }

  /** Index range of the rows now in the DOM (for tests and debugging). */
  get drawn(): [number, number] {
    return [this.first, this.last];
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.draw();
    });
  }

  private draw(): void {
    const n = this.rows.length;
    const view = this.el.clientHeight;
    const top = this.el.scrollTop - this.body.offsetTop;
    const visible = view > 0 ? Math.ceil(view / ROW_HEIGHT) : FALLBACK_ROWS;
    const first = Math.max(0, Math.min(n - 1, Math.floor(Math.max(0, top) / ROW_HEIGHT) - OVERSCAN));
    const last = Math.min(n - 1, first + visible + 2 * OVERSCAN);
    if (first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    const frag = document.createDocumentFragment();
    for (let i = first; i <= last && i >= 0; i++) {
      const row = this.rows[i]!;
      const r = h('div', { class: 'vrow', role: 'row', 'data-index': i, 'aria-rowindex': i + 2 }, h('div', { class: 'vcell idx' }, i + 1));
      r.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      for (let c = 0; c < this.columns.length; c++) {
        const text = row[c] ?? '';
        const cell = h('div', { class: text === '' ? 'vcell empty' : 'vcell', role: 'cell' }, text);
        if (text.length > TITLE_FROM) cell.title = text;
        r.append(cell);
      }
      frag.append(r);
    }
    this.body.replaceChildren(frag);
  }
}
