/**
 * Calibrated confidence, fitted on a labelled split's logits after training:
 *
 * - temperature scaling (Guo et al. 2017): one T > 0 minimising the negative log-likelihood of
 *   softmax(z / T) (single-label) or sigmoid(z / T) per label (multi-label). The NLL is convex in
 *   1 / T, so its derivative is found by bisection in log space; T is kept in [0.05, 20].
 * - expected calibration error with 15 equal-width confidence bins (as Guo et al.'s code): for
 *   single-label the confidence is the top probability and a prediction is right when the top label is
 *   the given one; for multi-label every (row, label) pair is one binary prediction (confidence
 *   max(p, 1 - p), right when p > 0.5 agrees with the label).
 * - multi-label: per-label thresholds that maximise F1 on the split (0.5 where a label has no
 *   positive row).
 * - single-label: the abstain threshold, the lowest confidence at which the answered rows reach a
 *   target precision (--target_precision).
 */
import type { ProblemType, SplitLabels } from '../data/index.js';
import { type AbstainRule, type Calibration, type CalibrationMetrics, type ReliabilityBin, probabilitiesOf } from '../predict/calibration.js';

export const ECE_BINS = 15;
const T_MIN = 0.05;
const T_MAX = 20;

/** A labelled split's logits: `width` numbers per row, row i labelled by `labels` row i. */
export interface LabelledLogits {
  problemType: ProblemType;
  logits: Float32Array;
  width: number;
  labels: SplitLabels;
}

const rows = (s: LabelledLogits): number => s.logits.length / s.width;
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Mean negative log-likelihood at temperature T (multi-label: mean binary cross-entropy over every row and label). */
export function nllAt(s: LabelledLogits, T: number): number {
  const n = rows(s);
  const C = s.width;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const z = s.logits.subarray(i * C, i * C + C);
    if (s.labels.kind === 'multi') {
      for (let k = 0; k < C; k++) sum += (softplus(z[k]! / T) - s.labels.multiHot[i * C + k]! * (z[k]! / T)) / C;
    } else if (s.labels.kind === 'single') {
      let m = -Infinity;
      for (let k = 0; k < C; k++) m = Math.max(m, z[k]! / T);
      let e = 0;
      for (let k = 0; k < C; k++) e += Math.exp(z[k]! / T - m);
      sum += m + Math.log(e) - z[s.labels.ids[i]!]! / T;
    }
  }
  return sum / n;
}

/** d NLL / d beta at beta = 1 / T (increasing in beta: the NLL is convex in beta). */
function slopeAt(s: LabelledLogits, beta: number): number {
  const n = rows(s);
  const C = s.width;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const z = s.logits.subarray(i * C, i * C + C);
    if (s.labels.kind === 'multi') {
      for (let k = 0; k < C; k++) sum += ((1 / (1 + Math.exp(-beta * z[k]!)) - s.labels.multiHot[i * C + k]!) * z[k]!) / C;
    } else if (s.labels.kind === 'single') {
      const p = probabilitiesOf(false, z, 1 / beta);
      let expected = 0;
      for (let k = 0; k < C; k++) expected += p[k]! * z[k]!;
      sum += expected - z[s.labels.ids[i]!]!;
    }
  }
  return sum / n;
}

/** The temperature that minimises the NLL on the split, in [0.05, 20]. */
export function fitTemperature(s: LabelledLogits): number {
  let lo = Math.log(1 / T_MAX);
  let hi = Math.log(1 / T_MIN);
  if (slopeAt(s, Math.exp(lo)) >= 0) return T_MAX;
  if (slopeAt(s, Math.exp(hi)) <= 0) return T_MIN;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (slopeAt(s, Math.exp(mid)) < 0) lo = mid;
    else hi = mid;
  }
  return 1 / Math.exp((lo + hi) / 2);
}

/** Every prediction's confidence and whether it was right, at temperature T (see the module comment). */
export function confidences(s: LabelledLogits, T: number): { confidence: Float64Array; correct: Uint8Array } {
  const n = rows(s);
  const C = s.width;
  const multi = s.labels.kind === 'multi';
  const confidence = new Float64Array(multi ? n * C : n);
  const correct = new Uint8Array(confidence.length);
  for (let i = 0; i < n; i++) {
    const p = probabilitiesOf(multi, s.logits.subarray(i * C, i * C + C), T);
    if (s.labels.kind === 'multi') {
      for (let k = 0; k < C; k++) {
        confidence[i * C + k] = Math.max(p[k]!, 1 - p[k]!);
        correct[i * C + k] = Number(p[k]! > 0.5 === (s.labels.multiHot[i * C + k] === 1));
      }
    } else if (s.labels.kind === 'single') {
      let best = 0;
      for (let k = 1; k < C; k++) if (p[k]! > p[best]!) best = k;
      confidence[i] = p[best]!;
      correct[i] = Number(best === s.labels.ids[i]);
    }
  }
  return { confidence, correct };
}

/** Reliability bins (lower, upper] and the expected calibration error over them. */
export function reliability(confidence: ArrayLike<number>, correct: ArrayLike<number>, bins = ECE_BINS): { ece: number; bins: ReliabilityBin[] } {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({ lower: b / bins, upper: (b + 1) / bins, count: 0, confidence: 0, accuracy: 0 }));
  const n = confidence.length;
  for (let i = 0; i < n; i++) {
    const c = confidence[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    out[b]!.count++;
    out[b]!.confidence += c;
    out[b]!.accuracy += correct[i]!;
  }
  let ece = 0;
  for (const b of out) {
    if (b.count === 0) continue;
    b.confidence /= b.count;
    b.accuracy /= b.count;
    ece += (b.count / n) * Math.abs(b.accuracy - b.confidence);
  }
  return { ece, bins: out };
}

