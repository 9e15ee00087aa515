/**
 * `finetune export-script`, the settings half: which Finetune flags become transformers
 * `TrainingArguments` keywords (5.x names; train.py translates them for an older transformers at
 * run time), which go into the script's own RUN table, and which cannot be reproduced (refused with
 * an ArgError naming the flag).
 *
 * Every flag of ARG_SPECS has a row in FLAG_USE, so a flag added to the run table without a
 * decision here fails the unit test.
 */
import { ArgError, type RunArgs, greaterIsBetter, validateArgs } from '../../contract/args.js';

/** How train.py reproduces a flag. */
export type FlagUse =
  /** A TrainingArguments keyword (maybe renamed or folded into another). */
  | 'training-arguments'
  /** RUN in train.py: the script's own code reads it. */
  | 'run'
  /** Used while exporting: it shaped the data rows written next to the script (data/*.jsonl). */
  | 'data'
  /** Has no meaning for the Trainer; the docstring says why. */
  | 'not-applicable';

export const FLAG_USE: Readonly<Record<keyof RunArgs, FlagUse>> = {
  model_name_or_path: 'run',
  tokenizer_name: 'run',
  revision: 'run',
  cache_dir: 'run',
  hidden_dropout_prob: 'run',
  attention_probs_dropout_prob: 'run',
  classifier_dropout: 'run',
  train_file: 'data',
  validation_file: 'data',
  test_file: 'data',
  text_column_names: 'data',
  text_column_delimiter: 'data',
  label_column_name: 'data',
  label_delimiter: 'data',
  task: 'data',
  no_header: 'data',
  max_seq_length: 'run',
  validation_split_percentage: 'data',
  max_train_samples: 'data',
  max_eval_samples: 'data',
  max_predict_samples: 'data',
  shuffle_train_dataset: 'training-arguments',
  group_by_length: 'training-arguments',
  length_grouping: 'run',
  // head_tail is a tokenization train.py does itself; sliding_window is refused (checkExportable says why).
  long_text: 'run',
  doc_stride: 'not-applicable',
  chunk_aggregation: 'not-applicable',
  // Explanations are not part of training.
  ig_steps: 'not-applicable',
  metric_name: 'run',
  average: 'run',
  do_train: 'training-arguments',
  do_eval: 'training-arguments',
  do_predict: 'training-arguments',
  num_train_epochs: 'training-arguments',
  max_steps: 'training-arguments',
  per_device_train_batch_size: 'training-arguments',
  per_device_eval_batch_size: 'training-arguments',
  gradient_accumulation_steps: 'training-arguments',
  learning_rate: 'training-arguments',
  weight_decay: 'training-arguments',
  adam_beta1: 'training-arguments',
  adam_beta2: 'training-arguments',
  adam_epsilon: 'training-arguments',
  max_grad_norm: 'training-arguments',
  fp16: 'training-arguments',
  lr_scheduler_type: 'training-arguments',
  lr_scheduler_kwargs: 'training-arguments',
  warmup_ratio: 'training-arguments',
  warmup_steps: 'training-arguments',
  seed: 'training-arguments',
  class_weights: 'run',
  early_stopping_patience: 'run',
  early_stopping_threshold: 'run',
  eval_strategy: 'training-arguments',
  eval_steps: 'training-arguments',
  save_strategy: 'training-arguments',
  save_steps: 'training-arguments',
  save_total_limit: 'training-arguments',
  load_best_model_at_end: 'training-arguments',
  metric_for_best_model: 'training-arguments',
  greater_is_better: 'training-arguments',
  logging_steps: 'training-arguments',
  output_dir: 'not-applicable',
  overwrite_output_dir: 'run',
  resume_from_checkpoint: 'run',
  export_onnx: 'not-applicable',
  threads: 'run',
  execution_provider: 'not-applicable',
  // Secrets are never written: the script authenticates as transformers does (HF_TOKEN, `hf auth login`).
  token: 'not-applicable',
  hub_token: 'not-applicable',
  // The exported labels are already the kept head's (or the data's for a new head).
  ignore_mismatched_sizes: 'not-applicable',
  do_regression: 'data',
  shuffle_seed: 'training-arguments',
  label_smoothing_factor: 'training-arguments',
  eval_on_start: 'training-arguments',
  logging_strategy: 'training-arguments',
  report_to: 'training-arguments',
  push_to_hub: 'training-arguments',
  hub_model_id: 'training-arguments',
  hub_strategy: 'training-arguments',
  hub_private_repo: 'training-arguments',
  // Fitted by Finetune after training (calibration.json), not by the Trainer; the logits are the same either way.
  calibration: 'not-applicable',
  target_precision: 'not-applicable',
};

/** The order training visits rows in: Finetune's sampler kinds, as train.py names them. */
export type TrainOrder = 'random' | 'sequential' | 'length_grouped' | 'length_shuffled';

export function trainOrder(a: RunArgs): TrainOrder {
  if (!a.shuffle_train_dataset) return 'sequential';
  if (!a.group_by_length) return 'random';
  return a.length_grouping === 'transformers' ? 'length_grouped' : 'length_shuffled';
}

/** The metric best-model tracking and early stopping compare (no eval_ prefix), or null when neither is on. */
function bestMetric(a: RunArgs): string | null {
  if (a.metric_for_best_model !== null) return a.metric_for_best_model;
  return a.load_best_model_at_end || a.early_stopping_patience !== null ? 'loss' : null;
}

