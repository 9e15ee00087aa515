/** The predict box's choices and checks, with no DOM (unit-tested in Node). */
import type { LabelScore, PredictState } from '../../src/protocol/webviews/predict.js';
import { percent } from '../format.js';

/** The model to show: the host's choice, else the one shown, else the saved one, else the first. */
export function pickModel(s: PredictState, current: string, saved: string | undefined): string {
  return [s.selected, current, saved].find((id) => id && s.models.some((m) => m.id === id)) ?? s.models[0]?.id ?? '';
}

/** Why the box cannot predict yet ('' when it can). */
export function predictProblem(model: string, text: string, pair: string, pairs: boolean): string {
  if (!model) return 'No model to predict with: train one first.';
  if (!text.trim()) return 'Type a text to classify.';
  if (pairs && !pair.trim()) return 'This model takes sentence pairs: type the second text too.';
  return '';
}

export interface ResultRow {
  label: string;
  /** The bar's CSS width. */
  width: string;
  percent: string;
  top: boolean;
}

/** Every label with its probability, best first. */
export function resultRows(scores: readonly LabelScore[]): ResultRow[] {
  return [...scores]
    .sort((a, b) => b.score - a.score)
    .map((s, i) => ({ label: s.label, width: `${Math.max(0, Math.min(100, s.score * 100)).toFixed(2)}%`, percent: percent(s.score), top: i === 0 }));
}
