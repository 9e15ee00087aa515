/**
 * Evaluation metrics, named as HF `evaluate` names them (no `eval_` prefix: the trainer adds it),
 * with scikit-learn semantics, computed STREAMING: `add(logits, labels)` batch by batch keeps only
 * counts / running moments, `compute()` at the end.
 *
 *  - single-label: accuracy, precision, recall, f1 (average 'binary' with pos_label 1 for two
 *    labels, else 'macro' unless chosen: 'micro' | 'macro' | 'weighted'), confusion matrix
 *    (rows = true, columns = predicted), per-class report. Like sklearn, micro/macro/weighted
 *    average over the labels present in the true or predicted values, and an undefined ratio
 *    (0/0) counts as 0 (sklearn's zero_division="warn" result, without the warning).
 *  - multi-label (logit > 0, i.e. sigmoid > 0.5, as run_classification.py): accuracy = subset
 *    accuracy, f1 = micro F1 (run_classification.py's metric), f1_micro, f1_macro (over every
 *    label), precision / recall (micro), per-label report.
 *  - regression: mse, mae, r2 (sklearn r2_score; 1 when the targets are constant and predicted
 *    exactly, else 0 for constant targets), pearson (NaN when either side is constant, as scipy).
 */
import type { ProblemType } from '../model/config.js';

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true label is this one. */
  support: number;
}

export interface MetricsResult {
  /** Scalar metrics by evaluate's names (accuracy, f1, mse, ...). */
  metrics: Record<string, number>;
  /** Single-label: counts[true][predicted]. */
  confusionMatrix?: number[][];
  /** Per label (every label, in id order). */
  perClass?: ClassReport[];
  /** Rows seen. */
  count: number;
}

export type LabelArray = BigInt64Array | Int32Array | Float32Array | Float64Array | Uint8Array | readonly number[] | readonly bigint[];

export interface MetricAccumulator {
  readonly problemType: ProblemType;
  /** Rows seen so far. */
  readonly count: number;
  /** One batch: logits [B * numLabels] (regression: [B]) and its labels. */
  add(logits: ArrayLike<number>, labels: LabelArray): void;
  compute(): MetricsResult;
  reset(): void;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** F1 from counts: 2tp / (2tp + fp + fn), 0 when undefined (sklearn >= 1.3). */
const f1Of = (tp: number, fp: number, fn: number): number => ratio(2 * tp, 2 * tp + fp + fn);

function argmaxRow(logits: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  let bestV = logits[offset]!;
  for (let k = 1; k < width; k++) {
    const v = logits[offset + k]!;
    if (v > bestV || (Number.isNaN(bestV) && !Number.isNaN(v))) {
      best = k;
      bestV = v;
    }
  }
  return best;
}

export interface PrfResult {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * sklearn's precision_recall_fscore_support on a confusion matrix (counts[true][pred]) with
 * `average`, zero_division=0; 'binary' reports `posLabel`.
 */
export function precisionRecallF1(confusion: readonly (readonly number[])[], average: Average, posLabel = 1): PrfResult {
  const c = confusion.length;
  const tp: number[] = [];
  const fp: number[] = [];
  const fn: number[] = [];
  const present: number[] = [];
  for (let i = 0; i < c; i++) {
    let row = 0;
    let col = 0;
    for (let j = 0; j < c; j++) {
      row += confusion[i]![j]!;
      col += confusion[j]![i]!;
    }
    const t = confusion[i]![i]!;
    tp.push(t);
    fp.push(col - t);
    fn.push(row - t);
    if (row > 0 || col > 0) present.push(i);
  }
  if (average === 'binary') {
    if (c > 2) throw new RangeError(`average 'binary' needs two labels, there are ${c}; use micro, macro or weighted`);
    const p = posLabel;
    return { precision: ratio(tp[p]!, tp[p]! + fp[p]!), recall: ratio(tp[p]!, tp[p]! + fn[p]!), f1: f1Of(tp[p]!, fp[p]!, fn[p]!) };
  }
  if (average === 'micro') {
    let t = 0;
    let f = 0;
    let n = 0;
    for (const i of present) {
      t += tp[i]!;
      f += fp[i]!;
      n += fn[i]!;
    }
    return { precision: ratio(t, t + f), recall: ratio(t, t + n), f1: f1Of(t, f, n) };
  }
  let p = 0;
  let r = 0;
  let f = 0;
  let w = 0;
  for (const i of present) {
    const weight = average === 'weighted' ? tp[i]! + fn[i]! : 1;
    p += weight * ratio(tp[i]!, tp[i]! + fp[i]!);
    r += weight * ratio(tp[i]!, tp[i]! + fn[i]!);
    f += weight * f1Of(tp[i]!, fp[i]!, fn[i]!);
    w += weight;
  }
  return { precision: ratio(p, w), recall: ratio(r, w), f1: ratio(f, w) };
}

export interface ClassificationMetricsOptions {
  numLabels: number;
  /** Default 'binary' for two labels, else 'macro'. */
  average?: Average;
  /** For 'binary' (default 1). */
  posLabel?: number;
  /** id2label names for the report (default "0", "1", ...). */
  labelNames?: readonly string[];
}

function labelAt(labels: LabelArray, i: number): number {
  return Number(labels[i]!);
}

/** Single-label classification: a confusion matrix, filled batch by batch. */
export class ClassificationMetrics implements MetricAccumulator {
  readonly problemType = 'single_label_classification' as const;
  readonly numLabels: number;
  readonly average: Average;
  readonly posLabel: number;
  private readonly names: readonly string[];
  private readonly counts: Float64Array;
  private n = 0;

