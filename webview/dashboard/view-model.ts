/**
 * What the dashboard shows, computed from the run summary and its series with no DOM (unit-tested
 * in Node): the status, the progress figures, the metric chips, the confusion matrix, the colour
 * of each metric's curve.
 */
import type { RunSummary } from '../../src/protocol/webviews/base.js';
import type { ChartColor } from '../chart-colors.js';
import { clock, metricText } from '../format.js';
import { metricLabel, perClassFromMatrix, type RunSeries } from './series.js';

export type RunStatus = RunSummary['status'];

/** The host's status once the run ended; while it runs, what the events say. */
export function runStatus(run: RunSummary | undefined, series: RunSeries): RunStatus {
  if (run && run.status !== 'running') return run.status;
  if (series.error) return 'failed';
  if (series.done) return series.done.cancelled ? 'cancelled' : 'done';
  return run?.status ?? 'running';
}

export interface ProgressView {
  value: number;
  max: number;
  indeterminate: boolean;
  step: string;
  epoch: string;
  eta: string;
  speed: string;
  stage: string;
}

export function progressView(series: RunSeries, status: RunStatus): ProgressView {
  const p = series.lastProgress;
  const s = series.start;
  const total = p?.totalSteps ?? s?.totalSteps ?? 0;
  const step = p?.step ?? s?.resumedFromStep ?? 0;
  const stage = series.stage;
  return {
    max: Math.max(1, total),
    value: status === 'done' && total ? total : step,
    indeterminate: total === 0 && status === 'running',
    step: total ? `${step} / ${total}` : '–',
    epoch: p ? `${p.epoch.toFixed(2)} / ${s?.epochs ?? '?'}` : s ? `0.00 / ${s.epochs}` : '–',
    eta: status === 'running' ? (p ? clock(p.etaSeconds) : '–') : status,
    speed: p ? `${p.samplesPerSecond.toFixed(1)} samples/s` : '–',
    stage: stage && status === 'running' ? `${stage.message}${stage.total ? ` (${stage.done ?? 0}/${stage.total})` : ''}` : '',
  };
}

export interface MetricChip {
  /** The metric's name in the events (absent for the best-metric chip). */
  key?: string;
  name: string;
  value: string;
  best: boolean;
}

/** The last evaluation's metrics (timings left out), then the run's best metric. */
export function metricChips(series: RunSeries, run: RunSummary | undefined): MetricChip[] {
  const chips: MetricChip[] = [];
  for (const [k, v] of Object.entries(series.lastEval?.metrics ?? {})) {
    if (/runtime|per_second/.test(k)) continue;
    chips.push({ key: k, name: metricLabel(k), value: metricText(v), best: false });
  }
  const b = run?.bestMetric;
  if (b) chips.push({ name: `best ${metricLabel(b.name)}`, value: metricText(b.value), best: true });
  return chips;
}

export interface ConfusionRow {
  label: string;
  /** Counts by predicted class, with their share of the row (the cell's shading). */
  cells: { count: number; diag: boolean; share: number }[];
  /** precision, recall, f1 (3 decimals) and support. */
  scores: [string, string, string, string];
}

export type ConfusionView = { title: string; empty: string } | { title: string; labels: string[]; rows: ConfusionRow[] };

/** The latest confusion matrix (rows: true, columns: predicted) with per-class scores. */
export function confusionView(series: RunSeries): ConfusionView {
  const e = series.lastConfusion;
  const m = e?.confusionMatrix;
  if (!e || !m) {
    return {
      title: 'Confusion matrix',
      empty: series.start?.problemType === 'regression' ? 'Regression: no confusion matrix.' : 'Shown after the first evaluation.',
    };
  }
  const labels = e.labels ?? series.start?.labels ?? [];
  const perClass = e.perClass ?? perClassFromMatrix(labels, m);
  const names = labels.length === m.length ? labels : m.map((_, i) => String(i));
  const rows = m.map((row, i): ConfusionRow => {
    const sum = row.reduce((a, b) => a + b, 0);
    const pc = perClass[i];
    return {
      label: names[i]!,
      cells: row.map((count, j) => ({ count, diag: i === j, share: sum > 0 ? count / sum : 0 })),
      scores: pc ? [pc.precision.toFixed(3), pc.recall.toFixed(3), pc.f1.toFixed(3), String(pc.support)] : ['', '', '', String(sum)],
    };
  });
  return { title: `Confusion matrix — step ${e.step}${e.epoch ? `, epoch ${e.epoch.toFixed(2)}` : ''}`, labels: names, rows };
}

const METRIC_COLORS: Record<string, ChartColor> = {
  eval_accuracy: 'blue',
  eval_precision: 'orange',
  eval_recall: 'green',
  eval_f1: 'purple',
  eval_mse: 'blue',
  eval_mae: 'orange',
  eval_r2: 'green',
  eval_pearson: 'purple',
};
const SPARE_COLORS: ChartColor[] = ['yellow', 'red'];

/** Each metric's curve colour: fixed for the known metrics, the spare colours in turn for others. */
export class MetricColors {
  private readonly assigned = new Map<string, ChartColor>();

  of(metric: string): ChartColor {
    let c = METRIC_COLORS[metric] ?? this.assigned.get(metric);
    if (!c) {
      c = SPARE_COLORS[this.assigned.size % SPARE_COLORS.length]!;
      this.assigned.set(metric, c);
    }
    return c;
  }

  clear(): void {
    this.assigned.clear();
  }
}
