/**
 * The predict box: a model (the final model and its checkpoints), a text (and a second text
 * for sentence-pair models), Predict (or Ctrl/Cmd+Enter) → every label with its probability,
 * sorted, the top one highlighted.
 *
 * Messages: bootstrap(PredictState) and `models` → the model list. Request: predict →
 * LabelScore[]. UI state: the texts and the chosen model survive a reload.
 */
import type { VscodeSingleSelect, VscodeTextarea } from '@vscode-elements/elements';
import type { HostMessage, LabelScore, PredictState } from '../../src/protocol/webview.js';
import { Api } from '../api.js';
import { formRow, setChoices, singleSelect } from '../controls.js';
import { byId, h, percent } from '../dom.js';

interface UiState {
  text: string;
  pair: string;
  model: string;
}

export function mountPredict(root: HTMLElement, api: Api<UiState> = new Api<UiState>()): void {
  let state: PredictState | undefined;
  let model = '';
  let text = api.getState().text ?? '';
  let pair = api.getState().pair ?? '';
  let latest = 0;

  function showError(msg: string): void {
    const el = byId('error', root);
    el.textContent = msg;
    el.hidden = !msg;
  }

  function renderResults(scores: LabelScore[]): void {
    const sorted = [...scores].sort((a, b) => b.score - a.score);
    const box = byId('results', root);
    box.replaceChildren(
      ...sorted.map((s, i) => {
        const bar = h('div', { class: 'bar' });
        bar.style.width = `${Math.max(0, Math.min(100, s.score * 100)).toFixed(2)}%`;
        return h(
          'div',
          { class: `result${i === 0 ? ' top' : ''}`, 'data-label': s.label, role: 'listitem' },
          h('div', { class: 'result-label', title: s.label }, s.label),
          h('div', { class: 'bar-track' }, bar),
          h('div', { class: 'pct' }, percent(s.score)),
        );
      }),
    );
    box.hidden = sorted.length === 0;
  }

  async function predict(): Promise<void> {
    showError('');
    if (!model) return showError('No model to predict with: train one first.');
    if (!text.trim()) return showError('Type a text to classify.');
    if (state?.pairs && !pair.trim()) return showError('This model takes sentence pairs: type the second text too.');
    const req = ++latest;
    byId('busy', root).hidden = false;
    byId<HTMLElement & { disabled: boolean }>('predict', root).disabled = true;
    try {
      const scores = await api.request<'predict'>({ type: 'predict', model, text, ...(state?.pairs ? { pair } : {}) });
      if (req !== latest) return;
      renderResults(scores);
    } catch (err) {
      if (req !== latest) return;
      renderResults([]);
      showError((err as Error).message);
    } finally {
      if (req === latest) {
        byId('busy', root).hidden = true;
        byId<HTMLElement & { disabled: boolean }>('predict', root).disabled = false;
      }
    }
  }

  function onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void predict();
    }
  }

  function textArea(id: string, value: string, placeholder: string, set: (v: string) => void): VscodeTextarea {
    const ta = h('vscode-textarea', { id, rows: 4, resize: 'vertical', placeholder }) as VscodeTextarea;
    ta.value = value;
    ta.addEventListener('input', () => {
      set(ta.value);
    });
    ta.addEventListener('keydown', onKey);
    return ta;
  }

  function modelChoices(s: PredictState): { value: string; label: string; description: string }[] {
    return s.models.map((m) => ({ value: m.id, label: m.label, description: m.dir }));
  }

  function applyModels(s: PredictState): void {
    state = s;
    const saved = api.getState().model;
    const pick = [s.selected, model, saved].find((id) => id && s.models.some((m) => m.id === id)) ?? s.models[0]?.id ?? '';
    model = pick;
    setChoices(byId<VscodeSingleSelect>('model', root), modelChoices(s), model);
    byId('pair-row', root).hidden = !s.pairs;
    byId('no-models', root).hidden = s.models.length > 0;
  }

  function build(): void {
    root.replaceChildren(
      h('header', { class: 'page-header' }, h('h2', null, 'Try the model')),
      formRow(
        'model',
        'Model',
        singleSelect('model', [], undefined, (v) => {
          model = v;
          api.patchState({ model: v });
        }),
      ),
      h('p', { id: 'no-models', class: 'muted', hidden: true }, 'No trained model yet: finish a run first.'),
      formRow(
        'text',
        'Text',
        textArea('text', text, 'Type a sentence…', (v) => {
          text = v;
          api.patchState({ text: v });
        }),
      ),
      h(
        'div',
        { id: 'pair-row', hidden: true },
        formRow(
          'pair',
          'Second text',
          textArea('pair', pair, 'The second sentence of the pair…', (v) => {
            pair = v;
            api.patchState({ pair: v });
          }),
        ),
      ),
      h(
        'div',
        { class: 'actions' },
        h('vscode-button', { id: 'predict', onclick: () => void predict() }, 'Predict'),
        h('span', { class: 'muted hint' }, 'Ctrl+Enter'),
        h('vscode-progress-ring', { id: 'busy', hidden: true }),
      ),
      h('div', { id: 'error', class: 'error', role: 'alert', hidden: true }),
      h('div', { id: 'results', class: 'results', role: 'list', 'data-testid': 'results', hidden: true }),
    );
  }

  api.onMessage((m: HostMessage) => {
    if ((m.type === 'bootstrap' && m.page === 'predict') || m.type === 'models') {
      if (!state) build();
      applyModels(m.state);
    }
  });
  root.replaceChildren(h('div', { class: 'loading muted' }, h('vscode-progress-ring'), 'Loading…'));
  api.start('predict');
}
