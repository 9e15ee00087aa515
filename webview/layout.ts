/** Pieces of page layout more than one page uses. */
import { h } from './dom.js';

/** What a page shows until its bootstrap arrives. */
export function loading(): HTMLElement {
  return h('div', { class: 'loading muted' }, h('vscode-progress-ring'), 'Loading…');
}