/**
 * The keyword arguments train.py passes to TrainingArguments, by transformers 5.x's names:
 * `warmup_steps` carries a ratio as a float < 1 (5.0 folded `warmup_ratio` into it),
 * `train_sampling_strategy` the row order (5.2; before it, train.py sets `group_by_length` or its
 * own sampler), `report_to` is "none" as Finetune reports to no tracker, and there is no
 * `overwrite_output_dir` (removed in 5.0; train.py decides about resuming itself).
 */
export function trainingArgumentsFor(a: RunArgs): Record<string, unknown> {
  const t: Record<string, unknown> = {
    output_dir: './output',
    do_train: a.do_train,
    do_eval: a.do_eval,
    do_predict: a.do_predict,
    num_train_epochs: a.num_train_epochs,
    max_steps: a.max_steps,
    per_device_train_batch_size: a.per_device_train_batch_size,
    per_device_eval_batch_size: a.per_device_eval_batch_size,
    gradient_accumulation_steps: a.gradient_accumulation_steps,
    learning_rate: a.learning_rate,
    weight_decay: a.weight_decay,
    adam_beta1: a.adam_beta1,
    adam_beta2: a.adam_beta2,
    adam_epsilon: a.adam_epsilon,
    max_grad_norm: a.max_grad_norm,
    lr_scheduler_type: a.lr_scheduler_type,
    // Finetune: warmup_steps wins over warmup_ratio when > 0 (TrainingArguments.get_warmup_steps).
    warmup_steps: a.warmup_steps > 0 ? a.warmup_steps : a.warmup_ratio,
    seed: a.seed,
    eval_strategy: a.eval_strategy,
    save_strategy: a.save_strategy,
    save_steps: a.save_steps,
    logging_steps: a.logging_steps,
    load_best_model_at_end: a.load_best_model_at_end,
    fp16: a.fp16,
    report_to: 'none',
  };
  if (a.lr_scheduler_kwargs !== null && Object.keys(a.lr_scheduler_kwargs).length) t.lr_scheduler_kwargs = a.lr_scheduler_kwargs;
  if (a.eval_steps !== null) t.eval_steps = a.eval_steps;
  if (a.logging_strategy !== 'steps') t.logging_strategy = a.logging_strategy;
  if (a.shuffle_seed !== null) t.data_seed = a.shuffle_seed;
  if (a.label_smoothing_factor > 0) t.label_smoothing_factor = a.label_smoothing_factor;
  if (a.eval_on_start) t.eval_on_start = true;
  if (a.report_to.some((r) => r !== 'none')) t.report_to = a.report_to.includes('all') ? 'all' : a.report_to.filter((r) => r !== 'none');
  if (a.push_to_hub) {
    Object.assign(t, { push_to_hub: true, hub_strategy: a.hub_strategy });
    if (a.hub_model_id !== null) t.hub_model_id = a.hub_model_id;
    if (a.hub_private_repo !== null) t.hub_private_repo = a.hub_private_repo;
  }
  if (a.save_total_limit !== null) t.save_total_limit = a.save_total_limit;
  const best = bestMetric(a);
  // Written out: transformers' own default (greater unless the name ends in "loss") differs from
  // Finetune's for mse and mae.
  if (best !== null) Object.assign(t, { metric_for_best_model: best, greater_is_better: greaterIsBetter({ ...a, metric_for_best_model: best }) });
  else if (a.greater_is_better !== null) t.greater_is_better = a.greater_is_better;
  const order = trainOrder(a);
  if (order === 'sequential') t.train_sampling_strategy = 'sequential';
  else if (order === 'length_grouped') t.train_sampling_strategy = 'group_by_length';
  return t;
}

/** Refuses what train.py cannot reproduce, before any file is read. */
export function checkExportable(a: RunArgs): void {
  if (!a.train_file) throw new ArgError('--train_file', 'export-script needs --train_file');
  const model = a.model_name_or_path;
  if (!model) throw new ArgError('--model_name_or_path', 'export-script needs --model_name_or_path (a Hub id or a local model folder)');
  if (model.startsWith('preset:')) {
    throw new ArgError(
      '--model_name_or_path',
      `--model_name_or_path ${model}: a random-init preset exists only inside Finetune, and Python transformers cannot load it. ` +
        `Give a Hub id (e.g. google-bert/bert-base-uncased) or a saved model folder: \`finetune create-model --preset ${model.slice(7)} --tokenizer_name TOK --output_dir DIR\` writes one, then pass --model_name_or_path DIR`,
    );
  }
  if (a.warmup_steps === 0 && a.warmup_ratio >= 1) {
    throw new ArgError(
      '--warmup_ratio',
      `--warmup_ratio ${a.warmup_ratio}: transformers 5 reads the ratio from warmup_steps, where a value of 1 or more is a step count (1.0 = one step); ` +
        'give a ratio below 1 (e.g. 0.99) or --warmup_steps N',
    );
  }
  if (a.long_text === 'sliding_window') {
    throw new ArgError(
      '--long_text',
      '--long_text sliding_window: the Trainer evaluates and predicts one row per model input, so a plain train.py cannot aggregate the chunks of a document into one prediction with per-document metrics as Finetune does; export with --long_text head_tail or truncate, or train with Finetune',
    );
  }
  // The Trainer's own checks, as Finetune makes them (the GPU check of --fp16 is not about the script).
  validateArgs({ ...a, execution_provider: 'auto', output_dir: a.output_dir ?? '.' });
}
