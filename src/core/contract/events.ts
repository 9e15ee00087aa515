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

export type TrainingEvent = StartEvent | ProgressEvent | LogEvent | EvalEvent | CheckpointEvent | StageEvent | MessageEvent | DoneEvent | ErrorEvent;

export type EventSink = (event: TrainingEvent) => void;
