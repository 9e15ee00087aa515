/**
 * Training events: what the trainer reports, the same objects the CLI prints (`--log_format
 * json`), the worker sends to the extension host, and the dashboard draws. No vscode, no DOM.
 */

/** The run is about to train. */
export interface StartEvent {
  type: 'start';
  runId: string;
  outputDir: string;
  model: string;
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
  trainRows: number;
  evalRows: number;
  labels: string[];
  problemType: string;
  resumedFromStep: number;
  executionProvider: string;
}

/** After every optimizer step. */
export interface ProgressEvent {
  type: 'progress';
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  samplesPerSecond: number;
  etaSeconds: number;
}

/** Every logging_steps: the Trainer's log line {'loss', 'grad_norm', 'learning_rate', 'epoch'}. */
export interface LogEvent {
  type: 'log';
  step: number;
  epoch: number;
  loss: number;
  grad_norm: number;
  learning_rate: number;
}

/** An evaluation: eval_* metrics as `evaluate` names them, plus the confusion matrix. */
export interface EvalEvent {
  type: 'eval';
  step: number;
  epoch: number;
  metrics: Record<string, number>;
  confusionMatrix?: number[][];
  labels?: string[];
  perClass?: { label: string; precision: number; recall: number; f1: number; support: number }[];
}

export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  path: string;
  /** Checkpoints deleted by save_total_limit. */
  removed: string[];
}

/** Tokenization / dataset preparation progress. */
export interface StageEvent {
  type: 'stage';
  stage: 'load-model' | 'pull-model' | 'read-data' | 'tokenize' | 'train' | 'evaluate' | 'predict' | 'save' | 'export' | 'push';
  message: string;
  done?: number;
  total?: number;
}

export interface MessageEvent {
  type: 'info' | 'warning';
  message: string;
}

export interface DoneEvent {
  type: 'done';
  outputDir: string;
  modelDir: string | null;
  /** train_results / eval_results / predict summary merged, as all_results.json. */
  results: Record<string, number>;
  bestCheckpoint: string | null;
  stoppedEarly: boolean;
  cancelled: boolean;
}

export interface ErrorEvent {
  type: 'error';
  /** For a person: what went wrong and what to do. */
  message: string;
  /** Stack trace, only when debugging was asked for. */
  detail?: string;
}

/**
 * A prediction table was written: eval_predictions.csv by the final evaluation (after training: the
 * final weights, calibrated scores; the evaluations during training write none, so a run that fails
 * leaves its folder as it was) and predict_results.csv. Its columns:
 * index, line, text, [text_pair], [label], predicted, score, p(<label>)..., [correct], [abstained],
 * note (core/predict/predictions.ts). `line` is the 1-based line of `dataFile` where the row starts,
 * as an editor shows it, so a table row can open the file there.
 */
export interface PredictionsEvent {
  type: 'predictions';
  split: 'eval' | 'test';
  /** The optimizer step of the weights that predicted (the final step after training; 0 without training). */
  step: number;
  /** The CSV written. */
  path: string;
  /** The data file the rows came from (a validation split carved out of the training file: that file). */
  dataFile: string;
  labels: string[];
  /** Rows predicted (rows left out for an empty text are in the table too, with a note, and not counted). */
  rows: number;
  /** Labelled rows predicted wrong (abstained rows not counted). */
  errors: number;
  abstained: number;
  /** Whether the probabilities went through calibration.json (temperature, thresholds, abstain rule). */
  calibrated: boolean;
}

/** One bin of a reliability diagram: predictions whose confidence is in (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence of the bin (0 when empty). */
  confidence: number;
  /** Share right in the bin (0 when empty). */
  accuracy: number;
}

/** Expected calibration error (15 equal-width bins), mean negative log-likelihood, and the bins. */
export interface CalibrationMetrics {
  ece: number;
  nll: number;
  bins: ReliabilityBin[];
}

/** Single-label: below `threshold` confidence the prediction is withheld (--target_precision). */
export interface AbstainRule {
  threshold: number;
  target_precision: number;
  /** Precision of the answered validation rows at the threshold. */
  precision: number;
  /** Share of validation rows answered. */
  coverage: number;
}

/**
 * Calibration of a split's probabilities, before (temperature 1) and after the temperature:
 * `fitted` when training just fitted it on this split (calibration.json written at `path`), else
 * measured with a model's calibration.json (`finetune evaluate` on held-back data).
 * Single-label confidence is the top probability; multi-label counts every (row, label) pair.
 */
export interface CalibrationEvent {
  type: 'calibration';
  split: 'eval' | 'test';
  fitted: boolean;
  /** calibration.json. */
  path: string;
  temperature: number;
  before: CalibrationMetrics;
  after: CalibrationMetrics;
  /** Multi-label: the per-label thresholds used instead of 0.5. */
  thresholds?: Record<string, number>;
  abstain?: AbstainRule;
}

/** `find-label-errors` is at a fold (K-fold cross-validation: train on K-1 folds, predict the held-out one). */
export interface FoldEvent {
  type: 'fold';
  /** 1-based. */
  fold: number;
  folds: number;
  trainRows: number;
  heldOutRows: number;
  /** 'start' before training the fold; 'end' once its held-out rows are predicted. */
  phase: 'start' | 'end';
  /** Seconds since the command started, and the estimate of what is left (from the folds done; at 'end'). */
  elapsedSeconds: number;
  etaSeconds?: number;
  /** Accuracy of the fold's model on its held-out rows against their given labels (at 'end'). */
  heldOutAccuracy?: number;
}

/** What find-label-errors will cost, known once the data is read and tokenized (before the first fold trains). */
export interface LabelErrorsPlan {
  folds: number;
  rows: number;
  /** Rows each fold trains on (about). */
  rowsPerTraining: number;
  /** Optimizer steps of all the folds together. */
  totalSteps: number;
  /** totalSteps over one training on all the rows. */
  ratio: number;
  /** The cost in words, as the info event prints it. */
  message: string;
}

/**
 * `find-label-errors` wrote label_issues.csv: every row with its out-of-sample probabilities, the
 * rows it flags first (most suspect first), then the rest by label quality.
 * Columns: rank, index, line, text, [text_pair], given_label, suggested_label, label_quality,
 * is_label_issue, p(<label>)..., fold.
 */
export interface LabelIssuesEvent {
  type: 'label-issues';
  /** label_issues.csv. */
  path: string;
  /** The data file whose lines `line` counts. */
  dataFile: string;
  /** The label column, for a quick fix that rewrites it (data/edit-label.ts `labelEdit`). */
  labelColumn: string;
  /** CSV / TSV: whether the first line is a header (false with --no_header: columns are named "0", "1", ...). */
  hasHeader: boolean;
  labels: string[];
  rows: number;
  /** Rows confident learning flags as mislabelled (the first rows of the table). */
  issues: number;
  /** What label_quality is: 'self_confidence' (p(given label)) or 'normalized_margin'. */
  rankedBy: 'self_confidence' | 'normalized_margin';
  folds: number;
  /** Accuracy of the out-of-sample predictions against the given labels. */
  cvAccuracy: number;
}

export type TrainingEvent =
  | StartEvent
  | ProgressEvent
  | LogEvent
  | EvalEvent
  | CheckpointEvent
  | StageEvent
  | MessageEvent
  | DoneEvent
  | ErrorEvent
  | PredictionsEvent
  | CalibrationEvent
  | FoldEvent
  | LabelIssuesEvent;

export type EventSink = (event: TrainingEvent) => void;