  constructor(o: ClassificationMetricsOptions) {
    if (!Number.isInteger(o.numLabels) || o.numLabels < 2) throw new RangeError(`classification metrics need at least 2 labels (got ${o.numLabels})`);
    this.numLabels = o.numLabels;
    this.average = o.average ?? (o.numLabels === 2 ? 'binary' : 'macro');
    if (this.average === 'binary' && o.numLabels !== 2) throw new RangeError(`average 'binary' needs two labels, there are ${o.numLabels}`);
    this.posLabel = o.posLabel ?? 1;
    this.names = o.labelNames ?? Array.from({ length: o.numLabels }, (_, i) => String(i));
    this.counts = new Float64Array(o.numLabels * o.numLabels);
  }

  get count(): number {
    return this.n;
  }

  add(logits: ArrayLike<number>, labels: LabelArray): void {
    const b = labels.length;
    const c = this.numLabels;
    if (logits.length !== b * c) throw new RangeError(`expected ${b} x ${c} logits for ${b} labels, got ${logits.length}`);
    const preds = new Int32Array(b);
    for (let i = 0; i < b; i++) preds[i] = argmaxRow(logits, i * c, c);
    this.addPredictions(preds, labels);
  }

  /** Predicted class ids (already argmax-ed) and true ids. */
  addPredictions(predictions: LabelArray, labels: LabelArray): void {
    if (predictions.length !== labels.length) throw new RangeError(`${predictions.length} predictions for ${labels.length} labels`);
    const c = this.numLabels;
    for (let i = 0; i < labels.length; i++) {
      const t = labelAt(labels, i);
      const p = labelAt(predictions, i);
      if (!Number.isInteger(t) || t < 0 || t >= c) throw new RangeError(`label ${t} at batch row ${i} is not a class id in [0, ${c})`);
      if (!Number.isInteger(p) || p < 0 || p >= c) throw new RangeError(`prediction ${p} at batch row ${i} is not a class id in [0, ${c})`);
      this.counts[t * c + p]!++;
    }
    this.n += labels.length;
  }

  confusionMatrix(): number[][] {
    const c = this.numLabels;
    return Array.from({ length: c }, (_, i) => Array.from(this.counts.subarray(i * c, (i + 1) * c)));
  }

  compute(): MetricsResult {
    const cm = this.confusionMatrix();
    let correct = 0;
    for (let i = 0; i < this.numLabels; i++) correct += cm[i]![i]!;
    const prf = precisionRecallF1(cm, this.average, this.posLabel);
    const perClass: ClassReport[] = cm.map((row, i) => {
      const tp = row[i]!;
      const support = row.reduce((a, b) => a + b, 0);
      let predicted = 0;
      for (const r of cm) predicted += r[i]!;
      return {
        label: this.names[i] ?? String(i),
        precision: ratio(tp, predicted),
        recall: ratio(tp, support),
        f1: f1Of(tp, predicted - tp, support - tp),
        support,
      };
    });
    return {
      metrics: { accuracy: this.n === 0 ? NaN : correct / this.n, precision: prf.precision, recall: prf.recall, f1: prf.f1 },
      confusionMatrix: cm,
      perClass,
      count: this.n,
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
  }
}

/** Multi-label classification: per-label tp/fp/fn and exact-match rows. */
export class MultiLabelMetrics implements MetricAccumulator {
  readonly problemType = 'multi_label_classification' as const;
  readonly numLabels: number;
  private readonly names: readonly string[];
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly fn: Float64Array;
  private exact = 0;
  private n = 0;

  constructor(o: { numLabels: number; labelNames?: readonly string[] }) {
    if (!Number.isInteger(o.numLabels) || o.numLabels < 1) throw new RangeError(`multi-label metrics need at least 1 label (got ${o.numLabels})`);
    this.numLabels = o.numLabels;
    this.names = o.labelNames ?? Array.from({ length: o.numLabels }, (_, i) => String(i));
    this.tp = new Float64Array(o.numLabels);
    this.fp = new Float64Array(o.numLabels);
    this.fn = new Float64Array(o.numLabels);
  }

