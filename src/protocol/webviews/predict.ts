/** The predict box's protocol: the models to choose from, and a text (or a pair) to classify. */
import { page } from './base.js';
import { notification, optional, request, shape, string } from './ipc.js';

export interface PredictModel {
  id: string;
  label: string;
  dir: string;
}

export interface PredictState {
  models: PredictModel[];
  selected?: string;
  /** The model takes sentence pairs (its training data had a pair column). */
  pairs?: boolean;
}

export interface LabelScore {
  label: string;
  score: number;
}

/** The longest text the box sends (the host refuses longer ones). */
export const MAX_TEXT = 100_000;

/** Every label of `model` with its probability for `text` (and `pair`). */
export const Predict = request('predict', { model: string(), text: string({ maxLength: MAX_TEXT }), pair: optional(string()) }, shape<LabelScore[]>());

/** The model list changed (a run finished, another model was chosen). */
export const Models = notification('models', shape<{ state: PredictState }>());

export const predictProtocol = page({
  page: 'predict',
  state: shape<PredictState>(),
  commands: {},
  requests: { predict: Predict },
  notifications: { models: Models },
});
export type PredictProtocol = typeof predictProtocol;
