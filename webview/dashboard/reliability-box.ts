/**
 * The reliability diagram of the calibration fitted after training: each confidence bin's accuracy
 * against its mean confidence, before (T = 1) and after temperature scaling, with the diagonal of
 * perfect calibration; ECE, NLL and T as text under it.
 */
import type { ChartDataset, ScriptableContext } from 'chart.js';
import type { CalibrationEvent } from '../../src/core/contract/events.js';
import { createChart, destroyChart, exposeCharts, paint, type Chart } from '../charts.js';
import { h } from '../dom.js';
import { type ReliabilityPoint, reliabilityView } from './errors-view-model.js';

type Dataset = ChartDataset<'line', ReliabilityPoint[]>;

/** A bin's dot grows with its share of the predictions (3 to 8 px). */
function radius(c: ScriptableContext<'line'>): number {
  const pts = c.dataset.data as unknown as ReliabilityPoint[];
  const total = pts.reduce((a, p) => a + p.n, 0) || 1;
  const p = pts[c.dataIndex];
  return p ? 3 + 5 * Math.sqrt(p.n / total) : 3;
}

export class ReliabilityBox {
  readonly el: HTMLElement;
  private readonly title = h('h3', { id: 'reliability-title' }, 'Reliability');
  private readonly chartBox = h('div', { id: 'reliability-chart', class: 'chart-box square', 'data-testid': 'reliability-chart' });
  private readonly summary = h('p', { id: 'reliability-summary' });
  private readonly abstain = h('p', { id: 'reliability-abstain', class: 'muted', hidden: true });
  private chart: Chart<'line', ReliabilityPoint[]> | undefined;

  constructor() {
    this.el = h('section', { class: 'chart-card reliability-box', hidden: true }, this.title, this.chartBox, this.summary, this.abstain);
  }

  render(e: CalibrationEvent | undefined): void {
    this.el.hidden = !e;
    if (!e) return;
    const v = reliabilityView(e);
    this.title.textContent = v.title;
    this.summary.textContent = v.summary;
    this.abstain.textContent = v.abstain;
    this.abstain.hidden = !v.abstain;
    destroyChart(this.chart);
    const t = e.temperature.toFixed(2);
    const bins = (label: string, data: ReliabilityPoint[], color: 'orange' | 'blue', dash: boolean): Dataset =>
      paint<Dataset>(
        { label, data, borderWidth: 1.5, pointRadius: radius, pointHoverRadius: radius, clip: false, ...(dash ? { borderDash: [5, 3] } : {}) },
        color,
      );
    this.chart = createChart<'line', ReliabilityPoint[]>(this.chartBox, {
      type: 'line',
      data: {
        datasets: [
          paint<Dataset>(
            {
              label: 'perfect calibration',
              data: [
                { x: 0, y: 0, n: 0 },
                { x: 1, y: 1, n: 0 },
              ],
              borderWidth: 1,
              pointRadius: 0,
              borderDash: [2, 3],
            },
            'foreground',
          ),
          bins('before (T = 1)', v.before, 'orange', true),
          bins(`after (T = ${t})`, v.after, 'blue', false),
        ],
      },
      options: {
        parsing: false,
        scales: {
          x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'confidence' } },
          y: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'accuracy' } },
        },
        plugins: {
          legend: { labels: { boxWidth: 12, boxHeight: 2 } },
          tooltip: {
            filter: (item) => item.datasetIndex > 0,
            callbacks: {
              label: (item) => {
                const p = item.raw as ReliabilityPoint;
                return `${item.dataset.label}: confidence ${p.x.toFixed(3)}, accuracy ${p.y.toFixed(3)} (${p.n} predictions)`;
              },
            },
          },
        },
      },
    });
    exposeCharts({ reliability: this.chart });
  }

  destroy(): void {
    destroyChart(this.chart);
    this.chart = undefined;
  }
}
