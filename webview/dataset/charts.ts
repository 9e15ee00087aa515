/** The preview's two bar charts, each in its card with a summary: labels, and token lengths with max_seq_length marked. */
import type { ChartDataset, Plugin } from 'chart.js';
import type { DatasetPreviewState, LengthHistogram } from '../../src/protocol/webviews/dataset.js';
import { applyPaint, chartColor, createChart, paint, type Chart } from '../charts.js';
import { h } from '../dom.js';
import { labelSummary, lengthLabels, lengthSummary, lengthTitle, maxLengthSlot, truncatedBucket } from './view-model.js';

type BarDataset = ChartDataset<'bar', number[]>;
export type BarChart = Chart<'bar', number[]>;

/** Draws a dashed vertical line where max_seq_length falls on the length histogram. */
function maxLengthMarker(get: () => LengthHistogram | undefined): Plugin<'bar'> {
  return {
    id: 'maxSeqLengthMarker',
    afterDatasetsDraw(chart) {
      const l = get();
      const x = chart.scales.x;
      if (!l || !x || l.buckets.length === 0) return;
      const n = l.buckets.length;
      const slot = n > 1 ? x.getPixelForValue(1) - x.getPixelForValue(0) : x.width;
      const at = maxLengthSlot(l);
      if (!at) return;
      const px = x.getPixelForValue(at.index) - slot / 2 + at.frac * slot;
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.strokeStyle = chartColor('red');
      ctx.fillStyle = chartColor('red');
      ctx.setLineDash([5, 3]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.textAlign = px > chartArea.left + chartArea.width * 0.7 ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(` max_seq_length ${l.maxSeqLength}${at.beyond ? ' →' : ''} `, px, chartArea.top + 2);
      ctx.restore();
    },
  };
}

/** Replaces an array's contents in place (the chart holds it by reference). */
function refill<T>(into: T[], from: readonly T[]): void {
  into.splice(0, into.length, ...from);
}

/** A chart card: title, chart box, summary line. */
function card(id: string, title: HTMLElement, summaryId: string): { el: HTMLElement; box: HTMLElement; summary: HTMLElement } {
  const box = h('div', { id, class: 'chart-box', 'data-testid': id });
  const summary = h('div', { id: summaryId, class: 'muted' });
  return { el: h('div', { class: 'chart-card' }, title, box, summary), box, summary };
}

/** A bar chart in a card; the chart is made once the card is in the page (`mount`). */
abstract class BarCard {
  readonly el: HTMLElement;
  protected chart: BarChart | undefined;
  protected readonly box: HTMLElement;
  protected readonly summary: HTMLElement;
  protected readonly names: string[] = [];
  protected readonly data: number[] = [];

  constructor(id: string, title: HTMLElement, summaryId: string) {
    const c = card(id, title, summaryId);
    this.el = c.el;
    this.box = c.box;
    this.summary = c.summary;
  }

  /** Creates the chart (the card must be in the page). */
  abstract mount(): BarChart;

  /** Recolours the bars and redraws (after the data arrays were refilled). */
  protected redraw(): void {
    if (!this.chart) return;
    applyPaint(this.chart.data.datasets[0]!);
    this.chart.update('none');
  }
}

export class LabelChart extends BarCard {
  constructor() {
    super('label-chart', h('h3', null, 'Labels'), 'label-summary');
  }

  mount(): BarChart {
    const set = paint<BarDataset>({ label: 'rows', data: this.data, borderWidth: 0 }, 'blue', true);
    return (this.chart = createChart<'bar', number[]>(this.box, {
      type: 'bar',
      data: { labels: this.names, datasets: [set] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }));
  }

  render(s: DatasetPreviewState): void {
    const counts = Object.entries(s.labelCounts ?? {});
    refill(
      this.names,
      counts.map(([k]) => k),
    );
    refill(
      this.data,
      counts.map(([, v]) => v),
    );
    this.summary.textContent = labelSummary(s);
    this.el.classList.toggle('empty', counts.length === 0);
    this.redraw();
  }
}

export class LengthChart extends BarCard {
  private readonly title: HTMLElement;
  private lengths: LengthHistogram | undefined;

  constructor() {
    const title = h('h3', { id: 'length-title' }, 'Text lengths');
    super('length-chart', title, 'length-summary');
    this.title = title;
  }

  mount(): BarChart {
    const set = paint<BarDataset>(
      { label: 'rows', data: this.data, borderWidth: 0, categoryPercentage: 1, barPercentage: 0.95 },
      (i) => (truncatedBucket(this.lengths, i) ? 'red' : 'blue'),
      true,
    );
    return (this.chart = createChart<'bar', number[]>(this.box, {
      type: 'bar',
      data: { labels: this.names, datasets: [set] },
      options: {
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: 'words' } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
      plugins: [maxLengthMarker(() => this.lengths)],
    }));
  }

  render(l: LengthHistogram | undefined): void {
    this.lengths = l;
    refill(this.names, lengthLabels(l));
    refill(this.data, l?.counts ?? []);
    this.title.textContent = lengthTitle(l);
    this.summary.textContent = lengthSummary(l);
    const x = this.chart?.options.scales?.x as { title?: { text?: string } } | undefined;
    if (x?.title) x.title.text = l?.unit ?? 'words';
    this.el.classList.toggle('empty', !l || l.counts.every((c) => c === 0));
    this.redraw();
  }
}
