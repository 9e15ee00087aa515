/**
 * Run configuration: `run_classification.py`'s data/model arguments plus transformers'
 * `TrainingArguments`, with their names and defaults (where Finetune differs, the flag's help says
 * so). One table drives CLI parsing, `--config run.json`, validation, `--help` and the export of
 * an equivalent Python script.
 */
import { ArgError, didYouMean } from '../errors.js';
import { SCHEDULER_TYPES, ScheduleError, type SchedulerKwargs, type SchedulerType, validateSchedulerKwargs } from './schedule-args.js';
import { parseArgv } from './flags.js';
import { higherIsBetter } from './metrics.js';
import { unsupportedReason } from './unsupported-args.js';

/** json: a JSON object (a string on the command line, an object in --config). */
export type ArgType = 'int' | 'float' | 'bool' | 'string' | 'list' | 'enum' | 'json';

export interface ArgSpec {
  name: string;
  type: ArgType;
  default: unknown;
  help: string;
  group: 'model' | 'data' | 'training' | 'evaluation' | 'output' | 'runtime';
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Not a transformers/run_classification.py argument (left out of exported Python scripts). */
  finetuneOnly?: boolean;
  /** Other names the flag answers to (transformers' own spellings). */
  aliases?: readonly string[];
  /** Holds a secret: never written to a file (training_args.json, checkpoints, exported scripts). */
  secret?: boolean;
}

