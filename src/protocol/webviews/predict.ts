/** The predict box's protocol: the models to choose from, the model picker, a text (or a pair) to classify, and why (explain). */
import type { TextExplanation, TextReading } from '../explain.js';
import { page } from './base.js';
import { notification, optional, request, shape, string } from './ipc.js';

export interface PredictModel {
  /** What the worker loads: a model folder, or a Hub id (pulled into the cache on first use). */
  id: string;
  label: string;
  /** A folder, or the Hub id. */
  dir: string;
  /** The model takes sentence pairs (trained on a pair column, or labels such as entailment / contradiction). */
  pairs?: boolean;
  /** Where it comes from: a run of this workspace, the Hugging Face Hub, a folder. */
  source?: 'run' | 'hub' | 'folder';
}

export interface PredictState {
  models: PredictModel[];
  selected?: string;
}

export interface LabelScore {
  label: string;
  score: number;
}

/** The model withheld its label: the top probability is below its confidence threshold (calibration.json, --target_precision). */
export interface Abstained {
  threshold: number;
  targetPrecision: number;
}

/** A prediction: every label with its probability, whether the model abstained (then no label is its answer), and what it read of the text (its long-text settings). */
export interface PredictResult {
  scores: LabelScore[];
  abstained?: Abstained;
  read?: TextReading;
}

export type { TextExplanation, TextReading, WordAttribution } from '../explain.js';

/** The longest text the box sends (the host refuses longer ones). */
export const MAX_TEXT = 100_000;

/** Every label of `model` with its probability for `text` (and `pair`), and whether it abstained. */
export const Predict = request(
  'predict',
  { model: string(), text: string({ maxLength: MAX_TEXT }), pair: optional(string({ maxLength: MAX_TEXT })) },
  shape<PredictResult>(),
);

/** Each word's Integrated Gradients attribution toward `label` (default: the predicted one), with finetune.igSteps steps. */
export const Explain = request(
  'explain',
  {
    model: string(),
    text: string({ maxLength: MAX_TEXT }),
    pair: optional(string({ maxLength: MAX_TEXT })),
    label: optional(string({ maxLength: 1000 })),
  },
  shape<TextExplanation>(),
);

/** The model picker (recent, folders, cached and Hub models): the new list with the chosen one selected, or null when dismissed. */
export const ChooseModel = request('chooseModel', {}, shape<PredictState | null>());

/** The model list changed (a run finished, another model was chosen). */
export const Models = notification('models', shape<{ state: PredictState }>());

export const predictProtocol = page({
  page: 'predict',
  state: shape<PredictState>(),
  commands: {},
  requests: { predict: Predict, explain: Explain, chooseModel: ChooseModel },
  notifications: { models: Models },
});
export type PredictProtocol = typeof predictProtocol;
