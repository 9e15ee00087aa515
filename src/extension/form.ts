/**
 * The sidebar's training form: which run flags it shows (common / advanced), their UI defaults,
 * and turning the submitted values into validated RunArgs. Pure (no vscode), so it is unit-tested.
 */
import { dirname } from 'node:path';
import { ARG_SPECS, ArgError, type RunArgs, coerceArg, defaultArgs, validateArgs } from '../core/contract/args.js';
import type { FormField } from '../protocol/webview.js';

export const COMMON_FIELDS = [
  'task',
  'tokenizer_name',
  'test_file',
  'learning_rate',
  'num_train_epochs',
  'max_steps',
  'per_device_train_batch_size',
  'max_seq_length',
  'long_text',
  'doc_stride',
  'chunk_aggregation',
  'weight_decay',
  'warmup_ratio',
  'eval_strategy',
  'metric_for_best_model',
] as const;

export const ADVANCED_FIELDS = [
  'resume_from_checkpoint',
  'validation_file',
  'validation_split_percentage',
  'per_device_eval_batch_size',
  'gradient_accumulation_steps',
  'lr_scheduler_type',
  'warmup_steps',
  'max_grad_norm',
  'adam_beta1',
  'adam_beta2',
  'adam_epsilon',
  'seed',
  'logging_steps',
  'eval_steps',
  'save_strategy',
  'save_steps',
  'save_total_limit',
  'load_best_model_at_end',
  'early_stopping_patience',
  'early_stopping_threshold',
  'group_by_length',
  'length_grouping',
  'shuffle_train_dataset',
  'fp16',
  'class_weights',
  'text_column_delimiter',
  'label_delimiter',
  'max_train_samples',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'classifier_dropout',
  'export_onnx',
  'ignore_mismatched_sizes',
  'label_smoothing_factor',
  'calibration',
  'target_precision',
  'eval_on_start',
  'logging_strategy',
  'shuffle_seed',
  'report_to',
  'push_to_hub',
  'hub_model_id',
  'hub_strategy',
  'hub_private_repo',
] as const;

/** Where the UI starts differs from the CLI's transformers defaults: a fine-tuning recipe that evaluates and keeps the best. */
export const UI_DEFAULTS: Partial<RunArgs> = {
  learning_rate: 2e-5,
  per_device_train_batch_size: 16,
  per_device_eval_batch_size: 64,
  weight_decay: 0.01,
  warmup_ratio: 0.1,
  eval_strategy: 'epoch',
  save_strategy: 'epoch',
  save_total_limit: 2,
  load_best_model_at_end: true,
  logging_steps: 10,
};

