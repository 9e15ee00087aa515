/**
 * The dataset preview: the first rows (virtualised), column profiles, column roles, the label
 * distribution, the token-length histogram with max_seq_length marked, warnings, and
 * "Train on this file". Each part is a component of its own; this page holds the preview state.
 *
 * Protocol (src/protocol/webviews/dataset.ts): bootstrap(DatasetPreviewState) and `preview` (a new
 * state) → render. Request: analyze (columns, tokenizer, max_seq_length) → a new
 * DatasetPreviewState. Command: trainOnThis.
 */
import {
  Analyze,
  PickTokenizer,
  Preview,
  TrainOnThis,
  datasetProtocol,
  type DatasetPreviewState,
  type DatasetProtocol,
} from '../../src/protocol/webviews/dataset.js';
import { Api } from '../api.js';
import { exposeCharts, followTheme } from '../charts.js';
import { h } from '../dom.js';
import { baseName } from '../format.js';
import { loading } from '../layout.js';
import { LabelChart, LengthChart } from './charts.js';
import { ColumnsTable } from './columns-table.js';
import { LongTextBox } from './long-text-box.js';
import { RolesForm } from './roles-form.js';
import { analyzeParams, fileInfo, rowsTitle } from './view-model.js';
import { VirtualRows } from './virtual-rows.js';
import { WarningsList } from './warnings-list.js';

export type DatasetApi = Api<DatasetProtocol>;

/** The page's parts, built once (at the first preview). */
class DatasetView {
  private readonly fileName = h('h2', { id: 'file-name' });
  private readonly info = h('div', { id: 'file-info', class: 'muted' });
  private readonly error = h('div', { id: 'error', class: 'error', role: 'alert', hidden: true });
  private readonly warnings = new WarningsList();
  private readonly labels = new LabelChart();
  private readonly lengths = new LengthChart();
  private readonly longText = new LongTextBox();
  private readonly columns = new ColumnsTable();
  private readonly rowsTitle = h('h3', { id: 'rows-title' }, 'Rows');
  private readonly rows = new VirtualRows('rows');

  constructor(
    root: HTMLElement,
    readonly roles: RolesForm,
    onTrain: () => void,
  ) {
    root.replaceChildren(
      h(
        'header',
        { class: 'page-header' },
        h('div', { class: 'title-row' }, this.fileName, h('vscode-button', { id: 'train', onclick: onTrain }, 'Train on this file')),
        this.info,
      ),
      this.error,
      roles.el,
      this.warnings.el,
      h('section', { class: 'charts two' }, this.labels.el, this.lengths.el),
      h('h3', null, 'Columns'),
      this.columns.el,
      this.rowsTitle,
      this.rows.el,
    );
    this.lengths.el.append(this.longText.el);
    exposeCharts({ labels: this.labels.mount(), lengths: this.lengths.mount() });
  }

  showError(msg: string): void {
    this.error.textContent = msg;
    this.error.hidden = !msg;
  }

  render(s: DatasetPreviewState): void {
    const roles = this.roles.render(s);
    this.fileName.textContent = baseName(s.file);
    this.fileName.title = s.file;
    this.info.textContent = fileInfo(s);
    this.showError(s.error ?? '');
    this.warnings.render(s.warnings);
    this.labels.render(s);
    this.lengths.render(s.lengths);
    this.longText.render(s.lengths?.longText);
    this.columns.render(s.columns, roles);
    this.rowsTitle.textContent = rowsTitle(s);
    this.rows.setData(
      s.columns.map((c) => c.name),
      s.rows,
    );
  }
}

class DatasetPage {
  private view: DatasetView | undefined;
  /** The latest analysis asked for: older answers are dropped. */
  private latest = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: DatasetApi,
  ) {}

  /** A preview from the host (bootstrap or pushed). */
  show(s: DatasetPreviewState): void {
    this.latest++;
    this.view ??= new DatasetView(
      this.root,
      new RolesForm(
        () => void this.analyze(),
        () => void this.pickTokenizer(),
      ),
      () => this.api.command(TrainOnThis, {}),
    );
    this.view.roles.setBusy(false);
    this.view.render(s);
  }

  /** The model picker for the tokenizer; a choice is analysed at once. */
  private async pickTokenizer(): Promise<void> {
    try {
      const t = await this.api.request(PickTokenizer, {});
      if (!t || !this.view) return;
      this.view.roles.setTokenizer(t);
      await this.analyze();
    } catch (err) {
      this.view?.showError((err as Error).message);
    }
  }

  private async analyze(): Promise<void> {
    const view = this.view!;
    const req = ++this.latest;
    view.roles.setBusy(true);
    try {
      const next = await this.api.request(Analyze, analyzeParams(view.roles.values));
      if (req !== this.latest) return;
      view.render(next);
    } catch (err) {
      if (req !== this.latest) return;
      view.showError((err as Error).message);
    } finally {
      if (req === this.latest) view.roles.setBusy(false);
    }
  }
}

export function mountDataset(root: HTMLElement, api: DatasetApi = new Api(datasetProtocol)): void {
  const page = new DatasetPage(root, api);
  api.on(datasetProtocol.bootstrap, ({ state }) => page.show(state));
  api.on(Preview, ({ state }) => page.show(state));
  followTheme();
  root.replaceChildren(loading());
  api.start();
}
