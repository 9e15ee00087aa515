/** Host-side data for the webview page tests (Chromium and Node): form fields from the real run table, runs, events. */
import { ARG_SPECS } from '../../src/core/contract/args.js';
import type { EvalEvent, LogEvent, ProgressEvent, StartEvent, TrainingEvent } from '../../src/core/contract/events.js';
import type { DatasetPreviewState, FormField, RunSummary } from '../../src/protocol/webview.js';
import type { LongTextCounts } from '../../src/protocol/webviews/dataset.js';

/** The flags the sidebar shows outside "Advanced" (as the host is expected to mark them). */
export const COMMON_FIELDS = new Set([
  'learning_rate',
  'num_train_epochs',
  'per_device_train_batch_size',
  'max_seq_length',
  'weight_decay',
  'warmup_ratio',
  'eval_strategy',
  'task',
]);

export function formFields(): FormField[] {
  return ARG_SPECS.map((s) => ({
    name: s.name as FormField['name'],
    type: s.type,
    label: s.name.replace(/_/g, ' '),
    help: s.help,
    ...(s.choices ? { choices: s.choices } : {}),
    ...(s.min !== undefined ? { min: s.min } : {}),
    ...(s.max !== undefined ? { max: s.max } : {}),
    advanced: !COMMON_FIELDS.has(s.name),
    value: s.default,
  }));
}

export function runSummary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: 'run-a',
    name: 'rbt3-waimai',
    outputDir: '/ws/out/rbt3-waimai',
    model: 'hfl/rbt3',
    trainFile: '/ws/data/waimai_10k.csv',
    status: 'running',
    startedAt: '2025-01-01T10:00:00.000Z',
    ...over,
  };
}

export const LABELS = ['negative', 'positive'];

export function startEvent(over: Partial<StartEvent> = {}): StartEvent {
  return {
    type: 'start',
    runId: 'run-a',
    outputDir: '/ws/out/rbt3-waimai',
    model: 'hfl/rbt3',
    totalSteps: 12,
    stepsPerEpoch: 4,
    epochs: 3,
    trainRows: 240,
    evalRows: 40,
    labels: LABELS,
    problemType: 'single_label_classification',
    resumedFromStep: 0,
    executionProvider: 'cpu',
    ...over,
  };
}

/** Deterministic training curves: loss 0.7 - 0.04 * step, linear decay of the learning rate. */
export function progress(step: number, total = 12): ProgressEvent {
  return {
    type: 'progress',
    step,
    totalSteps: total,
    epoch: step / 4,
    loss: +(0.7 - 0.04 * step).toFixed(4),
    learningRate: 2e-5 * (1 - step / total),
    gradNorm: +(2 - 0.1 * step).toFixed(3),
    samplesPerSecond: 160,
    etaSeconds: (total - step) * 1.5,
  };
}

export function logEvent(step: number, total = 12): LogEvent {
  return {
    type: 'log',
    step,
    epoch: step / 4,
    loss: +(0.71 - 0.04 * step).toFixed(4),
    grad_norm: +(2.05 - 0.1 * step).toFixed(3),
    learning_rate: 2e-5 * (1 - step / total),
  };
}

/** An evaluation at the end of epoch `epoch` (4 steps each) with a 2x2 confusion matrix. */
export function evalEvent(epoch: number): EvalEvent {
  const tp = 14 + 2 * epoch;
  const tn = 12 + 2 * epoch;
  const fp = 20 - tn;
  const fn = 20 - tp;
  const m = [
    [tn, fp],
    [fn, tp],
  ];
  const acc = (tp + tn) / 40;
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  const f1 = (2 * precision * recall) / (precision + recall);
  return {
    type: 'eval',
    step: epoch * 4,
    epoch,
    metrics: {
      eval_loss: +(0.6 - 0.1 * epoch).toFixed(4),
      eval_accuracy: acc,
      eval_precision: precision,
      eval_recall: recall,
      eval_f1: f1,
      eval_runtime: 0.5,
      eval_samples_per_second: 80,
    },
    confusionMatrix: m,
    labels: LABELS,
  };
}

/** A 3-epoch run of 12 steps: progress every step, a log every 2 steps, an eval and a checkpoint per epoch. */
export function runEvents(upToStep = 12): TrainingEvent[] {
  const ev: TrainingEvent[] = [{ type: 'stage', stage: 'tokenize', message: 'Tokenized 280 rows' }, startEvent()];
  for (let s = 1; s <= upToStep; s++) {
    ev.push(progress(s));
    if (s % 2 === 0) ev.push(logEvent(s));
    if (s % 4 === 0) {
      ev.push(evalEvent(s / 4));
      ev.push({ type: 'checkpoint', step: s, path: `/ws/out/rbt3-waimai/checkpoint-${s}`, removed: [] });
    }
  }
  return ev;
}

/** 600 of 12,000 rows over max_seq_length 128, as each --long_text mode reads them. */
export const LONG_TEXT: LongTextCounts = {
  maxLength: 128,
  docStride: 32,
  rowsOverLength: 600,
  rowsOverLengthShare: 0.05,
  modes: {
    truncate: { inputs: 12_000, inputsPerRow: 1, maxInputsPerRow: 1, keptTokenShare: 0.93, keptTokenShareOfLongRows: 0.552 },
    head_tail: { inputs: 12_000, inputsPerRow: 1, maxInputsPerRow: 1, keptTokenShare: 0.93, keptTokenShareOfLongRows: 0.552 },
    sliding_window: { inputs: 13_100, inputsPerRow: 1.0917, maxInputsPerRow: 6, keptTokenShare: 1, keptTokenShareOfLongRows: 1 },
  },
};

export function datasetState(rows = 10_000, over: Partial<DatasetPreviewState> = {}): DatasetPreviewState {
  const reviews = [
    '很快，好吃，味道足，量大',
    '送餐太慢了，等了两个小时',
    'The food was great and arrived hot',
    'Cold fries, never again',
    'La comida llegó fría',
    '',
  ];
  return {
    file: '/ws/data/waimai_10k.csv',
    columns: [
      { name: 'id', kind: 'integer', empty: 0, distinct: rows },
      { name: 'review', kind: 'text', empty: 12, distinct: 9_870 },
      { name: 'title', kind: 'text', empty: 300, distinct: 4_100 },
      { name: 'label', kind: 'integer', empty: 0, distinct: 2 },
    ],
    rows: Array.from({ length: rows }, (_, i) => [String(i), reviews[i % reviews.length]!, `title ${i}`, String(i % 3 === 0 ? 0 : 1)]),
    totalRows: 12_000,
    textColumn: 'review',
    labelColumn: 'label',
    problemType: 'single_label_classification',
    labelCounts: { '0': 4_000, '1': 8_000 },
    lengths: {
      unit: 'tokens',
      buckets: [16, 32, 64, 128, 256, 512],
      counts: [3_100, 4_200, 2_900, 1_200, 450, 150],
      maxSeqLength: 128,
      truncatedShare: 0.05,
      p50: 28,
      p95: 150,
      max: 498,
      tokenizer: 'bert-base-chinese',
      longText: LONG_TEXT,
    },
    warnings: [
      { kind: 'imbalance', message: 'Labels are imbalanced: "1" has 2.0× the rows of "0".', count: 4_000, examples: ['1: 8000 rows', '0: 4000 rows'] },
      { kind: 'duplicates', message: "37 rows repeat an earlier row's text.", count: 37, examples: ['很快，好吃，味道足，量大'] },
      { kind: 'dropped', message: '12 rows have an empty review.', count: 12 },
    ],
    ...over,
  };
}
