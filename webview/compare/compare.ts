/**
 * Compare runs: a table of the workspace's runs (best and final metric, time, model, key
 * hyperparameters; the best run highlighted; a run's name opens its dashboard) beside the runs'
 * training-loss and metric curves overlaid. A checkbox per row says which runs are drawn.
 *
 * Protocol (src/protocol/webviews/compare.ts): bootstrap(CompareState) and `compareUpdate` →
 * render. Command: openDashboard.
 */
import type { ChartDataset } from 'chart.js';
import { OpenDashboard } from '../../src/protocol/webviews/sidebar.js';
import {
  CompareUpdate,
  compareProtocol,
  type CompareProtocol,
  type CompareRun,
  type CompareState,
  type CurvePoint,
} from '../../src/protocol/webviews/compare.js';
import { Api } from '../api.js';
import { SERIES_COLORS, createChart, destroyChart, exposeCharts, followTheme, paint, type Chart } from '../charts.js';
import { h } from '../dom.js';
import { loading } from '../layout.js';
import { bestRunId, compareCells, compareColumns, sharedMetric } from './view-model.js';

type LineChart = Chart<'line', CurvePoint[]>;

function lineChart(box: HTMLElement, yTitle: string): LineChart {
  return createChart<'line', CurvePoint[]>(box, {
    type: 'line',
    data: { datasets: [] },
    options: {
      parsing: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { precision: 0 } },
        y: { type: 'linear', title: { display: true, text: yTitle } },
      },
      plugins: { legend: { labels: { boxWidth: 12, boxHeight: 2 } } },
    },
  });
}

class ComparePage {
  private readonly shown = new Set<string>();
  private readonly known = new Set<string>();
  private readonly table = h('table', { id: 'compare-table', class: 'grid compare-table', 'data-testid': 'compare-table' });
  private readonly lossBox = h('div', { id: 'compare-loss', class: 'chart-box' });
  private readonly metricBox = h('div', { id: 'compare-metric', class: 'chart-box' });
  private readonly metricTitle = h('h3', null, 'Evaluation');
  private charts: { loss?: LineChart; metric?: LineChart } = {};
  private rows: CompareRun[] = [];
  private first = true;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: Api<CompareProtocol>,
  ) {}

  render(s: CompareState): void {
    if (this.first) {
      this.root.replaceChildren(
        h(
          'header',
          { class: 'page-header' },
          h('h2', null, 'Compare runs'),
          h('div', { class: 'muted' }, 'Every run of this workspace; tick the runs to draw.'),
        ),
        h('div', { class: 'table-scroll' }, this.table),
        h(
          'section',
          { class: 'charts two' },
          h('div', { class: 'chart-card' }, h('h3', null, 'Training loss'), this.lossBox),
          h('div', { class: 'chart-card' }, this.metricTitle, this.metricBox),
        ),
      );
      this.charts = { loss: lineChart(this.lossBox, 'loss'), metric: lineChart(this.metricBox, 'metric') };
      exposeCharts({ compareLoss: this.charts.loss, compareMetric: this.charts.metric });
      this.first = false;
    }
    // a run not seen before is drawn (while there are colours left); a run the person unticked stays off
    for (const r of s.runs) {
      if (this.known.has(r.run.runId)) continue;
      this.known.add(r.run.runId);
      if (this.shown.size < SERIES_COLORS.length) this.shown.add(r.run.runId);
    }
    this.rows = s.runs;
    this.renderTable();
    this.renderCharts();
  }

  private renderTable(): void {
    const metric = sharedMetric(this.rows);
    const cols = compareColumns(this.rows);
    const best = bestRunId(this.rows, metric);
    const head = h('tr', null, h('th', null, ''), ...cols.map((c) => h('th', { class: c.num ? 'num' : undefined }, c.title)));
    const body = this.rows.map((r) => {
      const cells = compareCells(r, cols, metric);
      const box = h('input', { type: 'checkbox', 'aria-label': `draw ${r.run.name}`, checked: this.shown.has(r.run.runId) });
      box.addEventListener('change', () => {
        if ((box as HTMLInputElement).checked) this.shown.add(r.run.runId);
        else this.shown.delete(r.run.runId);
        this.renderCharts();
      });
      const name = h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), this.api.command(OpenDashboard, { runId: r.run.runId })) }, cells.run!);
      return h(
        'tr',
        { 'data-run-id': r.run.runId, class: r.run.runId === best ? 'best' : undefined },
        h('td', null, box),
        ...cols.map((c) => h('td', { class: c.num ? 'num' : undefined, 'data-col': c.key }, c.key === 'run' ? name : cells[c.key]!)),
      );
    });
    this.table.replaceChildren(
      h('thead', null, head),
      h('tbody', null, ...(body.length ? body : [h('tr', null, h('td', { colspan: cols.length + 1 }, 'No runs yet.'))])),
    );
  }

  private renderCharts(): void {
    const drawn = this.rows.filter((r) => this.shown.has(r.run.runId));
    const metric = sharedMetric(this.rows);
    this.metricTitle.textContent = `Evaluation: ${metric.replace(/^eval_/, '')}`;
    const sets = (pick: (r: CompareRun) => CurvePoint[]): ChartDataset<'line', CurvePoint[]>[] =>
      drawn.map((r, i) =>
        paint<ChartDataset<'line', CurvePoint[]>>(
          { label: r.run.name, data: pick(r), borderWidth: 1.5, pointRadius: 2, tension: 0 },
          SERIES_COLORS[i % SERIES_COLORS.length]!,
        ),
      );
    for (const [chart, data] of [
      [this.charts.loss, sets((r) => r.loss)],
      [this.charts.metric, sets((r) => (r.metricName === metric ? r.metric : []))],
    ] as const) {
      if (!chart) continue;
      chart.data.datasets = data;
      chart.update('none');
    }
  }

  dispose(): void {
    destroyChart(this.charts.loss);
    destroyChart(this.charts.metric);
  }
}

export function mountCompare(root: HTMLElement, api: Api<CompareProtocol> = new Api(compareProtocol)): void {
  const page = new ComparePage(root, api);
  api.on(compareProtocol.bootstrap, ({ state }) => page.render(state));
  api.on(CompareUpdate, ({ state }) => page.render(state));
  followTheme();
  root.replaceChildren(loading());
  api.start();
}
