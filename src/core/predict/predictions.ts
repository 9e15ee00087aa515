/**
 * Prediction tables: one CSV row per row of the input file, in file order, the rows that could not be
 * predicted (an empty text) included with the reason, so the output lines up with the input. The same
 * columns serve predict_results.csv (`predict`) and eval_predictions.csv (evaluation):
 * `index` (0-based data row), `line` (the 1-based line where the row starts in its file, as an editor
 * shows it), the text(s), the given `label` when the file has labels, `predicted` (empty when the
 * model abstained; multi-label: the labels joined with "|"), `score` (the predicted label's
 * probability; multi-label: the lowest predicted one), `p(<label>)` per label, `correct`,
 * `abstained` (only with an abstain rule), `note`. Probabilities are calibrated when the model has a
 * calibration.json (its temperature, multi-label thresholds and abstain rule).
 */
import type { ClassificationData, DataSplit, ProblemType, SplitLabels } from '../data/index.js';
import { type Calibration, decide, probabilitiesOf } from './calibration.js';

export function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Probabilities of one row's logits: softmax (single-label) or per-label sigmoid (multi-label), at the calibration's temperature. */
export function probabilities(problemType: ProblemType, z: ArrayLike<number>, calibration?: Calibration | null): number[] {
  return probabilitiesOf(problemType === 'multi_label_classification', z, calibration?.temperature ?? 1);
}

/** The given label of row i as text, or '' when the row has none. */
function givenLabel(labels: SplitLabels, i: number, names: readonly string[], labelled?: Uint8Array): string {
  if (labelled && !labelled[i]) return '';
  if (labels.kind === 'single') return labels.ids[i]! >= 0 ? names[labels.ids[i]!]! : '';
  if (labels.kind === 'regression') return Number.isFinite(labels.values[i]!) ? String(labels.values[i]) : '';
  const c = labels.numLabels;
  return names.filter((_, k) => labels.multiHot[i * c + k]).join('|');
}

interface Predicted {
  predicted: string | number;
  score: number | '';
  probs: number[];
  abstained: boolean;
}

function predictRow(pt: ProblemType, z: Float32Array, names: readonly string[], calibration?: Calibration | null): Predicted {
  if (pt === 'regression') return { predicted: z[0]!, score: '', probs: [], abstained: false };
  const probs = probabilities(pt, z, calibration);
  const d = decide(pt === 'multi_label_classification', probs, names, calibration);
  return { predicted: d.labels.join('|'), score: d.score, probs, abstained: d.abstained };
}

/** What a prediction table holds, for the event that announces it. */
export interface PredictionsSummary {
  /** Rows predicted (skipped rows not counted). */
  rows: number;
  /** Labelled rows predicted wrong (abstained rows not counted). */
  errors: number;
  abstained: number;
}

/** The header of a prediction table for a split (see the module comment). */
function tableHeader(split: DataSplit, names: readonly string[], abstains: boolean): string[] {
  const hasLabels = split.labels !== null;
  const header: string[] = ['index', 'line', 'text'];
  if (split.pairs) header.push('text_pair');
  if (hasLabels) header.push('label');
  header.push('predicted', 'score', ...names.map((l) => `p(${l})`));
  if (hasLabels) header.push('correct');
  if (abstains) header.push('abstained');
  header.push('note');
  return header;
}

/** predict_results.csv / eval_predictions.csv (see the module comment); `logits` row i belongs to split row i. */
export function predictionsCsv(data: ClassificationData, split: DataSplit, logits: Float32Array, width: number, calibration?: Calibration | null): string {
  return predictionsTable(data, split, logits, width, calibration).csv;
}

/** The table and its summary. */
export function predictionsTable(
  data: ClassificationData,
  split: DataSplit,
  logits: Float32Array,
  width: number,
  calibration?: Calibration | null,
): { csv: string; summary: PredictionsSummary } {
  const pt = data.problemType;
  const names = data.labels;
  const hasLabels = split.labels !== null;
  const abstains = pt === 'single_label_classification' && calibration?.abstain !== undefined;
  const header = tableHeader(split, names, abstains);
  const summary: PredictionsSummary = { rows: split.texts.length, errors: 0, abstained: 0 };
  const rows: { index: number; cells: (string | number | boolean)[] }[] = [];
  for (let i = 0; i < split.texts.length; i++) {
    const p = predictRow(pt, logits.subarray(i * width, i * width + width), names, calibration);
    const given = hasLabels ? givenLabel(split.labels!, i, names, split.labelled) : '';
    const cells: (string | number | boolean)[] = [split.rowIndices[i]!, split.rowNumbers[i]!, split.texts[i]!];
    if (split.pairs) cells.push(split.pairs[i]!);
    if (hasLabels) cells.push(given);
    cells.push(p.predicted, p.score, ...p.probs.map((x) => Number(x.toFixed(6))));
    const correct = given === '' || pt === 'regression' || p.abstained ? '' : given === String(p.predicted);
    if (hasLabels) cells.push(correct);
    if (abstains) cells.push(p.abstained);
    cells.push(hasLabels && given === '' ? 'no label' : '');
    if (correct === false) summary.errors++;
    if (p.abstained) summary.abstained++;
    rows.push({ index: split.rowIndices[i]!, cells });
  }
  const blanks = (n: number): string[] => new Array<string>(n).fill('');
  for (const s of split.skipped) {
    const cells: (string | number)[] = [s.index, s.line, ...blanks(header.length - 3), `not predicted: ${s.reason}`];
    rows.push({ index: s.index, cells });
  }
  rows.sort((a, b) => a.index - b.index);
  return { csv: `${[header, ...rows.map((r) => r.cells)].map((r) => r.map(csvCell).join(',')).join('\n')}\n`, summary };
}
