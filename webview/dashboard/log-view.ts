/** The run's log as the CLI prints it, kept to the last lines, following the end unless scrolled up. */
import { h } from '../dom.js';
import type { LogLine } from './log.js';

export const MAX_LOG_LINES = 5000;

export class LogView {
  readonly el: HTMLElement;
  private readonly log = h('div', { id: 'log', class: 'log', 'data-testid': 'log', role: 'log', tabindex: 0 });

  constructor() {
    this.el = h('section', { class: 'log-box' }, h('h3', null, 'Log'), this.log);
  }

  append(lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    const log = this.log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    const frag = document.createDocumentFragment();
    for (const l of lines.slice(-MAX_LOG_LINES)) frag.append(h('div', { class: `line l-${l.kind}` }, l.text));
    log.append(frag);
    let extra = log.childElementCount - MAX_LOG_LINES;
    while (extra-- > 0) log.firstElementChild?.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}