export const ARG_SPECS: readonly ArgSpec[] = [
  // model
  {
    name: 'model_name_or_path',
    type: 'string',
    default: null,
    group: 'model',
    help: 'Hub id (org/name) or local folder of the pretrained model, or preset:bert-tiny|bert-mini|bert-small|bert-base|modernbert-tiny|deberta-v3-tiny|deberta-v3-xsmall for a random-init model',
  },
  {
    name: 'tokenizer_name',
    type: 'string',
    default: null,
    group: 'model',
    help: 'tokenizer folder or Hub id when it differs from the model (a vocab.txt folder works)',
  },
  { name: 'revision', type: 'string', default: 'main', group: 'model', aliases: ['model_revision'], help: 'Hub revision (branch, tag or commit)' },
  {
    name: 'token',
    aliases: ['use_auth_token'],
    type: 'string',
    default: null,
    group: 'model',
    secret: true,
    help: 'Hugging Face token for gated or private models (default: HF_TOKEN); never written to any file',
  },
  {
    name: 'ignore_mismatched_sizes',
    type: 'bool',
    default: false,
    group: 'model',
    help: "train a new classification head when the data's labels are not the model's own (default: keep the head and its label ids when every data label is one of the model's, else stop and say why)",
  },
  {
    name: 'cache_dir',
    type: 'string',
    default: null,
    group: 'model',
    help: 'Hub cache folder (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)',
  },
  { name: 'hidden_dropout_prob', type: 'float', default: null, group: 'model', min: 0, max: 0.99, help: "override the config's hidden dropout" },
  { name: 'attention_probs_dropout_prob', type: 'float', default: null, group: 'model', min: 0, max: 0.99, help: "override the config's attention dropout" },
  { name: 'classifier_dropout', type: 'float', default: null, group: 'model', min: 0, max: 0.99, help: "override the config's classifier dropout" },
  // data
  { name: 'train_file', type: 'string', default: null, group: 'data', help: 'training data: .csv, .tsv, .json or .jsonl' },
  { name: 'validation_file', type: 'string', default: null, group: 'data', help: 'validation data (default: split off the training file)' },
  { name: 'test_file', type: 'string', default: null, group: 'data', help: 'test data for --do_predict' },
  {
    name: 'text_column_names',
    type: 'list',
    default: null,
    group: 'data',
    help: 'text column(s), comma-separated; two columns make sentence pairs unless --text_column_delimiter joins them (default: a column named sentence, text, review, content, ..., a pair such as sentence1 + sentence2, else the column of running text)',
  },
  {
    name: 'text_column_delimiter',
    type: 'string',
    default: null,
    group: 'data',
    help: 'join several text columns into one text with this delimiter instead of making pairs',
  },
  {
    name: 'label_column_name',
    type: 'string',
    default: null,
    group: 'data',
    help: 'label column (default: one named label, labels, target, sentiment, category, class, ..., else the column whose values look like labels)',
  },
  {
    name: 'label_delimiter',
    type: 'string',
    default: null,
    group: 'data',
    finetuneOnly: true,
    help: 'multi-label: labels within a cell separated by this (JSON lists work without it)',
  },
  {
    name: 'task',
    type: 'enum',
    default: 'auto',
    group: 'data',
    finetuneOnly: true,
    choices: ['auto', 'single_label_classification', 'multi_label_classification', 'regression'],
    help: 'problem type (auto: floats -> regression, lists -> multi-label, else single-label)',
  },
  {
    name: 'do_regression',
    type: 'bool',
    default: null,
    group: 'data',
    help: 'true: regression (numeric labels); false: classification even of numeric labels (run_classification.py; default: from the labels)',
  },
  {
    name: 'no_header',
    type: 'bool',
    default: false,
    group: 'data',
    finetuneOnly: true,
    help: 'the CSV/TSV has no header row: name columns by index (0, 1, ...)',
  },
  {
    name: 'max_seq_length',
    type: 'int',
    default: 128,
    group: 'data',
    min: 2,
    help: 'tokens per model input, special tokens included: longer rows are truncated, or read as --long_text says',
  },
  {
    name: 'validation_split_percentage',
    type: 'float',
    default: 10,
    group: 'data',
    min: 0,
    max: 90,
    help: 'without --validation_file, hold out this % of the training rows (stratified, seeded)',
  },
  { name: 'max_train_samples', type: 'int', default: null, group: 'data', min: 1, help: 'use only the first N training rows' },
  { name: 'max_eval_samples', type: 'int', default: null, group: 'data', min: 1, help: 'use only the first N validation rows' },
  { name: 'max_predict_samples', type: 'int', default: null, group: 'data', min: 1, help: 'use only the first N test rows' },
  {
    name: 'shuffle_train_dataset',
    type: 'bool',
    default: true,
    group: 'data',
    help: 'visit training rows in a seeded random order each epoch (false: file order, for runs comparable row by row)',
  },
  {
    name: 'group_by_length',
    type: 'bool',
    default: false,
    group: 'data',
    help: 'batch rows of similar length (transformers LengthGroupedSampler): faster again on data of mixed lengths (1.35x on waimai_10k), but where length goes with the label the batches are label-skewed and accuracy can drop (default false: random batches, as the Trainer)',
  },
  {
    name: 'length_grouping',
    type: 'enum',
    default: 'shuffled',
    group: 'data',
    finetuneOnly: true,
    choices: ['shuffled', 'transformers'],
    help: "with --group_by_length: 'shuffled' serves the length-grouped batches in random order (longest first); 'transformers' keeps LengthGroupedSampler's order, long to short within each mega-batch, which drifts where length goes with the label",
  },
  {
    name: 'long_text',
    type: 'enum',
    default: null,
    group: 'data',
    finetuneOnly: true,
    choices: ['truncate', 'head_tail', 'sliding_window'],
    help: "rows longer than --max_seq_length: truncate (the first tokens, as transformers), head_tail (the first and last tokens, 1 : 3, Sun et al. 2019), sliding_window (every token, in chunks of max_seq_length overlapping by --doc_stride: each chunk trains with its row's label, evaluation and prediction aggregate the chunks per row, one model input per chunk). Default truncate; evaluate, predict and explain default to the model's own (its training_args.json)",
  },
  {
    name: 'doc_stride',
    type: 'int',
    default: null,
    group: 'data',
    finetuneOnly: true,
    min: 0,
    help: "sliding_window: tokens each chunk shares with the one before, less than half of --max_seq_length (default max_seq_length / 4, or the model's own)",
  },
  {
    name: 'chunk_aggregation',
    type: 'enum',
    default: null,
    group: 'evaluation',
    finetuneOnly: true,
    choices: ['mean', 'max'],
    help: "sliding_window: a row's probabilities from its chunks' — mean, or max (per label the most confident chunk, renormalized) (default mean, or the model's own)",
  },
  {
    name: 'ig_steps',
    type: 'int',
    default: 32,
    group: 'evaluation',
    finetuneOnly: true,
    min: 1,
    max: 4096,
    help: 'explain: Integrated Gradients steps from the baseline to the text (trapezoid rule, batched by --per_device_eval_batch_size); more steps, a smaller completeness delta',
  },
  {
    name: 'metric_name',
    type: 'enum',
    default: null,
    group: 'evaluation',
    choices: ['accuracy', 'f1', 'precision', 'recall', 'mse', 'mae', 'r2', 'pearson'],
    help: "the metric the run headlines after its evaluation (run_classification.py's metric_name; every metric is computed and saved anyway; default: accuracy, mse for regression, f1 for multi-label)",
  },
  {
    name: 'average',
    type: 'enum',
    default: 'macro',
    group: 'evaluation',
    finetuneOnly: true,
    choices: ['macro', 'micro', 'weighted'],
    help: 'averaging for precision/recall/F1 with more than two classes (two classes: binary)',
  },
  {
    name: 'calibration',
    type: 'enum',
    default: 'temperature',
    group: 'evaluation',
    finetuneOnly: true,
    choices: ['temperature', 'none'],
    help: 'temperature: after training with evaluation, fit a temperature on the validation set (and multi-label thresholds) into calibration.json, which predictions then apply; none: neither fit nor apply it',
  },
  {
    name: 'target_precision',
    type: 'float',
    default: null,
    group: 'training',
    finetuneOnly: true,
    above: 0,
    max: 1,
    help: 'single-label: find the confidence threshold at which the validation predictions reach this precision (e.g. 0.95) and abstain below it (calibration.json; predictions then leave the label empty)',
  },
  // training
  { name: 'do_train', type: 'bool', default: false, group: 'training', help: 'train' },
  { name: 'do_eval', type: 'bool', default: false, group: 'evaluation', help: 'evaluate on the validation set' },
  { name: 'do_predict', type: 'bool', default: false, group: 'evaluation', help: 'predict on the test set (predict_results.csv)' },
  { name: 'num_train_epochs', type: 'float', default: 3, group: 'training', above: 0, help: 'epochs' },
  { name: 'max_steps', type: 'int', default: -1, group: 'training', min: -1, help: 'optimizer steps in all (overrides epochs when > 0)' },
  { name: 'per_device_train_batch_size', type: 'int', default: 8, group: 'training', min: 1, help: 'training batch size' },
  { name: 'per_device_eval_batch_size', type: 'int', default: 8, group: 'evaluation', min: 1, help: 'evaluation batch size' },
  { name: 'gradient_accumulation_steps', type: 'int', default: 1, group: 'training', min: 1, help: 'batches per optimizer step' },
  { name: 'learning_rate', type: 'float', default: 5e-5, group: 'training', above: 0, help: 'peak learning rate (AdamW)' },
  { name: 'weight_decay', type: 'float', default: 0, group: 'training', min: 0, help: 'decoupled weight decay (not on biases and LayerNorm weights)' },
  { name: 'adam_beta1', type: 'float', default: 0.9, group: 'training', min: 0, max: 0.999999, help: 'AdamW beta1' },
  { name: 'adam_beta2', type: 'float', default: 0.999, group: 'training', min: 0, max: 0.999999, help: 'AdamW beta2' },
  { name: 'adam_epsilon', type: 'float', default: 1e-8, group: 'training', above: 0, help: 'AdamW epsilon' },
  { name: 'max_grad_norm', type: 'float', default: 1, group: 'training', min: 0, help: 'clip gradients to this global norm (0: no clipping)' },
  {
    name: 'lr_scheduler_type',
    type: 'enum',
    default: 'linear',
    group: 'training',
    choices: SCHEDULER_TYPES,
    help: 'learning-rate schedule (reduce_lr_on_plateau follows --metric_for_best_model at each evaluation)',
  },
  {
    name: 'lr_scheduler_kwargs',
    type: 'json',
    default: null,
    group: 'training',
    help: 'the schedule\'s extra settings as a JSON object, e.g. {"num_cycles": 2} (cosine_with_restarts), {"min_lr_rate": 0.1} (cosine_with_min_lr), {"num_decay_steps": 100} (warmup_stable_decay), {"patience": 2, "mode": "max"} (reduce_lr_on_plateau)',
  },
  { name: 'warmup_ratio', type: 'float', default: 0, group: 'training', min: 0, max: 1, help: 'warm up over this share of the steps' },
  {
    name: 'warmup_steps',
    type: 'float',
    default: 0,
    group: 'training',
    min: 0,
    help: 'warm up over this many steps, or, below 1, this share of the steps (wins over --warmup_ratio)',
  },
  {
    name: 'fp16',
    type: 'bool',
    default: false,
    group: 'training',
    help: 'float16 mixed precision (autocast + dynamic loss scaling, float32 master weights) on a GPU: needs --execution_provider webgpu, cuda or auto; steps whose gradients overflow are skipped',
  },
  { name: 'seed', type: 'int', default: 42, group: 'training', min: 0, help: 'seed for initialisation, shuffling, splits and dropout' },
  {
    name: 'shuffle_seed',
    aliases: ['data_seed'],
    type: 'int',
    default: null,
    group: 'data',
    min: 0,
    help: 'seed of the training order (run_classification.py; default: --seed)',
  },
  {
    name: 'label_smoothing_factor',
    type: 'float',
    default: 0,
    group: 'training',
    min: 0,
    max: 0.999,
    help: "single-label classification: mix the one-hot target with a uniform one, as the Trainer's LabelSmoother (0: none)",
  },
  {
    name: 'class_weights',
    type: 'string',
    default: null,
    group: 'training',
    finetuneOnly: true,
    help: 'weight the loss per class: "auto" (inverse frequency) or a comma-separated list in label order',
  },
  {
    name: 'early_stopping_patience',
    type: 'int',
    default: null,
    group: 'training',
    min: 1,
    help: 'stop after this many evaluations without improvement (needs an eval strategy)',
  },
  { name: 'early_stopping_threshold', type: 'float', default: 0, group: 'training', min: 0, help: 'an improvement must exceed this' },
  // evaluation / saving
  { name: 'eval_strategy', type: 'enum', default: 'no', group: 'evaluation', choices: ['no', 'steps', 'epoch'], help: 'when to evaluate during training' },
  { name: 'eval_steps', type: 'int', default: null, group: 'evaluation', min: 1, help: 'evaluate every N steps (default: logging_steps)' },
  {
    name: 'eval_on_start',
    type: 'bool',
    default: false,
    group: 'evaluation',
    help: 'evaluate once before the first training step (a sanity check of the evaluation)',
  },
  { name: 'save_strategy', type: 'enum', default: 'steps', group: 'output', choices: ['no', 'steps', 'epoch'], help: 'when to save a checkpoint' },
  { name: 'save_steps', type: 'int', default: 500, group: 'output', min: 1, help: 'save every N steps' },
  { name: 'save_total_limit', type: 'int', default: null, group: 'output', min: 1, help: 'keep at most N checkpoints (the best is never deleted)' },
  { name: 'load_best_model_at_end', type: 'bool', default: false, group: 'output', help: 'end with the best checkpoint by --metric_for_best_model' },
  { name: 'metric_for_best_model', type: 'string', default: null, group: 'output', help: 'e.g. f1, accuracy, loss (default: loss)' },
  { name: 'greater_is_better', type: 'bool', default: null, group: 'output', help: 'default: true unless the metric is a loss or an error' },
  { name: 'logging_steps', type: 'int', default: 500, group: 'output', min: 1, help: 'log loss, grad norm and learning rate every N steps' },
  {
    name: 'logging_strategy',
    type: 'enum',
    default: 'steps',
    group: 'output',
    choices: ['no', 'steps', 'epoch'],
    help: 'when to log the training loss, grad norm and learning rate',
  },
  {
    name: 'report_to',
    type: 'list',
    default: ['none'],
    group: 'output',
    choices: ['none', 'all', 'tensorboard'],
    help: 'where else to log: tensorboard writes event files under output_dir/runs/ (transformers 5 default: none)',
  },
  { name: 'push_to_hub', type: 'bool', default: false, group: 'output', help: 'upload the model to the Hugging Face Hub (token: --hub_token or HF_TOKEN)' },
  {
    name: 'hub_model_id',
    type: 'string',
    default: null,
    group: 'output',
    help: 'the Hub repo to push to, org/name or name (default: the output_dir folder name under your account)',
  },
  {
    name: 'hub_strategy',
    type: 'enum',
    default: 'every_save',
    group: 'output',
    choices: ['end', 'every_save', 'checkpoint', 'all_checkpoints'],
    help: 'what is pushed and when: end (the final model), every_save (the model at each checkpoint save and at the end), checkpoint (and the last checkpoint as last-checkpoint/, to resume elsewhere), all_checkpoints (and every checkpoint-N/)',
  },
  { name: 'hub_private_repo', type: 'bool', default: null, group: 'output', help: 'create the Hub repo private (an existing repo keeps its visibility)' },
  {
    name: 'hub_token',
    type: 'string',
    default: null,
    group: 'output',
    secret: true,
    help: 'token to push with (default: HF_TOKEN); never written to any file',
  },
  { name: 'output_dir', type: 'string', default: null, group: 'output', help: 'where checkpoints, results and the final model go' },
  { name: 'overwrite_output_dir', type: 'bool', default: false, group: 'output', help: 'allow a non-empty output_dir' },
  { name: 'resume_from_checkpoint', type: 'string', default: null, group: 'output', help: 'a checkpoint-N folder, or "true" for the latest in output_dir' },
  {
    name: 'export_onnx',
    type: 'bool',
    default: true,
    group: 'output',
    finetuneOnly: true,
    help: 'also write onnx/model.onnx and onnx/model_quantized.onnx for Transformers.js',
  },
  // runtime
  { name: 'threads', type: 'int', default: null, group: 'runtime', finetuneOnly: true, min: 1, help: 'ONNX Runtime intra-op threads (default: one per core)' },
  {
    name: 'execution_provider',
    type: 'enum',
    default: 'cpu',
    group: 'runtime',
    finetuneOnly: true,
    choices: ['auto', 'cpu', 'cuda', 'webgpu'],
    help: 'where to train (auto: cuda when installed, else cpu); falls back to cpu with a warning when not available',
  },
];

