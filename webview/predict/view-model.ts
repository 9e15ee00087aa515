/** The predict box's choices and checks, with no DOM (unit-tested in Node). */
import type { Abstained, LabelScore, PredictModel, PredictState } from '../../src/protocol/webviews/predict.js';
import { percent } from '../format.js';

/** The model to show: the host's choice, else the one shown, else the saved one, else the first. */
export function pickModel(s: PredictState, current: string, saved: string | undefined): string {
  return [s.selected, current, saved].find((id) => id && s.models.some((m) => m.id === id)) ?? s.models[0]?.id ?? '';
}

/** The box asks for a second text: the model takes pairs, or the person asked for one. */
export function takesPair(m: PredictModel | undefined, asked: boolean): boolean {
  return m?.pairs === true || asked;
}

/** A line under the model choice saying what it is. */
export function modelNote(m: PredictModel | undefined): string {
  if (!m) return '';
  const pair = m.pairs ? ' Takes sentence pairs.' : '';
  if (m.source === 'hub') return `${m.dir} from the Hugging Face Hub, as it is (no fine-tuning): its own labels.${pair}`;
  if (m.source === 'folder') return `The model in ${m.dir}.${pair}`;
  return `${m.dir}${pair ? ` —${pair}` : ''}`;
}

/** Why the box cannot predict yet ('' when it can). */
export function predictProblem(model: string, text: string, pair: string, pairs: boolean): string {
  if (!model) return 'No model to predict with: choose one (a Hub classifier works as it is), or train one first.';
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

/** What the box says instead of a label when the model abstains. */
export function abstainText(a: Abstained): string {
  return `abstained — below the ${percent(a.threshold)} confidence threshold (set for ${percent(a.targetPrecision, 0)} precision)`;
}
