/**
 * What a run writes after it evaluates or predicts, beside the Trainer's files: prediction tables
 * with every row's source line (eval_predictions.csv, predict_results.csv), the calibration fitted on
 * the validation set after training (calibration.json), and the calibration metrics (ECE and NLL
 * before and after the temperature) in the *_results.json files. Each is announced by an event
 * (`predictions`, `calibration`) that carries what a view needs to show it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink } from '../contract/events.js';
import type { RunArgs } from '../contract/args.js';
import type { ClassificationData, DataSplit } from '../data/index.js';
import { CALIBRATION_FILE, type Calibration } from '../predict/calibration.js';
import { predictionsTable } from '../predict/predictions.js';
import { type FitResult, type LabelledLogits, calibrationMetrics, fitCalibration } from '../train/calibration.js';

export const EVAL_PREDICTIONS_FILE = 'eval_predictions.csv';
export const PREDICT_RESULTS_FILE = 'predict_results.csv';

export interface PredictionsOutput {
  path: string;
  split: 'eval' | 'test';
  step: number;
  data: ClassificationData;
  rows: DataSplit;
  /** Row i's logits at values[i * width ...]. */
  logits: { values: Float32Array; width: number };
  calibration: Calibration | null;
  emit: EventSink;
}

/** Writes a prediction table and announces it. */
export async function writePredictions(o: PredictionsOutput): Promise<void> {
  const t = predictionsTable(o.data, o.rows, o.logits.values, o.logits.width, o.calibration);
  await writeFile(o.path, t.csv);
  o.emit({
    type: 'predictions',
    split: o.split,
    step: o.step,
    path: o.path,
    dataFile: o.rows.file,
    labels: o.data.labels,
    ...t.summary,
    calibrated: o.calibration !== null,
  });
}

/** A labelled classification split's logits, or undefined (regression, no labels). */
export function labelledLogits(data: ClassificationData, split: DataSplit, logits: { values: Float32Array; width: number }): LabelledLogits | undefined {
  if (data.problemType === 'regression' || !split.labels || split.labels.kind === 'regression' || split.labelled) return undefined;
  return { problemType: data.problemType, logits: logits.values, width: logits.width, labels: split.labels };
}

/** Whether a training run fits a calibration: --calibration temperature, classification, and training that ends with an evaluation. */
export function wantsCalibration(args: RunArgs, data: ClassificationData): boolean {
  return (
    args.do_train && args.calibration !== 'none' && data.problemType !== 'regression' && !!data.validation && (args.do_eval || args.eval_strategy !== 'no')
  );
}

/** Fits calibration.json on the validation logits after training; announces it; warns when --target_precision is out of reach. */
export function fitOnValidation(
  args: RunArgs,
  data: ClassificationData,
  logits: { values: Float32Array; width: number },
  outputDir: string,
  emit: EventSink,
): FitResult | undefined {
  const split = data.validation!;
  const s = labelledLogits(data, split, logits);
  if (!s) return undefined;
  const fit = fitCalibration(s, { names: data.labels, file: split.file, targetPrecision: args.target_precision });
  const c = fit.calibration;
  if (fit.unreachedPrecision !== undefined) {
    emit({
      type: 'warning',
      message: `--target_precision ${fit.unreachedPrecision}: no confidence threshold reaches that precision on the ${split.texts.length} validation rows (even the most confident prediction is wrong); predictions will not abstain. Lower the target or add validation rows.`,
    });
  }
  if (data.problemType !== 'single_label_classification' && args.target_precision !== null)
    emit({ type: 'warning', message: '--target_precision applies to single-label classification; multi-label uses per-label thresholds tuned for F1' });
  emit({
    type: 'calibration',
    split: 'eval',
    fitted: true,
    path: join(outputDir, CALIBRATION_FILE),
    temperature: c.temperature,
    before: fit.before,
    after: fit.after,
    ...(c.thresholds ? { thresholds: c.thresholds } : {}),
    ...(c.abstain ? { abstain: c.abstain } : {}),
  });
  return fit;
}

/**
 * `<prefix>_ece` and `<prefix>_nll` of the raw probabilities and, with a calibration,
 * `<prefix>_ece_calibrated`, `<prefix>_nll_calibrated` and `<prefix>_temperature`; a calibration
 * event for a calibration measured (not just fitted) on the split.
 */
export function calibrationResults(
  prefix: 'eval' | 'test',
  s: LabelledLogits | undefined,
  calibration: Calibration | null,
  measured: { path: string; emit: EventSink } | undefined,
): Record<string, number> {
  if (!s) return {};
  const before = calibrationMetrics(s, 1);
  const out: Record<string, number> = { [`${prefix}_ece`]: before.ece, [`${prefix}_nll`]: before.nll };
  if (!calibration) return out;
  const after = calibrationMetrics(s, calibration.temperature);
  Object.assign(out, { [`${prefix}_ece_calibrated`]: after.ece, [`${prefix}_nll_calibrated`]: after.nll, [`${prefix}_temperature`]: calibration.temperature });
  if (measured) {
    measured.emit({
      type: 'calibration',
      split: prefix,
      fitted: false,
      path: measured.path,
      temperature: calibration.temperature,
      before,
      after,
      ...(calibration.thresholds ? { thresholds: calibration.thresholds } : {}),
      ...(calibration.abstain ? { abstain: calibration.abstain } : {}),
    });
  }
  return out;
}