  get count(): number {
    return this.n;
  }

  /** logits and multi-hot labels, both [B * numLabels]. */
  add(logits: ArrayLike<number>, labels: LabelArray): void {
    const c = this.numLabels;
    if (labels.length % c !== 0 || logits.length !== labels.length) {
      throw new RangeError(`expected logits and multi-hot labels of the same length, a multiple of ${c} (got ${logits.length} and ${labels.length})`);
    }
    const b = labels.length / c;
    for (let i = 0; i < b; i++) {
      let same = true;
      for (let k = 0; k < c; k++) {
        const p = logits[i * c + k]! > 0;
        const t = labelAt(labels, i * c + k) > 0.5;
        if (p && t) this.tp[k]!++;
        else if (p) this.fp[k]!++;
        else if (t) this.fn[k]!++;
        if (p !== t) same = false;
      }
      if (same) this.exact++;
    }
    this.n += b;
  }

  compute(): MetricsResult {
    let t = 0;
    let f = 0;
    let n = 0;
    let macro = 0;
    const perClass: ClassReport[] = [];
    for (let k = 0; k < this.numLabels; k++) {
      const tp = this.tp[k]!;
      const fp = this.fp[k]!;
      const fn = this.fn[k]!;
      t += tp;
      f += fp;
      n += fn;
      const f1 = f1Of(tp, fp, fn);
      macro += f1;
      perClass.push({ label: this.names[k] ?? String(k), precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), f1, support: tp + fn });
    }
    const micro = f1Of(t, f, n);
    return {
      metrics: {
        accuracy: this.n === 0 ? NaN : this.exact / this.n,
        f1: micro,
        f1_micro: micro,
        f1_macro: macro / this.numLabels,
        precision: ratio(t, t + f),
        recall: ratio(t, t + n),
      },
      perClass,
      count: this.n,
    };
  }

  reset(): void {
    this.tp.fill(0);
    this.fp.fill(0);
    this.fn.fill(0);
    this.exact = 0;
    this.n = 0;
  }
}

/** Regression: running means and co-moments (Welford), so any number of batches stays exact. */
export class RegressionMetrics implements MetricAccumulator {
  readonly problemType = 'regression' as const;
  private n = 0;
  private meanY = 0;
  private meanP = 0;
  private m2Y = 0;
  private m2P = 0;
  private cYP = 0;
  private sumSq = 0;
  private sumAbs = 0;

  get count(): number {
    return this.n;
  }

  /** Predictions [B] (or [B, 1]) and targets [B]. */
  add(logits: ArrayLike<number>, labels: LabelArray): void {
    if (logits.length !== labels.length) throw new RangeError(`${logits.length} predictions for ${labels.length} targets`);
    for (let i = 0; i < labels.length; i++) {
      const y = labelAt(labels, i);
      const p = logits[i]!;
      this.n++;
      const dy = y - this.meanY;
      const dp = p - this.meanP;
      this.meanY += dy / this.n;
      this.meanP += dp / this.n;
      this.m2Y += dy * (y - this.meanY);
      this.m2P += dp * (p - this.meanP);
      this.cYP += dy * (p - this.meanP);
      const e = y - p;
      this.sumSq += e * e;
      this.sumAbs += Math.abs(e);
    }
  }

  compute(): MetricsResult {
    const n = this.n;
    const r2 = this.m2Y === 0 ? (this.sumSq === 0 ? 1 : 0) : 1 - this.sumSq / this.m2Y;
    const denom = Math.sqrt(this.m2Y * this.m2P);
    return {
      metrics: {
        mse: n === 0 ? NaN : this.sumSq / n,
        mae: n === 0 ? NaN : this.sumAbs / n,
        r2: n === 0 ? NaN : r2,
        pearson: denom === 0 || n === 0 ? NaN : Math.max(-1, Math.min(1, this.cYP / denom)),
      },
      count: n,
    };
  }

  reset(): void {
    this.n = 0;
    this.meanY = 0;
    this.meanP = 0;
    this.m2Y = 0;
    this.m2P = 0;
    this.cYP = 0;
    this.sumSq = 0;
    this.sumAbs = 0;
  }
}

export interface MetricsOptions {
  average?: Average;
  posLabel?: number;
  labelNames?: readonly string[];
}

/** The accumulator for a problem type (num_labels as in the model config: 1 for regression). */
export function createMetrics(problemType: ProblemType, numLabels: number, options: MetricsOptions = {}): MetricAccumulator {
  if (problemType === 'regression') return new RegressionMetrics();
  if (problemType === 'multi_label_classification') return new MultiLabelMetrics({ numLabels, labelNames: options.labelNames });
  return new ClassificationMetrics({ numLabels, ...options });
}
