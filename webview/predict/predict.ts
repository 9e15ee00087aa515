/**
 * The predict box: a model (the final model and its checkpoints), a text (and a second text
 * for sentence-pair models), Predict (or Ctrl/Cmd+Enter) → every label with its probability,
 * sorted, the top one highlighted.
 *
 * Protocol (src/protocol/webviews/predict.ts): bootstrap(PredictState) and `models` → the model
 * list. Request: predict → LabelScore[]. UI state: the texts and the chosen model survive a reload.
 */
import type { VscodeSingleSelect, VscodeTextarea } from '@vscode-elements/elements';
import { Models, Predict, predictProtocol, type PredictProtocol, type PredictState } from '../../src/protocol/webviews/predict.js';
import { Api } from '../api.js';
import { formRow, setChoices, singleSelect } from '../controls.js';
import { h } from '../dom.js';
import { loading } from '../layout.js';
import { Results } from './results.js';
import { pickModel, predictProblem } from './view-model.js';

interface UiState {
  text: string;
  pair: string;
  model: string;
}

export type PredictApi = Api<PredictProtocol, UiState>;

/** The page's parts, built at the first model list. */
class PredictView {
  readonly model: VscodeSingleSelect;
  readonly pairRow: HTMLElement;
  readonly noModels = h('p', { id: 'no-models', class: 'muted', hidden: true }, 'No trained model yet: finish a run first.');
  readonly button = h('vscode-button', { id: 'predict' }, 'Predict') as HTMLElement & { disabled: boolean };
  readonly busy = h('vscode-progress-ring', { id: 'busy', hidden: true });
  readonly error = h('div', { id: 'error', class: 'error', role: 'alert', hidden: true });
  readonly results = new Results();

  constructor(root: HTMLElement, page: PredictPage) {
    this.model = singleSelect('model', [], undefined, (v) => page.set('model', v));
    this.button.addEventListener('click', () => void page.predict());
    const area = (id: 'text' | 'pair', placeholder: string): VscodeTextarea => {
      const ta = h('vscode-textarea', { id, rows: 4, resize: 'vertical', placeholder }) as VscodeTextarea;
      ta.value = page.ui[id];
      ta.addEventListener('input', () => page.set(id, ta.value));
      ta.addEventListener('keydown', (e: KeyboardEvent) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void page.predict();
        }
      });
      return ta;
    };
    this.pairRow = h('div', { id: 'pair-row', hidden: true }, formRow('pair', 'Second text', area('pair', 'The second sentence of the pair…')));
    root.replaceChildren(
      h('header', { class: 'page-header' }, h('h2', null, 'Try the model')),
      formRow('model', 'Model', this.model),
      this.noModels,
      formRow('text', 'Text', area('text', 'Type a sentence…')),
      this.pairRow,
      h('div', { class: 'actions' }, this.button, h('span', { class: 'muted hint' }, 'Ctrl+Enter'), this.busy),
      this.error,
      this.results.el,
    );
  }

  showError(msg: string): void {
    this.error.textContent = msg;
    this.error.hidden = !msg;
  }

  setBusy(busy: boolean): void {
    this.busy.hidden = !busy;
    this.button.disabled = busy;
  }
}

class PredictPage {
  private state: PredictState | undefined;
  private view: PredictView | undefined;
  /** The model, texts as shown (the texts start from the saved UI state). */
  readonly ui: UiState;
  private latest = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: PredictApi,
  ) {
    const saved = api.getState();
    this.ui = { model: '', text: saved.text ?? '', pair: saved.pair ?? '' };
  }

  set(key: keyof UiState, value: string): void {
    this.ui[key] = value;
    this.api.patchState({ [key]: value });
  }

  /** The model list (bootstrap or pushed). */
  showModels(s: PredictState): void {
    const view = (this.view ??= new PredictView(this.root, this));
    this.state = s;
    this.ui.model = pickModel(s, this.ui.model, this.api.getState().model);
    setChoices(
      view.model,
      s.models.map((m) => ({ value: m.id, label: m.label, description: m.dir })),
      this.ui.model,
    );
    view.pairRow.hidden = !s.pairs;
    view.noModels.hidden = s.models.length > 0;
  }

  async predict(): Promise<void> {
    const view = this.view!;
    const { model, text, pair } = this.ui;
    const pairs = this.state?.pairs === true;
    view.showError('');
    const problem = predictProblem(model, text, pair, pairs);
    if (problem) return view.showError(problem);
    const req = ++this.latest;
    view.setBusy(true);
    try {
      const scores = await this.api.request(Predict, { model, text, ...(pairs ? { pair } : {}) });
      if (req !== this.latest) return;
      view.results.render(scores);
    } catch (err) {
      if (req !== this.latest) return;
      view.results.render([]);
      view.showError((err as Error).message);
    } finally {
      if (req === this.latest) view.setBusy(false);
    }
  }
}

export function mountPredict(root: HTMLElement, api: PredictApi = new Api(predictProtocol)): void {
  const page = new PredictPage(root, api);
  api.on(predictProtocol.bootstrap, ({ state }) => page.showModels(state));
  api.on(Models, ({ state }) => page.showModels(state));
  root.replaceChildren(loading());
  api.start();
}
