/**
 * The predict box: a model (the final model and its checkpoints), a text (and a second text
 * for sentence-pair models), Predict (or Ctrl/Cmd+Enter) → every label with its probability,
 * sorted, the top one highlighted (or, when the model abstains, a line that says so above them).
 *
 * Protocol (src/protocol/webviews/predict.ts): bootstrap(PredictState) and `models` → the model
 * list. Request: predict → PredictResult (scores, abstained). UI state: the texts and the chosen model survive a reload.
 */
import type { VscodeCheckbox, VscodeSingleSelect, VscodeTextarea } from '@vscode-elements/elements';
import { ChooseModel, Explain, Models, Predict, predictProtocol, type PredictProtocol, type PredictState } from '../../src/protocol/webviews/predict.js';
import { Api } from '../api.js';
import { formRow, setChoices, singleSelect } from '../controls.js';
import { h } from '../dom.js';
import { loading } from '../layout.js';
import { showAbstained } from './abstain.js';
import { ExplainBox } from './explain-view.js';
import { Results } from './results.js';
import { modelNote, pickModel, predictProblem, takesPair } from './view-model.js';

interface UiState {
  text: string;
  pair: string;
  model: string;
  /** The person asked for a second text (a model not known to take pairs). */
  pairOn: string;
}

export type PredictApi = Api<PredictProtocol, UiState>;

/** The page's parts, built at the first model list. */
class PredictView {
  readonly model: VscodeSingleSelect;
  readonly pairRow: HTMLElement;
  readonly noModels: HTMLElement;
  readonly note = h('div', { id: 'model-note', class: 'muted' });
  readonly pairToggle: VscodeCheckbox;
  readonly button = h('vscode-button', { id: 'predict' }, 'Predict') as HTMLElement & { disabled: boolean };
  readonly busy = h('vscode-progress-ring', { id: 'busy', hidden: true });
  readonly error = h('div', { id: 'error', class: 'error', role: 'alert', hidden: true });
  readonly results = new Results();
  readonly explain: ExplainBox;

  constructor(root: HTMLElement, page: PredictPage) {
    this.explain = new ExplainBox((params) => page.api.request(Explain, params));
    this.model = singleSelect('model', [], undefined, (v) => (page.set('model', v), page.modelChanged()));
    this.button.addEventListener('click', () => void page.predict());
    const choose = (id: string, label: string): HTMLElement =>
      h('vscode-button', { id, secondary: id === 'choose-model', onclick: () => void page.chooseModel() }, label);
    this.noModels = h(
      'div',
      { id: 'no-models', class: 'empty-state', hidden: true },
      h(
        'p',
        null,
        'No model yet. Try a pretrained classifier from the Hugging Face Hub as it is, before any training — or train one from the Finetune sidebar.',
      ),
      choose('choose-model-empty', 'Choose a Hub model…'),
    );
    this.pairToggle = h('vscode-checkbox', { id: 'pair-toggle', label: 'Sentence pair (a second text)' }) as VscodeCheckbox;
    this.pairToggle.addEventListener('change', () => (page.set('pairOn', this.pairToggle.checked ? '1' : ''), page.modelChanged()));
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
      formRow('model', 'Model', h('div', { class: 'with-button' }, this.model, choose('choose-model', 'Choose…'))),
      this.note,
      this.noModels,
      formRow('text', 'Text', area('text', 'Type a sentence…')),
      this.pairToggle,
      this.pairRow,
      h('div', { class: 'actions' }, this.button, h('span', { class: 'muted hint' }, 'Ctrl+Enter'), this.busy),
      this.error,
      this.results.el,
      this.explain.el,
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
    readonly api: PredictApi,
  ) {
    const saved = api.getState();
    this.ui = { model: '', text: saved.text ?? '', pair: saved.pair ?? '', pairOn: saved.pairOn ?? '' };
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
    view.noModels.hidden = s.models.length > 0;
    this.modelChanged();
  }

  /** The chosen model's note, and the second text for a pair model (or when asked for). */
  modelChanged(): void {
    const view = this.view;
    if (!view || !this.state) return;
    const m = this.state.models.find((x) => x.id === this.ui.model);
    view.note.textContent = modelNote(m);
    view.pairToggle.checked = takesPair(m, this.ui.pairOn === '1');
    view.pairToggle.disabled = m?.pairs === true;
    view.pairRow.hidden = !takesPair(m, this.ui.pairOn === '1');
  }

  /** The model picker (Hub search, cached, recent, folders): the chosen model is selected. */
  async chooseModel(): Promise<void> {
    const view = this.view!;
    view.showError('');
    try {
      const s = await this.api.request(ChooseModel, {});
      if (!s) return;
      this.ui.model = '';
      this.showModels(s);
      if (s.selected) this.set('model', s.selected);
    } catch (err) {
      view.showError((err as Error).message);
    }
  }

  async predict(): Promise<void> {
    const view = this.view!;
    const { model, text, pair } = this.ui;
    const pairs = takesPair(
      this.state?.models.find((m) => m.id === model),
      this.ui.pairOn === '1',
    );
    view.showError('');
    const problem = predictProblem(model, text, pair, pairs);
    if (problem) return view.showError(problem);
    const req = ++this.latest;
    view.setBusy(true);
    view.explain.reset();
    try {
      const r = await this.api.request(Predict, { model, text, ...(pairs ? { pair } : {}) });
      if (req !== this.latest) return;
      view.results.render(r.scores);
      showAbstained(view.results.el, r.abstained);
      view.explain.show({ model, text, ...(pairs ? { pair } : {}), scores: r.scores, ...(r.read ? { read: r.read } : {}) });
    } catch (err) {
      if (req !== this.latest) return;
      view.results.render([]);
      showAbstained(view.results.el, undefined);
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
