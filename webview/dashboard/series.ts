/**
 * A run's training events folded into chart series (plain {x: step, y} arrays that the charts
 * hold by reference, so appending a point is all an update needs) and the latest state.
 */
import type {
  CalibrationEvent,
  DoneEvent,
  ErrorEvent,
  EvalEvent,
  PredictionsEvent,
  ProgressEvent,
  StageEvent,
  StartEvent,
  TrainingEvent,
} from '../../src/core/contract/events.js';

export interface Point {
  x: number;
  y: number;
}

/** Not plotted: timing figures of an evaluation. */
const NOT_PLOTTED = new Set(['eval_loss', 'eval_runtime', 'eval_samples_per_second', 'eval_steps_per_second', 'epoch']);

/** Plot order of the metrics an evaluation reports (others follow in the order seen). */
export const METRIC_ORDER = ['eval_accuracy', 'eval_precision', 'eval_recall', 'eval_f1', 'eval_mse', 'eval_mae', 'eval_r2', 'eval_pearson'];

export interface Changes {
  progress: boolean;
  log: boolean;
  eval: boolean;
  /** Metrics seen for the first time (a dataset to add). */
  newMetrics: string[];
  status: boolean;
  /** Points were dropped (a resumed run restarts from its checkpoint's step). */
  truncated: boolean;
  /** A prediction table (the errors table) or a calibration (the reliability diagram) arrived. */
  predictions: boolean;
  calibration: boolean;
}

export class RunSeries {
  readonly stepLoss: Point[] = [];
  readonly loggedLoss: Point[] = [];
  readonly learningRate: Point[] = [];
  readonly gradNorm: Point[] = [];
  readonly evalLoss: Point[] = [];
  readonly evalMetrics = new Map<string, Point[]>();
  start?: StartEvent;
  lastProgress?: ProgressEvent;
  lastEval?: EvalEvent;
  /** The latest evaluation that carried a confusion matrix. */
  lastConfusion?: EvalEvent;
  stage?: StageEvent;
  /** The final evaluation's prediction table (else a labelled test file's). */
  predictions?: PredictionsEvent;
  /** The calibration fitted on the validation set (else one measured). */
  calibration?: CalibrationEvent;
  done?: DoneEvent;
  error?: ErrorEvent;

  add(e: TrainingEvent, ch: Changes = emptyChanges()): Changes {
    switch (e.type) {
      case 'start':
        this.start = e;
        this.done = undefined;
        this.error = undefined;
        ch.status = true;
        if (e.resumedFromStep > 0) ch.truncated = this.truncateAfter(e.resumedFromStep) || ch.truncated;
        break;
      case 'progress':
        this.lastProgress = e;
        this.stepLoss.push({ x: e.step, y: e.loss });
        ch.progress = true;
        break;
      case 'log':
        this.loggedLoss.push({ x: e.step, y: e.loss });
        this.learningRate.push({ x: e.step, y: e.learning_rate });
        this.gradNorm.push({ x: e.step, y: e.grad_norm });
        ch.log = true;
        break;
      case 'eval': {
        this.lastEval = e;
        if (e.confusionMatrix) this.lastConfusion = e;
        const loss = e.metrics.eval_loss;
        if (loss !== undefined) this.evalLoss.push({ x: e.step, y: loss });
        for (const [k, v] of Object.entries(e.metrics)) {
          if (NOT_PLOTTED.has(k) || !k.startsWith('eval_') || !Number.isFinite(v)) continue;
          let pts = this.evalMetrics.get(k);
          if (!pts) {
            pts = [];
            this.evalMetrics.set(k, pts);
            ch.newMetrics.push(k);
          }
          pts.push({ x: e.step, y: v });
        }
        ch.eval = true;
        break;
      }
      case 'stage':
        this.stage = e;
        ch.progress = true;
        break;
      case 'predictions':
        if (e.split === 'eval' || this.predictions?.split !== 'eval') {
          this.predictions = e;
          ch.predictions = true;
        }
        break;
      case 'calibration':
        if (e.fitted || !this.calibration?.fitted) {
          this.calibration = e;
          ch.calibration = true;
        }
        break;
      case 'done':
        this.done = e;
        ch.status = true;
        break;
      case 'error':
        this.error = e;
        ch.status = true;
        break;
      default:
        break;
    }
    return ch;
  }

  /** Metric names in plot order. */
  metricNames(): string[] {
    const known = METRIC_ORDER.filter((m) => this.evalMetrics.has(m));
    return [...known, ...[...this.evalMetrics.keys()].filter((m) => !METRIC_ORDER.includes(m))];
  }

  private truncateAfter(step: number): boolean {
    let dropped = false;
    const cut = (pts: Point[]): void => {
      let n = pts.length;
      while (n > 0 && pts[n - 1]!.x > step) n--;
      if (n < pts.length) {
        pts.splice(n);
        dropped = true;
      }
    };
    for (const pts of [this.stepLoss, this.loggedLoss, this.learningRate, this.gradNorm, this.evalLoss, ...this.evalMetrics.values()]) cut(pts);
    return dropped;
  }
}

export function emptyChanges(): Changes {
  return { progress: false, log: false, eval: false, newMetrics: [], status: false, truncated: false, predictions: false, calibration: false };
}

/** `eval_f1` → `f1`. */
export function metricLabel(name: string): string {
  return name.replace(/^eval_/, '');
}

/** Per-class precision / recall / F1 / support from a confusion matrix (rows: true, columns: predicted). */
export function perClassFromMatrix(
  labels: readonly string[],
  m: readonly (readonly number[])[],
): { label: string; precision: number; recall: number; f1: number; support: number }[] {
  return labels.map((label, i) => {
    const tp = m[i]?.[i] ?? 0;
    const support = (m[i] ?? []).reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, row) => a + (row[i] ?? 0), 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
}
