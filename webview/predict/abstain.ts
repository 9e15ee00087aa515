/**
 * When the model abstains (its top probability is below the confidence threshold of its
 * calibration.json): a line above the probabilities says so instead of a label, and the top row is
 * not marked as the answer. The probabilities stay listed.
 */
import type { Abstained } from '../../src/protocol/webviews/predict.js';
import { h } from '../dom.js';
import { abstainText } from './view-model.js';

/** Shows (or, with no abstention, hides) the abstain line above `results`. */
export function showAbstained(results: HTMLElement, a: Abstained | undefined): void {
  let line = results.parentElement?.querySelector<HTMLElement>('#abstained') ?? null;
  if (!line) {
    line = h('div', { id: 'abstained', class: 'abstain-note', role: 'status', hidden: true });
    results.before(line);
  }
  line.textContent = a ? abstainText(a) : '';
  line.hidden = !a;
  results.classList.toggle('abstained', !!a);
}
