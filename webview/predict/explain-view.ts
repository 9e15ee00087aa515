/**
 * The predict box's explanation box, under the predictions: how the model read the text ("read in
 * 3 chunks"), Explain with a label to explain (the predicted one first; switching the label explains
 * it), then the text with each word shaded by its attribution (blue toward the label, orange
 * against; stronger = larger share of the strongest word; strong words also underlined, solid or
 * dotted, so the sign reads without colour), a legend, the top words each way and the completeness
 * check in small print. Every word carries its value in a tooltip and its accessible name.
 *
 * The page hands it each prediction (`show`) and clears it when a new one starts (`reset`); the
 * explanation itself is a request the page passes in.
 */
import type { VscodeSingleSelect } from '@vscode-elements/elements';
import { directions } from '../../src/protocol/explain.js';
import type { LabelScore, TextExplanation, TextReading } from '../../src/protocol/webviews/predict.js';
import { setChoices, singleSelect } from '../controls.js';
import { h } from '../dom.js';
import { STRONG, explainLabels, explainedTexts, legend, readLine, smallPrint, topWordLines, type Segment } from './explain-model.js';

/** A prediction shown in the box: what Explain explains. */
export interface Predicted {
  model: string;
  text: string;
  pair?: string;
  scores: LabelScore[];
  read?: TextReading;
}

export type ExplainRequest = (params: { model: string; text: string; pair?: string; label?: string }) => Promise<TextExplanation>;

type Button = HTMLElement & { disabled: boolean };

function segment(s: Segment, why: string): Node {
  if (s.unread) return h('span', { class: 'unread', title: why }, s.text);
  if (!s.word) return document.createTextNode(s.text);
  const w = s.word;
  const el = h(
    'mark',
    {
      class: `xw ${w.sign}`,
      title: w.title,
      'aria-label': w.title,
      'data-attribution': String(w.attribution),
      'data-strong': w.strength >= STRONG,
    },
    s.text,
  );
  el.style.setProperty('--xw', w.strength.toFixed(4));
  return el;
}

export class ExplainBox {
  readonly el: HTMLElement;
  private readonly readNote = h('div', { id: 'read-note', class: 'muted read-note', hidden: true });
  private readonly actions: HTMLElement;
  private readonly button = h(
    'vscode-button',
    { id: 'explain', secondary: true, title: 'Integrated Gradients attributions of each word' },
    'Explain',
  ) as Button;
  private readonly label: VscodeSingleSelect;
  private readonly busy = h('vscode-progress-ring', { id: 'explain-busy', hidden: true });
  private readonly error = h('div', { id: 'explain-error', class: 'error', role: 'alert', hidden: true });
  private readonly legendEl = h('div', { id: 'explain-legend', class: 'explain-legend' });
  private readonly texts = h('div', { id: 'explain-texts' });
  private readonly top = h('div', { id: 'explain-top', class: 'explain-top' });
  private readonly print = h('div', { id: 'explain-note', class: 'muted small-print' });
  private readonly result = h('section', { id: 'explanation', class: 'explanation', hidden: true, 'aria-live': 'polite' });
  private predicted: Predicted | undefined;
  private readonly cache = new Map<string, TextExplanation>();
  private latest = 0;

  constructor(private readonly request: ExplainRequest) {
    this.label = singleSelect('explain-label', [], undefined, (v) => {
      if (!this.result.hidden) void this.explain(v);
    });
    this.label.setAttribute('aria-label', 'Label to explain');
    this.button.addEventListener('click', () => void this.explain(this.label.value));
    this.actions = h(
      'div',
      { class: 'actions explain-actions', hidden: true },
      this.button,
      h('span', { class: 'muted' }, 'which words push toward'),
      this.label,
      this.busy,
    );
    this.result.append(this.legendEl, this.texts, this.top, this.print);
    this.el = h('div', { id: 'explain-box', class: 'explain-box' }, this.readNote, this.actions, this.error, this.result);
  }

  /** A new prediction: its reading note, Explain with its labels; any explanation shown before goes. */
  show(p: Predicted): void {
    this.reset();
    this.predicted = p;
    const note = readLine(p.read);
    this.readNote.textContent = note;
    this.readNote.hidden = !note;
    setChoices(
      this.label,
      explainLabels(p.scores).map((l) => ({ value: l })),
      undefined,
    );
    this.actions.hidden = false;
  }

  /** Nothing to explain (a prediction started or failed). */
  reset(): void {
    this.latest++;
    this.predicted = undefined;
    this.cache.clear();
    this.readNote.hidden = true;
    this.actions.hidden = true;
    this.result.hidden = true;
    this.showError('');
    this.setBusy(false);
  }

  /** Explains the prediction toward `label` (the cached explanation when there is one). */
  async explain(label: string): Promise<void> {
    const p = this.predicted;
    if (!p) return;
    const req = ++this.latest;
    this.showError('');
    const cached = this.cache.get(label);
    if (cached) return this.render(cached);
    this.setBusy(true);
    try {
      const e = await this.request({ model: p.model, text: p.text, ...(p.pair !== undefined ? { pair: p.pair } : {}), ...(label ? { label } : {}) });
      if (req !== this.latest) return;
      this.cache.set(e.label, e);
      this.render(e);
    } catch (err) {
      if (req !== this.latest) return;
      this.result.hidden = true;
      this.showError((err as Error).message);
    } finally {
      if (req === this.latest) this.setBusy(false);
    }
  }

  private render(e: TextExplanation): void {
    if (this.label.value !== e.label) this.label.value = e.label;
    this.legendEl.replaceChildren(
      h('span', { class: 'muted' }, 'Shading:'),
      ...legend(e).map((l) =>
        h('span', { class: 'legend-item', 'data-sign': l.sign }, h('span', { class: `swatch ${l.sign}`, 'aria-hidden': 'true' }), l.text),
      ),
      h('span', { class: 'muted' }, 'stronger = more of the prediction'),
    );
    const why = `not read by the model (${e.read.mode} at max_seq_length ${e.read.maxLength})`;
    if (e.unread.length) this.legendEl.append(h('span', { class: 'legend-item', 'data-sign': 'unread' }, h('span', { class: 'unread' }, 'italic'), why));
    this.texts.replaceChildren(
      ...explainedTexts(e).map((t) =>
        h(
          'div',
          { class: 'explain-part' },
          h('div', { class: 'explain-title muted' }, t.title),
          h(
            'p',
            {
              class: 'explain-text',
              'data-testid': 'explain-text',
              'aria-label': `${t.title}, each word shaded by its attribution (${directions(e).for}, or ${directions(e).against})`,
            },
            ...t.segments.map((s) => segment(s, why)),
          ),
        ),
      ),
    );
    this.top.replaceChildren(...topWordLines(e).map((l) => h('div', null, l)));
    this.print.textContent = smallPrint(e);
    this.result.hidden = false;
  }

  private showError(msg: string): void {
    this.error.textContent = msg;
    this.error.hidden = !msg;
  }

  private setBusy(busy: boolean): void {
    this.busy.hidden = !busy;
    this.button.disabled = busy;
  }
}