/** ECE (15 bins), NLL and the reliability bins at temperature T. */
export function calibrationMetrics(s: LabelledLogits, T = 1): CalibrationMetrics {
  const { confidence, correct } = confidences(s, T);
  const r = reliability(confidence, correct);
  return { ece: r.ece, nll: nllAt(s, T), bins: r.bins };
}

/** The threshold on p that maximises F1 of `p > t` against `y` (0.5 when there is no positive; ties: closest to 0.5). */
export function bestF1Threshold(p: ArrayLike<number>, y: ArrayLike<number>): { threshold: number; f1: number } {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]! ? 1 : 0;
  if (positives === 0) return { threshold: 0.5, f1: 0 };
  let best = { threshold: 0.5, f1: -1 };
  let tp = 0;
  // Take the m most probable rows as positive, at the boundaries between distinct probabilities.
  for (let m = 0; m <= n; m++) {
    if (m > 0) tp += y[order[m - 1]!]! ? 1 : 0;
    if (m < n && m > 0 && p[order[m]!] === p[order[m - 1]!]) continue;
    const above = m === 0 ? 1 : p[order[m - 1]!]!;
    const below = m === n ? 0 : p[order[m]!]!;
    const threshold = (above + below) / 2;
    const f1 = (2 * tp) / (m + positives);
    if (f1 > best.f1 + 1e-12 || (Math.abs(f1 - best.f1) <= 1e-12 && Math.abs(threshold - 0.5) < Math.abs(best.threshold - 0.5))) best = { threshold, f1 };
  }
  return best;
}

/** Multi-label: every label's F1-best threshold on the split's probabilities at temperature T. */
export function tuneThresholds(s: LabelledLogits, names: readonly string[], T: number): Record<string, number> {
  if (s.labels.kind !== 'multi') return {};
  const n = rows(s);
  const C = s.width;
  const probs = new Float64Array(n * C);
  for (let i = 0; i < n; i++) probs.set(probabilitiesOf(true, s.logits.subarray(i * C, i * C + C), T), i * C);
  const out: Record<string, number> = {};
  for (let k = 0; k < C; k++) {
    const p = Float64Array.from({ length: n }, (_, i) => probs[i * C + k]!);
    const y = s.labels.multiHot.filter((_, j) => j % C === k);
    out[names[k]!] = Number(bestF1Threshold(p, y).threshold.toFixed(6));
  }
  return out;
}

/**
 * The lowest confidence t such that the rows with confidence >= t reach `target` precision; null
 * when no threshold does (even the most confident row is wrong).
 */
export function abstainThreshold(confidence: ArrayLike<number>, correct: ArrayLike<number>, target: number): AbstainRule | null {
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[b]! - confidence[a]!);
  let right = 0;
  let found: AbstainRule | null = null;
  for (let m = 1; m <= n; m++) {
    right += correct[order[m - 1]!]!;
    if (m < n && confidence[order[m]!] === confidence[order[m - 1]!]) continue;
    const precision = right / m;
    if (precision >= target) {
      const threshold = m === n ? 0 : confidence[order[m - 1]!]!;
      found = { threshold, target_precision: target, precision, coverage: m / n };
    }
  }
  return found;
}

export interface FitOptions {
  names: readonly string[];
  file: string;
  /** --target_precision (single-label). */
  targetPrecision?: number | null;
}

export interface FitResult {
  calibration: Calibration;
  before: CalibrationMetrics;
  after: CalibrationMetrics;
  /** --target_precision that no threshold reached (the caller warns). */
  unreachedPrecision?: number;
}

/** Temperature, thresholds and the abstain rule of a classification split (see the module comment). */
export function fitCalibration(s: LabelledLogits, o: FitOptions): FitResult {
  if (s.problemType === 'regression') throw new Error('fitCalibration: regression has no probabilities to calibrate');
  // Rounded as calibration.json stores it, so that what is reported here is what readers of the file get.
  const temperature = Number(fitTemperature(s).toPrecision(6));
  const before = calibrationMetrics(s, 1);
  const after = calibrationMetrics(s, temperature);
  const calibration: Calibration = {
    method: 'temperature',
    problem_type: s.problemType,
    labels: [...o.names],
    temperature,
    fit: { file: o.file, rows: rows(s), bins: ECE_BINS, ece_before: before.ece, ece_after: after.ece, nll_before: before.nll, nll_after: after.nll },
  };
  let unreachedPrecision: number | undefined;
  if (s.problemType === 'multi_label_classification') calibration.thresholds = tuneThresholds(s, o.names, temperature);
  else if (o.targetPrecision !== undefined && o.targetPrecision !== null) {
    const { confidence, correct } = confidences(s, temperature);
    const rule = abstainThreshold(confidence, correct, o.targetPrecision);
    if (rule) calibration.abstain = rule;
    else unreachedPrecision = o.targetPrecision;
  }
  return { calibration, before, after, ...(unreachedPrecision !== undefined ? { unreachedPrecision } : {}) };
}
