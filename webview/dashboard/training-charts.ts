/**
 * The dashboard's three charts (loss, learning rate + grad norm, eval metrics) over a run's series,
 * and another run's curves drawn dashed over them. The charts hold the series' point arrays by
 * reference: appending a point and one `update('none')` per animation frame is all a live update needs.
 */
import type { ChartDataset } from 'chart.js';
import { createChart, destroyChart, exposeCharts, paint, type Chart, type ChartColor } from '../charts.js';
import { frameThrottle, h } from '../dom.js';
import { metricLabel, type Point, type RunSeries } from './series.js';
import { MetricColors } from './view-model.js';

type LineDataset = ChartDataset<'line', Point[]>;
type LineChart = Chart<'line', Point[]>;

function lineDataset(label: string, data: Point[], color: ChartColor, extra: Partial<LineDataset> = {}): LineDataset {
  return paint<LineDataset>({ label, data, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 4, tension: 0, ...extra }, color);
}

function lineChart(container: HTMLElement, datasets: LineDataset[], yTitle: string, extraScales: Record<string, object> = {}): LineChart {
  return createChart<'line', Point[]>(container, {
    type: 'line',
    data: { datasets },
    options: {
      // {x, y} points as they are (no parsing), sorted by step; long runs are decimated to the
      // canvas width (min-max keeps the per-step noise envelope) so an update stays cheap
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { precision: 0 } },
        y: { type: 'linear', title: { display: true, text: yTitle } },
        ...extraScales,
      },
      plugins: { legend: { labels: { boxWidth: 12, boxHeight: 2 } }, decimation: { enabled: true, algorithm: 'min-max' } },
    },
  });
}

function chartCard(id: string, title: string): { card: HTMLElement; box: HTMLElement } {
  const box = h('div', { id, class: 'chart-box', 'data-testid': id });
  return { card: h('div', { class: 'chart-card' }, h('h3', null, title), box), box };
}

/** Another run drawn over this one. */
export interface OverlayRun {
  name: string;
  series: RunSeries;
}

export class TrainingCharts {
  readonly el: HTMLElement;
  private readonly boxes: { loss: HTMLElement; lr: HTMLElement; eval: HTMLElement };
  private charts: { loss?: LineChart; lr?: LineChart; eval?: LineChart } = {};
  private readonly overlaySets = new Set<object>();
  private readonly colors = new MetricColors();
  /** Redraws the charts, once per animation frame however often it is called. */
  readonly update = frameThrottle(() => {
    for (const c of Object.values(this.charts)) c?.update('none');
  });

  constructor() {
    const loss = chartCard('loss-chart', 'Training loss');
    const lr = chartCard('lr-chart', 'Learning rate and gradient norm');
    const ev = chartCard('eval-chart', 'Evaluation');
    this.boxes = { loss: loss.box, lr: lr.box, eval: ev.box };
    this.el = h('section', { class: 'charts' }, loss.card, lr.card, ev.card);
  }

  private metricDataset(name: string, pts: Point[], dashed = false, prefix = ''): LineDataset {
    return lineDataset(`${prefix}${metricLabel(name)}`, pts, this.colors.of(name), { pointRadius: dashed ? 2 : 3, ...(dashed ? { borderDash: [6, 4] } : {}) });
  }

  /** Builds the charts over `series` (its points so far and every later one). */
  build(series: RunSeries): void {
    this.charts = {
      loss: lineChart(
        this.boxes.loss,
        [
          lineDataset('loss', series.stepLoss, 'blue', { borderWidth: 1 }),
          lineDataset('loss (logged)', series.loggedLoss, 'orange', { borderWidth: 2 }),
          lineDataset('eval loss', series.evalLoss, 'green', { pointRadius: 3 }),
        ],
        'loss',
      ),
      lr: lineChart(
        this.boxes.lr,
        [lineDataset('learning rate', series.learningRate, 'purple', { yAxisID: 'y' }), lineDataset('grad norm', series.gradNorm, 'yellow', { yAxisID: 'y1' })],
        'learning rate',
        { y1: { type: 'linear', position: 'right', title: { display: true, text: 'grad norm' }, grid: { drawOnChartArea: false } } },
      ),
      eval: lineChart(
        this.boxes.eval,
        series.metricNames().map((k) => this.metricDataset(k, series.evalMetrics.get(k)!)),
        'metric',
      ),
    };
    const lr = this.charts.lr!.options.scales?.y;
    if (lr && lr.ticks) (lr.ticks as { callback?: (v: string | number) => string }).callback = (v) => Number(v).toExponential(1);
    exposeCharts(this.charts);
    this.update();
  }

  /** Curves for metrics seen for the first time (before the overlay's). */
  addMetrics(series: RunSeries, names: readonly string[]): void {
    const c = this.charts.eval;
    if (!c) return;
    for (const k of names) {
      const ds = this.metricDataset(k, series.evalMetrics.get(k)!);
      const firstOverlay = c.data.datasets.findIndex((d) => this.overlaySets.has(d));
      if (firstOverlay >= 0) c.data.datasets.splice(firstOverlay, 0, ds);
      else c.data.datasets.push(ds);
    }
  }

  /** Replaces the overlaid run's curves (none: `undefined`). */
  setOverlay(o: OverlayRun | undefined): void {
    for (const c of Object.values(this.charts)) if (c) c.data.datasets = c.data.datasets.filter((d) => !this.overlaySets.has(d));
    this.overlaySets.clear();
    if (!o || !this.charts.loss || !this.charts.eval) return;
    const s = o.series;
    const p = `${o.name}: `;
    const dash = { borderDash: [6, 4] };
    const sets: [LineChart, LineDataset][] = [];
    const loss = s.loggedLoss.length ? s.loggedLoss : s.stepLoss;
    if (loss.length) sets.push([this.charts.loss, lineDataset(`${p}loss`, loss, s.loggedLoss.length ? 'orange' : 'blue', { ...dash, borderWidth: 1.5 })]);
    if (s.evalLoss.length) sets.push([this.charts.loss, lineDataset(`${p}eval loss`, s.evalLoss, 'green', { ...dash, pointRadius: 2 })]);
    for (const k of s.metricNames()) sets.push([this.charts.eval, this.metricDataset(k, s.evalMetrics.get(k)!, true, p)]);
    for (const [c, ds] of sets) {
      this.overlaySets.add(ds);
      c.data.datasets.push(ds);
    }
  }

  destroy(): void {
    for (const c of Object.values(this.charts)) destroyChart(c);
    this.charts = {};
    this.overlaySets.clear();
    this.colors.clear();
  }
}