export interface RunArgs {
  model_name_or_path: string | null;
  tokenizer_name: string | null;
  revision: string;
  token: string | null;
  ignore_mismatched_sizes: boolean;
  do_regression: boolean | null;
  shuffle_seed: number | null;
  label_smoothing_factor: number;
  eval_on_start: boolean;
  logging_strategy: 'no' | 'steps' | 'epoch';
  report_to: string[];
  push_to_hub: boolean;
  hub_model_id: string | null;
  hub_strategy: 'end' | 'every_save' | 'checkpoint' | 'all_checkpoints';
  hub_private_repo: boolean | null;
  hub_token: string | null;
  cache_dir: string | null;
  hidden_dropout_prob: number | null;
  attention_probs_dropout_prob: number | null;
  classifier_dropout: number | null;
  train_file: string | null;
  validation_file: string | null;
  test_file: string | null;
  text_column_names: string[] | null;
  text_column_delimiter: string | null;
  label_column_name: string | null;
  label_delimiter: string | null;
  task: 'auto' | 'single_label_classification' | 'multi_label_classification' | 'regression';
  no_header: boolean;
  max_seq_length: number;
  validation_split_percentage: number;
  max_train_samples: number | null;
  max_eval_samples: number | null;
  max_predict_samples: number | null;
  shuffle_train_dataset: boolean;
  group_by_length: boolean;
  length_grouping: 'shuffled' | 'transformers';
  long_text: 'truncate' | 'head_tail' | 'sliding_window' | null;
  doc_stride: number | null;
  chunk_aggregation: 'mean' | 'max' | null;
  ig_steps: number;
  metric_name: string | null;
  average: 'macro' | 'micro' | 'weighted';
  calibration: 'temperature' | 'none';
  target_precision: number | null;
  do_train: boolean;
  do_eval: boolean;
  do_predict: boolean;
  num_train_epochs: number;
  max_steps: number;
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  gradient_accumulation_steps: number;
  learning_rate: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;
  fp16: boolean;
  lr_scheduler_type: SchedulerType;
  lr_scheduler_kwargs: Record<string, unknown> | null;
  warmup_ratio: number;
  warmup_steps: number;
  seed: number;
  class_weights: string | null;
  early_stopping_patience: number | null;
  early_stopping_threshold: number;
  eval_strategy: 'no' | 'steps' | 'epoch';
  eval_steps: number | null;
  save_strategy: 'no' | 'steps' | 'epoch';
  save_steps: number;
  save_total_limit: number | null;
  load_best_model_at_end: boolean;
  metric_for_best_model: string | null;
  greater_is_better: boolean | null;
  logging_steps: number;
  output_dir: string | null;
  overwrite_output_dir: boolean;
  resume_from_checkpoint: string | null;
  export_onnx: boolean;
  threads: number | null;
  execution_provider: 'auto' | 'cpu' | 'cuda' | 'webgpu';
}