const LABELS: Partial<Record<string, string>> = {
  fp16: 'fp16 mixed precision (GPU)',
  tokenizer_name: 'Tokenizer (if not the model’s)',
  test_file: 'Test file (predicted after training)',
  max_steps: 'Max steps (-1: train the epochs)',
  resume_from_checkpoint: 'Resume from checkpoint',
  target_precision: 'Target precision (abstain below its confidence)',
  long_text: 'Long text (rows over max_seq_length)',
  doc_stride: 'Doc stride (sliding_window)',
  chunk_aggregation: 'Chunk aggregation (sliding_window)',
};
const label = (name: string): string =>
  LABELS[name] ??
  name
    .replace(/^per_device_/, '')
    .replace(/_/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

export function formFields(saved: Partial<Record<string, unknown>> = {}): FormField[] {
  const defaults = { ...defaultArgs(), ...UI_DEFAULTS } as unknown as Record<string, unknown>;
  const field = (name: string, advanced: boolean): FormField => {
    const spec = ARG_SPECS.find((s) => s.name === name)!;
    return {
      name: name as FormField['name'],
      type: spec.type,
      label: label(name),
      help: spec.help,
      ...(spec.choices ? { choices: spec.choices } : {}),
      ...(spec.min !== undefined ? { min: spec.min } : {}),
      ...(spec.max !== undefined ? { max: spec.max } : {}),
      advanced,
      value: name in saved ? saved[name] : defaults[name],
    };
  };
  return [...COMMON_FIELDS.map((n) => field(n, false)), ...ADVANCED_FIELDS.map((n) => field(n, true))];
}

export interface FormContext {
  /** Absolute output folder for this run. */
  outputDir: string;
  threads: number | null;
  executionProvider: RunArgs['execution_provider'];
  cacheDir: string | null;
}

/**
 * Submitted form values -> RunArgs (coerced and validated as the CLI would, errors naming the
 * field). Empty strings mean "not set".
 */
export function argsFromForm(values: Partial<Record<string, unknown>>, ctx: FormContext): RunArgs {
  const args = { ...defaultArgs(), ...UI_DEFAULTS } as unknown as Record<string, unknown>;
  for (const [k, raw] of Object.entries(values)) {
    const spec = ARG_SPECS.find((s) => s.name === k);
    if (!spec) throw new ArgError(k, `unknown setting "${k}"`);
    if (raw === '' || raw === undefined || raw === null) {
      args[k] = spec.default;
      continue;
    }
    args[k] = coerceArg(spec, raw);
  }
  const a = args as unknown as RunArgs;
  if (!a.model_name_or_path)
    throw new ArgError('model_name_or_path', 'choose a model: a Hub id such as google-bert/bert-base-uncased, or a local model folder');
  if (!a.train_file) throw new ArgError('train_file', 'choose a dataset file (.csv, .tsv, .json or .jsonl)');
  a.do_train = true;
  a.do_predict = !!a.test_file;
  a.do_eval = a.eval_strategy !== 'no' || !!a.validation_file || a.validation_split_percentage > 0;
  if (!a.do_eval && a.eval_strategy !== 'no') a.eval_strategy = 'no';
  if (a.eval_strategy === 'no') {
    a.load_best_model_at_end = false;
    a.early_stopping_patience = null;
  }
  if (a.load_best_model_at_end && a.save_strategy !== a.eval_strategy) a.save_strategy = a.eval_strategy;
  a.output_dir = ctx.outputDir;
  a.overwrite_output_dir = false;
  a.threads = ctx.threads;
  a.execution_provider = ctx.executionProvider;
  if (ctx.cacheDir) a.cache_dir = ctx.cacheDir;
  if (a.fp16 && a.execution_provider === 'cpu') {
    throw new ArgError(
      'fp16',
      'fp16 (float16 mixed precision) needs a GPU: set the finetune.executionProvider setting to webgpu, cuda or auto, or turn fp16 off to train in float32 on the CPU',
    );
  }
  validateArgs(a);
  return a;
}

/** The flags the form sets itself (model, data, columns, output): with the shown fields, what a re-run loads. */
const FORM_OWN = ['model_name_or_path', 'train_file', 'text_column_names', 'label_column_name'] as const;

/**
 * A run's arguments as the form's values (what StartRun sends), for a run started before the form's
 * values were kept: the shown flags, the model, data and columns, and the folder the run folder is in.
 */
export function formFromArgs(args: RunArgs): Record<string, unknown> {
  const a = args as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of [...FORM_OWN, ...COMMON_FIELDS, ...ADVANCED_FIELDS]) if (k in a) out[k] = a[k];
  if (args.output_dir) out.output_dir = dirname(args.output_dir);
  return out;
}

/** A run folder name from the model and the data file: bert-base-uncased-reviews-2026-11-21-1530. */
export function runName(model: string, trainFile: string, now = new Date()): string {
  const base = (s: string): string =>
    s
      .split(/[\\/]/)
      .filter(Boolean)
      .pop()!
      .replace(/\.(csv|tsv|jsonl?|ndjson)$/i, '')
      .replace(/[^\w.-]+/g, '-')
      .slice(0, 40);
  const stamp = now
    .toISOString()
    .slice(0, 16)
    .replace(/[-:T]/g, '')
    .replace(/^(\d{8})(\d{4})$/, '$1-$2');
  return `${base(model.replace(/^preset:/, ''))}-${base(trainFile)}-${stamp}`;
}
