/**
 * Prediction tables: one CSV row per row of the input file, in file order, the rows that could not be
 * predicted (an empty text) included with the reason, so the output lines up with the input:
 * `index` (0-based data row), `line` (where the row starts in the file, 1-based, as an editor shows
 * it; the record number for a JSON array), the text(s), the given `label` when the file has labels,
 * `predicted`, `score` (the predicted label's probability), `p(<label>)` per label, `correct`, `note`.
 */
import type { ClassificationData, DataSplit, ProblemType, SplitLabels } from '../data/index.js';
import { softmax } from './predictor.js';

export function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Probabilities of one row's logits: softmax (single-label) or per-label sigmoid (multi-label). */
export function probabilities(problemType: ProblemType, z: ArrayLike<number>): number[] {
  return problemType === 'multi_label_classification' ? Array.from(z, sigmoid) : softmax(Array.from(z));
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
}

function predictRow(pt: ProblemType, z: Float32Array, names: readonly string[]): Predicted {
  if (pt === 'regression') return { predicted: z[0]!, score: '', probs: [] };
  const probs = probabilities(pt, z);
  if (pt === 'multi_label_classification') {
    const on = names.filter((_, k) => probs[k]! > 0.5);
    return { predicted: on.join('|'), score: on.length ? Math.min(...on.map((l) => probs[names.indexOf(l)]!)) : 0, probs };
  }
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
  return { predicted: names[best]!, score: probs[best]!, probs };
}

/** predict_results.csv (see the module comment); `logits` row i belongs to split row i. */
export function predictionsCsv(data: ClassificationData, split: DataSplit, logits: Float32Array, width: number): string {
  const pt = data.problemType;
  const names = data.labels;
  const hasLabels = split.labels !== null;
  const header: string[] = ['index', 'line', 'text'];
  if (split.pairs) header.push('text_pair');
  if (hasLabels) header.push('label');
  header.push('predicted', 'score', ...names.map((l) => `p(${l})`));
  if (hasLabels) header.push('correct');
  header.push('note');
  const rows: { index: number; cells: (string | number | boolean)[] }[] = [];
  for (let i = 0; i < split.texts.length; i++) {
    const p = predictRow(pt, logits.subarray(i * width, i * width + width), names);
    const given = hasLabels ? givenLabel(split.labels!, i, names, split.labelled) : '';
    const cells: (string | number | boolean)[] = [split.rowIndices[i]!, split.rowNumbers[i]!, split.texts[i]!];
    if (split.pairs) cells.push(split.pairs[i]!);
    if (hasLabels) cells.push(given);
    cells.push(p.predicted, p.score, ...p.probs.map((x) => Number(x.toFixed(6))));
    if (hasLabels) cells.push(given === '' || pt === 'regression' ? '' : given === String(p.predicted));
    cells.push(hasLabels && given === '' ? 'no label' : '');
    rows.push({ index: split.rowIndices[i]!, cells });
  }
  const blanks = (n: number): string[] => new Array<string>(n).fill('');
  for (const s of split.skipped) {
    const cells: (string | number)[] = [s.index, s.line, ...blanks(header.length - 3), `not predicted: ${s.reason}`];
    rows.push({ index: s.index, cells });
  }
  rows.sort((a, b) => a.index - b.index);
  return `${[header, ...rows.map((r) => r.cells)].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
