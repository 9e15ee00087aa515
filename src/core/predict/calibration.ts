/**
 * calibration.json: what a model folder says about turning its logits into probabilities and
 * decisions, fitted on the validation set after training (core/train/calibration.ts fits it):
 *
 * - `temperature` T: logits are divided by T before softmax (single-label) or sigmoid (multi-label)
 *   (Guo et al. 2017, "On Calibration of Modern Neural Networks"). The exported logits stay
 *   transformers' own; every reader here (the predictor, `predict`, the prediction tables, the demo
 *   Spaces) applies T itself.
 * - `thresholds` (multi-label): per label, the probability above which it is predicted, tuned for
 *   F1 on validation (instead of 0.5).
 * - `abstain` (single-label, with `--target_precision P`): below `threshold` confidence the
 *   prediction is withheld (abstained), which reached precision P on validation.
 *
 * The file is small JSON, documented field by field on `Calibration`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AbstainRule, CalibrationMetrics, ReliabilityBin } from '../contract/events.js';
import { UserError } from '../errors.js';

export type { AbstainRule, CalibrationMetrics, ReliabilityBin };

export const CALIBRATION_FILE = 'calibration.json';

export interface Calibration {
  /** Always "temperature" (scaling the logits by 1/T). */
  method: 'temperature';
  problem_type: 'single_label_classification' | 'multi_label_classification';
  /** Label names in id order (config.json's id2label), so a stale file is caught. */
  labels: string[];
  /** Logits are divided by this before softmax / sigmoid. */
  temperature: number;
  /** Multi-label only: label name -> probability above which the label is predicted. */
  thresholds?: Record<string, number>;
  /** Single-label only, with --target_precision. */
  abstain?: AbstainRule;
  /** What it was fitted on and what it did there (ECE with 15 equal-width bins). */
  fit: {
    file: string;
    rows: number;
    bins: number;
    ece_before: number;
    ece_after: number;
    nll_before: number;
    nll_after: number;
  };
}

export class CalibrationError extends UserError {}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Probabilities of one row's logits: softmax (single-label) or per-label sigmoid (multi-label), after dividing by the temperature. */
export function probabilitiesOf(multiLabel: boolean, z: ArrayLike<number>, temperature = 1): number[] {
  const x = Array.from(z, (v) => v / temperature);
  return multiLabel ? x.map(sigmoid) : softmax(x);
}

/** A row's decision: the predicted label(s), the score (top probability; multi-label: the lowest predicted one), whether it abstained. */
export interface Decision {
  labels: string[];
  score: number;
  abstained: boolean;
}

/** Multi-label: the label's threshold (calibration's, else 0.5). */
export function thresholdOf(c: Calibration | null | undefined, label: string): number {
  return c?.thresholds?.[label] ?? 0.5;
}

/** The labels predicted from probabilities, with the calibration's thresholds and abstain rule. */
export function decide(multiLabel: boolean, probs: readonly number[], names: readonly string[], c?: Calibration | null): Decision {
  if (multiLabel) {
    const on = names.filter((l, k) => probs[k]! > thresholdOf(c, l));
    return { labels: on, score: on.length ? Math.min(...on.map((l) => probs[names.indexOf(l)]!)) : 0, abstained: false };
  }
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
  const score = probs[best]!;
  const abstained = c?.abstain !== undefined && score < c.abstain.threshold;
  return { labels: abstained ? [] : [names[best]!], score, abstained };
}

function bad(file: string, what: string): CalibrationError {
  return new CalibrationError(`${file}: ${what}; delete the file to use the raw probabilities, or train again to fit it`);
}

/** Checks a parsed calibration.json against the model's labels. */
export function checkCalibration(v: unknown, file: string, labels: readonly string[]): Calibration {
  if (typeof v !== 'object' || v === null) throw bad(file, 'not a JSON object');
  const c = v as Partial<Calibration>;
  if (!(typeof c.temperature === 'number' && c.temperature > 0 && Number.isFinite(c.temperature))) throw bad(file, '"temperature" must be a positive number');
  if (!Array.isArray(c.labels) || c.labels.join('\u0000') !== labels.join('\u0000'))
    throw bad(file, `its labels (${JSON.stringify(c.labels)}) are not the model's (${JSON.stringify(labels)})`);
  for (const [l, t] of Object.entries(c.thresholds ?? {}))
    if (!labels.includes(l) || typeof t !== 'number' || !(t >= 0 && t <= 1))
      throw bad(file, `threshold of ${JSON.stringify(l)} must be a number in [0, 1] for a known label`);
  if (c.abstain !== undefined && !(typeof c.abstain.threshold === 'number' && c.abstain.threshold >= 0 && c.abstain.threshold <= 1))
    throw bad(file, '"abstain.threshold" must be a number in [0, 1]');
  return c as Calibration;
}

/** The model folder's calibration.json, or null when it has none. */
export async function readCalibration(dir: string, labels: readonly string[]): Promise<Calibration | null> {
  const file = join(dir, CALIBRATION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not valid JSON (${(e as Error).message})`);
  }
  return checkCalibration(v, file, labels);
}

export function calibrationJson(c: Calibration): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