export { ArgError };

export function defaultArgs(): RunArgs {
  return Object.fromEntries(ARG_SPECS.map((s) => [s.name, s.default])) as unknown as RunArgs;
}

const SPEC_BY_NAME = new Map(ARG_SPECS.map((s) => [s.name, s]));
for (const s of ARG_SPECS) for (const a of s.aliases ?? []) SPEC_BY_NAME.set(a, s);

/** The error for a flag the table does not have: a known transformers flag says why it is not supported. */
function unknownFlag(name: string, where: string, names: readonly string[]): ArgError {
  const reason = unsupportedReason(name);
  if (reason) return new ArgError(`--${name}`, `${where}--${name} is not supported: ${reason}`);
  const hint = didYouMean(name, names);
  return new ArgError(`--${name}`, `${where}unknown option --${name}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
}

/** The run arguments as they may be written to a file: secrets (tokens) replaced as transformers does (`<HUB_TOKEN>`). */
export function publicArgs(a: RunArgs): RunArgs {
  const out = { ...a } as unknown as Record<string, unknown>;
  for (const s of ARG_SPECS) if (s.secret && out[s.name] !== null && out[s.name] !== undefined) out[s.name] = `<${s.name.toUpperCase()}>`;
  return out as unknown as RunArgs;
}

/** Converts one value (a CLI string or a JSON value) to the flag's type, or throws an ArgError naming the flag. */
export function coerceArg(spec: ArgSpec, raw: unknown): unknown {
  const flag = `--${spec.name}`;
  if (raw === null) return null;
  const bad = (what: string): never => {
    throw new ArgError(flag, `${flag}: ${what} (got ${JSON.stringify(raw)})`);
  };
  switch (spec.type) {
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      return bad('expects true or false');
    }
    case 'int':
    case 'float': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return bad(`expects ${spec.type === 'int' ? 'an integer' : 'a number'}`);
      if (spec.type === 'int' && !Number.isInteger(n)) return bad('expects an integer');
      if (spec.min !== undefined && n < spec.min) return bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) return bad(`must be at most ${spec.max}`);
      if (spec.above !== undefined && n <= spec.above) return bad(`must be greater than ${spec.above}`);
      return n;
    }
    case 'enum': {
      const s = String(raw);
      if (!spec.choices!.includes(s)) return bad(`must be one of ${spec.choices!.join(', ')}`);
      return s;
    }
    case 'list': {
      if (Array.isArray(raw)) return coerceArg(spec, raw.map(String).join(','));
      const parts = String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (parts.length === 0) return bad('expects one or more comma-separated names');
      const wrong = spec.choices ? parts.filter((p) => !spec.choices!.includes(p)) : [];
      if (wrong.length) return bad(`each must be one of ${spec.choices!.join(', ')}`);
      return parts;
    }
    case 'string':
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad('expects a string');
      return String(raw);
    case 'json': {
      let v: unknown = raw;
      if (typeof raw === 'string') {
        try {
          v = JSON.parse(raw);
        } catch {
          return bad('expects a JSON object such as {"num_cycles": 2}');
        }
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('expects a JSON object such as {"num_cycles": 2}');
      return v;
    }
  }
}

/** Applies a JSON config object (`--config run.json`); unknown keys are errors. */
export function applyConfigObject(args: RunArgs, obj: unknown, file: string): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ArgError('--config', `${file}: must be a JSON object of flag names to values`);
  for (const [k, v] of Object.entries(obj)) {
    const spec = SPEC_BY_NAME.get(k);
    if (!spec) {
      const reason = unsupportedReason(k);
      if (reason) throw new ArgError('--config', `${file}: the setting "${k}" is not supported: ${reason}`);
      const hint = didYouMean(k, [...SPEC_BY_NAME.keys()]);
      throw new ArgError('--config', `${file}: unknown setting "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    (args as unknown as Record<string, unknown>)[spec.name] = coerceArg(spec, v);
  }
}

/**
 * Parses run flags (the table's, with their aliases) into `args` with the one flag parser
 * (flags.ts); returns positionals and a `--config` file when one is given. `allowed` limits the
 * flags a command accepts.
 */
export function parseFlags(argv: readonly string[], args: RunArgs, allowed?: ReadonlySet<string>): { positionals: string[]; configFile?: string } {
  const specs = ARG_SPECS.filter((s) => !allowed || allowed.has(s.name));
  const names = specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
  const parsed = parseArgv(argv, [...specs, { name: 'config', type: 'string' }], { unknown: (name) => unknownFlag(name, '', names) });
  for (const s of specs) {
    const raw = parsed.values.get(s.name);
    if (raw !== undefined) (args as unknown as Record<string, unknown>)[s.name] = coerceArg(s, raw);
  }
  const configFile = parsed.values.get('config') as string | undefined;
  return { positionals: parsed.positionals, ...(configFile ? { configFile } : {}) };
}

/** Cross-flag checks, as TrainingArguments.__post_init__ makes them. */
export function validateArgs(a: RunArgs): void {
  if (a.load_best_model_at_end && a.eval_strategy === 'no') {
    throw new ArgError('--load_best_model_at_end', '--load_best_model_at_end needs evaluation: set --eval_strategy epoch or steps');
  }
  if (a.load_best_model_at_end && a.save_strategy !== a.eval_strategy) {
    throw new ArgError(
      '--save_strategy',
      `--load_best_model_at_end needs --save_strategy to match --eval_strategy (${a.eval_strategy}), got ${a.save_strategy}`,
    );
  }
  if (a.load_best_model_at_end && a.save_strategy === 'steps' && a.save_steps % (a.eval_steps ?? a.logging_steps) !== 0) {
    throw new ArgError(
      '--save_steps',
      `--load_best_model_at_end needs --save_steps (${a.save_steps}) to be a multiple of --eval_steps (${a.eval_steps ?? a.logging_steps})`,
    );
  }
  if (a.lr_scheduler_type === 'reduce_lr_on_plateau' && a.eval_strategy === 'no') {
    throw new ArgError(
      '--lr_scheduler_type',
      '--lr_scheduler_type reduce_lr_on_plateau lowers the learning rate from evaluation results: set --eval_strategy epoch or steps',
    );
  }
  schedulerKwargs(a);
  if (a.early_stopping_patience !== null && a.eval_strategy === 'no') {
    throw new ArgError('--early_stopping_patience', '--early_stopping_patience needs evaluation during training: set --eval_strategy epoch or steps');
  }
  if (a.fp16 && a.execution_provider === 'cpu') {
    throw new ArgError(
      '--fp16',
      '--fp16 (float16 mixed precision) needs a GPU: add --execution_provider webgpu (or cuda, or auto), or leave --fp16 off to train in float32 on the CPU',
    );
  }
  if (a.doc_stride !== null && a.doc_stride * 2 >= a.max_seq_length) {
    throw new ArgError(
      '--doc_stride',
      `--doc_stride ${a.doc_stride}: the chunks' overlap must be less than half of --max_seq_length (${a.max_seq_length}), so each chunk reads mostly new tokens; give at most ${Math.max(0, Math.ceil(a.max_seq_length / 2) - 1)}`,
    );
  }
  if (a.do_train && !a.train_file) throw new ArgError('--train_file', '--do_train needs --train_file (a .csv, .tsv, .json or .jsonl file)');
  if (a.do_predict && !a.test_file) throw new ArgError('--test_file', '--do_predict needs --test_file');
  if (a.do_train && !a.output_dir) throw new ArgError('--output_dir', '--do_train needs --output_dir');
  if (a.target_precision !== null && a.calibration === 'none') {
    throw new ArgError('--target_precision', '--target_precision is stored with the calibration (calibration.json): leave out --calibration none');
  }
  if (a.target_precision !== null && a.do_train && !a.do_eval && a.eval_strategy === 'no') {
    throw new ArgError(
      '--target_precision',
      '--target_precision is found on the validation set: add --do_eval (or an --eval_strategy) so training ends with an evaluation',
    );
  }
}

/** greater_is_better, else the metric's own direction (the metric table; transformers' rule for other names). */
export function greaterIsBetter(a: RunArgs): boolean {
  if (a.greater_is_better !== null) return a.greater_is_better;
  return higherIsBetter(metricForBest(a));
}

/** metric_for_best_model with the eval_ prefix, default eval_loss. */
export function metricForBest(a: RunArgs): string {
  const m = a.metric_for_best_model ?? 'loss';
  return m.startsWith('eval_') ? m : `eval_${m}`;
}

/** --lr_scheduler_kwargs checked against --lr_scheduler_type and converted (ArgError naming the key and the keys the schedule takes). */
export function schedulerKwargs(a: RunArgs): SchedulerKwargs {
  try {
    return validateSchedulerKwargs(a.lr_scheduler_type, a.lr_scheduler_kwargs ?? {}, a.learning_rate);
  } catch (e) {
    if (e instanceof ScheduleError) throw new ArgError('--lr_scheduler_kwargs', `--lr_scheduler_kwargs: ${e.message.replace(/^lr_scheduler_kwargs /, '')}`);
    throw e;
  }
}
