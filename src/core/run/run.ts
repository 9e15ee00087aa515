/**
 * One classification run from its arguments, as `run_classification.py` does it: resolve the model
 * (a local folder, a Hub id pulled into the cache, or a random-init preset), the tokenizer and the
 * data; train, evaluate, predict; write the output folder as the Trainer does. Shared by the CLI
 * and the extension's worker; reports everything as TrainingEvents.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink } from '../contract/events.js';
import {
  type ClassificationData,
  type DataSplit,
  type EncodedDataset,
  encodeDataset,
  loadClassificationData,
  loadSplitForModel,
  labelledRows,
  relabelData,
  splitStats,
  type SplitStats,
} from '../data/index.js';
import { exportFiles } from '../export/index.js';
import { type PullResult, pullModel } from '../hub/index.js';
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import { decideHead, modelLabels } from '../model/head.js';
import { toHfConfig } from '../model/hf-config.js';
import { loadPretrained, readModelConfig } from '../model/load.js';
import { checkVocabulary } from '../model/pretrained.js';
import { PRESETS, type Model, type PresetName, createModel } from '../model/presets.js';
import { writeFilesInto } from '../model/save.js';
import { Tokenizer } from '../tokenizer/index.js';
import { ArgError, type RunArgs, publicArgs, validateArgs } from '../contract/args.js';
import { columnOptions, trainDataOptions } from './data-options.js';
import { metricKeys } from '../contract/metrics.js';
import { pushCheckpoint, pushRun, type HubPushContext } from './hub-push.js';
import { listCheckpoints } from '../train/checkpoint.js';
import { longTextSettings, trainedLongTextFlags } from '../predict/long-text-settings.js';
import { CALIBRATION_FILE, type Calibration, calibrationJson, readCalibration } from '../predict/calibration.js';
import {
  EVAL_PREDICTIONS_FILE,
  PREDICT_RESULTS_FILE,
  calibrationResults,
  fitOnValidation,
  labelledLogits,
  wantsCalibration,
  writePredictions,
} from './evaluation.js';
import type { TrainerCallback } from '../train/callbacks.js';
import { tensorBoardCallback } from '../train/tensorboard.js';
import { type EvalResult, Trainer } from '../train/trainer.js';

export interface RunContext {
  emit: EventSink;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Hub token (CLI: HF_TOKEN; extension: SecretStorage). */
  token?: string;
  /** Save a checkpoint when cancelled (asked at cancel time when a function). */
  saveOnCancel?: boolean | (() => boolean);
  runId?: string;
}

export interface RunOutcome {
  results: Record<string, number>;
  modelDir: string | null;
  cancelled: boolean;
  stoppedEarly: boolean;
  bestCheckpoint: string | null;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** A local folder, else a Hub id pulled (or found) in the cache. */
export async function resolveModelFolder(nameOrPath: string, args: Pick<RunArgs, 'revision' | 'cache_dir'>, ctx: RunContext, role = 'model'): Promise<string> {
  if (await isDir(nameOrPath)) return nameOrPath;
  if (nameOrPath.startsWith('.') || nameOrPath.startsWith('/') || nameOrPath.split('/').length > 2) {
    const flag = role === 'tokenizer' ? '--tokenizer_name' : '--model_name_or_path';
    throw new ArgError(
      flag,
      `${flag} ${nameOrPath}: the ${role} folder does not exist; give a local folder with config.json, a Hub id such as google-bert/bert-base-uncased${role === 'model' ? ', or preset:bert-tiny for a random-init model' : ''}`,
    );
  }
  ctx.emit({ type: 'stage', stage: 'pull-model', message: `pulling ${nameOrPath}@${args.revision} from the Hugging Face Hub` });
  const env = ctx.env ?? process.env;
  const r: PullResult = await pullModel(nameOrPath, {
    revision: args.revision,
    ...(args.cache_dir ? { cacheDir: args.cache_dir } : {}),
    ...(ctx.token ? { token: ctx.token } : {}),
    env,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (e) => {
      if (e.type === 'total-progress') ctx.emit({ type: 'stage', stage: 'pull-model', message: `downloading ${nameOrPath}`, done: e.loaded, total: e.total });
      else if (e.type === 'log') ctx.emit({ type: 'info', message: e.message });
    },
  });
  ctx.emit({
    type: 'info',
    message: `${nameOrPath}: ${r.fromCache ? 'using the cached' : 'pulled'} snapshot ${r.commit.slice(0, 12)} (${r.files.length} files)`,
  });
  return r.folder;
}

export function presetOf(name: string): PresetName | undefined {
  const m = /^preset:(.+)$/.exec(name);
  if (!m) return undefined;
  if (!(m[1]! in PRESETS))
    throw new ArgError('--model_name_or_path', `--model_name_or_path ${name}: unknown preset (choose preset:${Object.keys(PRESETS).join(', preset:')})`);
  return m[1] as PresetName;
}

/** Class weights: "auto" (n / (C * count_c), scikit-learn's "balanced") or a list in label order. */
export function classWeightsFor(spec: string | null, data: ClassificationData): Float32Array | undefined {
  if (spec === null) return undefined;
  if (data.problemType !== 'single_label_classification') {
    throw new ArgError('--class_weights', '--class_weights applies to single-label classification only');
  }
  const C = data.numLabels;
  if (spec === 'auto') {
    const counts = new Array<number>(C).fill(0);
    const labels = data.train.labels;
    if (labels?.kind !== 'single') throw new ArgError('--class_weights', '--class_weights auto needs training labels');
    for (const id of labels.ids) counts[id]!++;
    const n = labels.ids.length;
    return Float32Array.from(counts, (c) => (c === 0 ? 0 : n / (C * c)));
  }
  const parts = spec.split(',').map((s) => Number(s.trim()));
  if (parts.length !== C || parts.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new ArgError(
      '--class_weights',
      `--class_weights: give ${C} non-negative numbers in label order (${data.labels.join(', ')}), or "auto" (got "${spec}")`,
    );
  }
  return Float32Array.from(parts);
}

/** The output folder: a non-empty one needs --overwrite_output_dir, unless it holds checkpoints to resume. */
async function checkOutputDir(args: RunArgs, emit: EventSink): Promise<string | undefined> {
  const dir = args.output_dir!;
  // An explicit checkpoint folder is resumed whether or not output_dir exists yet.
  if (args.resume_from_checkpoint && args.resume_from_checkpoint !== 'true') return checkResumeFolder(args.resume_from_checkpoint);
  let entries: string[] = [];
  try {
    entries = (await readdir(dir)).filter((e) => !e.startsWith('.'));
  } catch {
    if (args.resume_from_checkpoint === 'true')
      throw new ArgError(
        '--resume_from_checkpoint',
        `--resume_from_checkpoint: ${dir} does not exist, so there is no checkpoint-N folder to resume; drop the flag to train from scratch`,
      );
    return undefined;
  }
  const checkpoints = await listCheckpoints(dir);
  if (args.overwrite_output_dir) return undefined;
  const last = checkpoints[checkpoints.length - 1];
  if (last) {
    emit({ type: 'info', message: `Checkpoint detected, resuming training at ${last.path}. To train from scratch instead, pass --overwrite_output_dir.` });
    return last.path;
  }
  if (args.resume_from_checkpoint === 'true')
    throw new ArgError('--resume_from_checkpoint', `--resume_from_checkpoint: ${dir} holds no checkpoint-N folder to resume`);
  if (entries.length > 0) {
    throw new ArgError(
      '--output_dir',
      `--output_dir ${dir} already exists and is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); use --overwrite_output_dir or choose another folder`,
    );
  }
  return undefined;
}

/** The files a checkpoint needs to be resumed exactly (the Trainer's layout, as writeCheckpoint writes it). */
const CHECKPOINT_FILES = ['config.json', 'model.safetensors', 'optimizer.safetensors', 'scheduler.json', 'rng_state.json', 'trainer_state.json'];

/** --resume_from_checkpoint DIR must be a checkpoint-N folder written by a training run. */
async function checkResumeFolder(path: string): Promise<string> {
  if (!(await isDir(path)))
    throw new ArgError(
      '--resume_from_checkpoint',
      `--resume_from_checkpoint ${path}: no such folder; give a checkpoint-N folder of an earlier run, or "true" for the latest one in --output_dir`,
    );
  const missing: string[] = [];
  for (const f of CHECKPOINT_FILES) {
    try {
      if (!(await stat(join(path, f))).isFile()) missing.push(f);
    } catch {
      missing.push(f);
    }
  }
  if (missing.length) {
    throw new ArgError(
      '--resume_from_checkpoint',
      `--resume_from_checkpoint ${path}: not a training checkpoint (missing ${missing.join(', ')}); give a checkpoint-N folder written by finetune train, or use a model folder as --model_name_or_path to start a new run from its weights`,
    );
  }
  return path;
}

/** Reads the data a run needs: training data (with its own label list), or one file for a trained model. */
async function readData(args: RunArgs, config: ModelConfig | undefined, ctx: RunContext): Promise<ClassificationData> {
  if (args.do_train) return loadClassificationData(trainDataOptions(args, ctx.signal));
  const common = {
    ...columnOptions(args),
    seed: args.seed,
    ...(args.max_eval_samples ? { maxEvalSamples: args.max_eval_samples } : {}),
    ...(args.max_predict_samples ? { maxPredictSamples: args.max_predict_samples } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const c = config!;
  const labels = modelLabels(c);
  const problemType = resolveProblemType(c);
  const file = args.do_eval ? args.validation_file : args.test_file;
  if (!file)
    throw new ArgError(
      args.do_eval ? '--validation_file' : '--test_file',
      `give ${args.do_eval ? '--validation_file' : '--test_file'} (the rows to ${args.do_eval ? 'evaluate on' : 'predict'})`,
    );
  const data = await loadSplitForModel({ ...common, file, name: args.do_eval ? 'validation' : 'test', problemType, labels });
  if (args.do_eval && args.do_predict && args.test_file) {
    const t = await loadSplitForModel({ ...common, file: args.test_file, name: 'test', problemType, labels });
    data.test = t.test;
  }
  return data;
}

/** The listeners a run's flags ask for: TensorBoard event files (--report_to), Hub pushes at each save (--push_to_hub). */
function runCallbacks(args: RunArgs, outputDir: string, config: ModelConfig, hub: HubPushContext): TrainerCallback[] {
  const out: TrainerCallback[] = [];
  if (args.report_to.some((r) => r === 'tensorboard' || r === 'all')) out.push(tensorBoardCallback(outputDir, publicArgs(args), toHfConfig(config)));
  if (args.push_to_hub) out.push({ onSave: (dir, state, epochEnd) => pushCheckpoint(hub, dir, state.global_step, epochEnd) });
  return out;
}

/** run_classification.py's metric_name: the one metric the run headlines (it computes them all); its default per task. */
function headlineMetric(args: RunArgs, data: ClassificationData): string {
  if (args.metric_name) return args.metric_name;
  return data.problemType === 'regression' ? 'mse' : data.problemType === 'multi_label_classification' ? 'f1' : 'accuracy';
}

/** --metric_name must be a metric this task reports (accuracy / precision / recall / f1 for classes, mse / mae / r2 / pearson for regression). */
function checkMetricName(args: RunArgs, data: ClassificationData): void {
  const m = args.metric_name;
  if (!m) return;
  const regression = ['mse', 'mae', 'r2', 'pearson'].includes(m);
  if (regression !== (data.problemType === 'regression')) {
    throw new ArgError(
      '--metric_name',
      `--metric_name ${m}: this data is ${data.problemType.replace(/_/g, ' ')}, whose metrics are ${data.problemType === 'regression' ? 'mse, mae, r2, pearson' : 'accuracy, precision, recall, f1'}`,
    );
  }
}

/** Label smoothing is the Trainer's LabelSmoother: single-label classification, and not mixed with class weights. */
function checkLossOptions(args: RunArgs, data: ClassificationData): void {
  if (!(args.label_smoothing_factor > 0) || !args.do_train) return;
  if (data.problemType !== 'single_label_classification') {
    throw new ArgError(
      '--label_smoothing_factor',
      `--label_smoothing_factor applies to single-label classification; this data is ${data.problemType.replace(/_/g, ' ')}`,
    );
  }
  if (args.class_weights !== null) {
    throw new ArgError(
      '--label_smoothing_factor',
      '--label_smoothing_factor and --class_weights cannot be combined (the Trainer smooths an unweighted loss); choose one',
    );
  }
}

/**
 * Training from a model folder: keep its classification head and label ids when the data's labels are
 * the model's (see model/head.ts), relabelling the data in the model's id order; else a new head.
 */
export async function chooseHead(
  config: ModelConfig,
  data: ClassificationData,
  args: RunArgs,
  emit: EventSink,
): Promise<{ data: ClassificationData; fresh: boolean }> {
  const decision = decideHead(config, {
    dataLabels: data.labels,
    problemType: data.problemType,
    integerLabels: data.labels.length > 0 && data.labels.every((l) => /^-?\d+$/.test(l)),
    ignoreMismatchedSizes: args.ignore_mismatched_sizes,
  });
  if (decision.kind === 'new') {
    if (decision.message) emit({ type: 'warning', message: decision.message });
    return { data, fresh: decision.discarded !== undefined };
  }
  if (decision.message) emit({ type: 'info', message: decision.message });
  if (!decision.labels) return { data, fresh: false };
  const relabelled = relabelData(data, decision.labels, decision.rename);
  const used = new Set(data.labels.map((l) => decision.rename?.get(l) ?? l));
  const unused = decision.labels.filter((l) => !used.has(l));
  emit({
    type: 'info',
    message: `keeping the model's classification head and its ${decision.labels.length} labels${unused.length ? ` (${unused.length} of them have no training row: the model keeps them)` : ''}`,
  });
  return { data: relabelled, fresh: false };
}

/** evaluate / predict: the long-text flags not given, from the model folder's training_args.json. */
async function trainedLongText(args: RunArgs, modelDir: string | undefined): Promise<Partial<RunArgs>> {
  const trained = modelDir ? await trainedLongTextFlags(modelDir) : {};
  return {
    long_text: args.long_text ?? trained.long_text ?? null,
    doc_stride: args.doc_stride ?? trained.doc_stride ?? null,
    chunk_aggregation: args.chunk_aggregation ?? trained.chunk_aggregation ?? null,
  };
}

/** The run log's line about the training rows' lengths, and what --long_text makes of the long ones. */
function trainLengthMessage(s: SplitStats, maxSeqLength: number): string {
  const t = s.tokens;
  const lt = s.longText;
  let msg = `train: ${s.rows} rows; tokens p50 ${t?.p50} / p95 ${t?.p95} / max ${t?.max}; ${((t?.truncatedShare ?? 0) * 100).toFixed(1)}% longer than ${maxSeqLength}`;
  if (!lt || lt.rowsOverLength === 0) return msg;
  const m = lt.modes[lt.mode];
  if (lt.mode === 'sliding_window') msg += `; sliding_window: ${m.inputs} chunks (${m.inputsPerRow.toFixed(2)} per row, at most ${m.maxInputsPerRow})`;
  else
    msg += `; ${lt.mode} reads ${(m.keptTokenShareOfLongRows * 100).toFixed(0)}% of their tokens (--long_text sliding_window reads them all in ${lt.modes.sliding_window.inputs} chunks)`;
  return msg;
}

/** What a run starts from: the model folder (or preset), the tokenizer, the checkpoint to resume. */
interface RunStart {
  ctx: RunContext;
  /** --model_name_or_path. */
  modelName: string;
  outputDir: string;
  resumeFrom: string | undefined;
  preset: PresetName | undefined;
  modelDir: string | undefined;
  tokenizerDir: string;
  tokenizer: Tokenizer;
  baseConfig: ModelConfig | undefined;
}

/** Checks the arguments and resolves the model and the tokenizer (pulling from the Hub where needed). */
async function startRun(args: RunArgs, runCtx: RunContext): Promise<RunStart> {
  validateArgs(args);
  // --token (a download token) wins over the caller's (HF_TOKEN, the extension's stored one).
  const ctx: RunContext = { ...runCtx, ...(args.token ? { token: args.token } : {}) };
  if (!args.model_name_or_path)
    throw new ArgError('--model_name_or_path', 'give --model_name_or_path: a Hub id (org/name), a local model folder, or preset:bert-tiny');
  if (!args.do_train && !args.do_eval && !args.do_predict) throw new ArgError('--do_train', 'nothing to do: pass --do_train, --do_eval and/or --do_predict');
  const outputDir = args.output_dir ?? '.';
  const resumeFrom = args.do_train ? await checkOutputDir(args, ctx.emit) : undefined;
  ctx.emit({ type: 'stage', stage: 'load-model', message: `loading ${args.model_name_or_path}` });
  const preset = presetOf(args.model_name_or_path);
  const modelDir = preset ? undefined : await resolveModelFolder(args.model_name_or_path, args, ctx);
  const tokenizerDir = args.tokenizer_name ? await resolveModelFolder(args.tokenizer_name, args, ctx, 'tokenizer') : modelDir;
  if (!tokenizerDir)
    throw new ArgError(
      '--tokenizer_name',
      `--model_name_or_path ${args.model_name_or_path} makes a random-init model: give --tokenizer_name (a folder with tokenizer.json or vocab.txt)`,
    );
  const tokenizer = await Tokenizer.fromFolder(tokenizerDir);
  const baseConfig = modelDir ? await readModelConfig(modelDir) : undefined;
  return { ctx, modelName: args.model_name_or_path, outputDir, resumeFrom, preset, modelDir, tokenizerDir, tokenizer, baseConfig };
}

/** The run's data, its warnings reported and the flags that depend on it checked. */
async function readRunData(args: RunArgs, start: RunStart): Promise<ClassificationData> {
  const { emit } = start.ctx;
  emit({ type: 'stage', stage: 'read-data', message: `reading ${args.do_train ? args.train_file : (args.validation_file ?? args.test_file)}` });
  const data = await readData(args, start.baseConfig, start.ctx);
  for (const w of data.warnings) emit({ type: 'warning', message: w });
  checkLossOptions(args, data);
  checkMetricName(args, data);
  const dropped = data.train.dropped.emptyText + data.train.dropped.emptyLabel;
  if (args.do_train && dropped > 0) {
    emit({
      type: 'info',
      message: `${data.train.file}: dropped ${data.train.dropped.emptyText} rows with an empty text and ${data.train.dropped.emptyLabel} with an empty label`,
    });
  }
  return data;
}

/** The model to train or use: a checkpoint resumed, a random-init preset, or the folder's weights with the head chosen for the data. */
async function buildModel(args: RunArgs, start: RunStart, given: ClassificationData): Promise<{ model: Model; data: ClassificationData }> {
  const { emit } = start.ctx;
  const overrides = {
    ...(args.hidden_dropout_prob !== null ? { hidden_dropout_prob: args.hidden_dropout_prob } : {}),
    ...(args.attention_probs_dropout_prob !== null ? { attention_probs_dropout_prob: args.attention_probs_dropout_prob } : {}),
    ...(args.classifier_dropout !== null ? { classifier_dropout: args.classifier_dropout } : {}),
  };
  let data = given;
  let freshHead = false;
  if (args.do_train && !start.preset) {
    const head = await chooseHead(start.resumeFrom ? await readModelConfig(start.resumeFrom) : start.baseConfig!, data, args, emit);
    data = head.data;
    freshHead = head.fresh;
  }
  const labels = data.problemType === 'regression' ? { numLabels: 1 } : { labels: data.labels };
  const labelOpts = {
    ...labels,
    problemType: data.problemType,
    overrides,
    seed: args.seed,
    log: (message: string) => emit({ type: 'info', message }),
    freshHead,
  };
  const weights = start.resumeFrom ?? start.modelDir;
  emit({
    type: 'stage',
    stage: 'load-model',
    message: weights ? `loading the weights of ${weights}` : `initialising ${args.model_name_or_path} with random weights`,
  });
  let model: Model;
  if (start.resumeFrom) model = await loadPretrained(start.resumeFrom, labelOpts);
  else if (start.preset) {
    const { tokenizer } = start;
    model = createModel({
      preset: start.preset,
      vocabSize: tokenizer.vocabSize,
      ...labels,
      problemType: data.problemType,
      seed: args.seed,
      padTokenId: tokenizer.padTokenId,
      overrides,
    });
  } else model = await loadPretrained(start.modelDir!, labelOpts);
  checkVocabulary(start.tokenizer, model.config, start.resumeFrom ?? start.modelDir ?? start.tokenizerDir);
  return { model, data };
}

/** Tokenizes the splits (evaluate / predict: with the model's own long-text settings unless given). */
async function encodeRun(
  args: RunArgs,
  start: RunStart,
  model: Model,
  data: ClassificationData,
): Promise<{ encoded: EncodedDataset; longArgs: Partial<RunArgs> }> {
  const { emit, signal } = start.ctx;
  const longArgs = args.do_train ? {} : await trainedLongText(args, start.modelDir);
  const longText = longTextSettings({ ...args, ...longArgs }).longText;
  emit({
    type: 'stage',
    stage: 'tokenize',
    message: `tokenizing (max_seq_length ${args.max_seq_length}${longText.mode === 'truncate' ? '' : `, ${longText.mode}`})`,
  });
  const { config } = model;
  const encoded = await encodeDataset(data, start.tokenizer, {
    maxSeqLength: Math.min(args.max_seq_length, config.max_position_embeddings - (config.model_type.includes('roberta') ? config.pad_token_id + 1 : 0)),
    longText,
    ...(signal ? { signal } : {}),
    onProgress: (p) => emit({ type: 'stage', stage: 'tokenize', message: `tokenizing ${p.split}`, done: p.done, total: p.total }),
  });
  if (args.do_train) emit({ type: 'info', message: trainLengthMessage(splitStats(data.train, data.labels, encoded.train), args.max_seq_length) });
  return { encoded, longArgs };
}

export async function runClassification(args: RunArgs, runCtx: RunContext): Promise<RunOutcome> {
  const start = await startRun(args, runCtx);
  const { ctx, outputDir } = start;
  const { model, data } = await buildModel(args, start, await readRunData(args, start));
  const { encoded, longArgs } = await encodeRun(args, start, model, data);
  const hub: HubPushContext = {
    args: { ...args, output_dir: outputDir },
    token: args.hub_token ?? runCtx.token,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.env ? { env: ctx.env } : {}),
    log: (message) => ctx.emit({ type: 'info', message }),
  };
  const trainer = new Trainer({
    args: { ...args, ...longArgs, output_dir: outputDir },
    model,
    data,
    encoded,
    emit: ctx.emit,
    tokenizerFiles: start.tokenizer.saveFiles(),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(start.resumeFrom ? { resumeFrom: start.resumeFrom } : {}),
    ...(ctx.saveOnCancel !== undefined ? { saveOnCancel: ctx.saveOnCancel } : {}),
    ...(ctx.runId ? { runId: ctx.runId } : {}),
    modelName: start.modelName,
    ...(args.do_train ? { classWeights: classWeightsFor(args.class_weights, data) } : {}),
    callbacks: runCallbacks(args, outputDir, model.config, hub),
  });
  // A trained model's calibration is fitted after training; a given model's is its folder's calibration.json.
  const calibration =
    args.do_train || args.calibration === 'none' || !start.modelDir || data.problemType === 'regression'
      ? null
      : await readCalibration(start.modelDir, data.labels);
  const phases = new RunPhases({ args, start, data, encoded, trainer, hub, calibration });
  try {
    await mkdir(outputDir, { recursive: true });
    if (args.do_train) await phases.train();
    if (args.do_eval && encoded.validation && !phases.outcome.cancelled) await phases.evaluate(encoded.validation);
    if (args.do_predict && encoded.test && data.test && !phases.outcome.cancelled) await phases.predict(encoded.test, data.test);
    if (!phases.outcome.cancelled && args.output_dir !== null) await writeFile(join(outputDir, 'all_results.json'), json(phases.results));
    if (args.push_to_hub && phases.outcome.modelDir && !phases.outcome.cancelled) {
      ctx.emit({ type: 'stage', stage: 'push', message: `pushing ${outputDir} to the Hugging Face Hub` });
      await pushRun(hub, outputDir);
    }
  } finally {
    await trainer.dispose();
  }
  const { results, outcome } = phases;
  ctx.emit({
    type: 'done',
    outputDir,
    modelDir: outcome.modelDir,
    results,
    bestCheckpoint: outcome.bestCheckpoint,
    stoppedEarly: outcome.stoppedEarly,
    cancelled: outcome.cancelled,
  });
  return { results, ...outcome };
}

/** The train, evaluate and predict phases of one run, and what they leave for the next: results, the calibration, the final step. */
class RunPhases {
  readonly results: Record<string, number> = {};
  outcome: Omit<RunOutcome, 'results'> = { modelDir: null, cancelled: false, stoppedEarly: false, bestCheckpoint: null };
  private finalStep = 0;
  private calibration: Calibration | null;
  /** The evaluation the calibration was fitted on, reused as the final evaluation. */
  private finalEval: EvalResult | undefined;
  private readonly outputDir: string;
  private readonly emit: EventSink;

  constructor(
    private readonly r: {
      args: RunArgs;
      start: RunStart;
      data: ClassificationData;
      encoded: EncodedDataset;
      trainer: Trainer;
      hub: HubPushContext;
      calibration: Calibration | null;
    },
  ) {
    this.calibration = r.calibration;
    this.outputDir = r.start.outputDir;
    this.emit = r.start.ctx.emit;
  }

  async train(): Promise<void> {
    const { args, data, encoded, trainer } = this.r;
    this.emit({ type: 'stage', stage: 'train', message: 'training' });
    const r = await trainer.train();
    this.finalStep = r.state.global_step;
    this.outcome = { ...this.outcome, cancelled: r.cancelled, stoppedEarly: r.stoppedEarly, bestCheckpoint: r.bestCheckpoint };
    Object.assign(this.results, r.metrics);
    if (r.cancelled) {
      this.emit({ type: 'info', message: 'training cancelled' });
      return;
    }
    if (wantsCalibration(args, data)) {
      this.emit({ type: 'stage', stage: 'evaluate', message: 'fitting the calibration on the validation set' });
      this.finalEval = await trainer.evaluate(encoded.validation!, 'eval');
      this.calibration = fitOnValidation(args, data, this.finalEval.logits, this.outputDir, this.emit)?.calibration ?? null;
    }
    this.emit({ type: 'stage', stage: 'save', message: `saving the model to ${this.outputDir}` });
    await this.saveModel(r.state, r.metrics);
  }

  /** The trained model in the output folder: weights, config, tokenizer, card, trainer state, calibration. */
  private async saveModel(state: Awaited<ReturnType<Trainer['train']>>['state'], metrics: Record<string, number>): Promise<void> {
    const { args, trainer } = this.r;
    const evals = state.log_history.filter((e) => 'eval_loss' in e);
    const history = evals.map((e) => ({
      epoch: e.epoch!,
      step: e.step!,
      ...Object.fromEntries(Object.entries(e).filter(([k]) => metricKeys([k], { headline: true }).length > 0)),
    }));
    const calibration = this.calibration;
    const files = exportFiles({
      config: trainer.engine.config,
      weights: trainer.engine.weights,
      tokenizerFiles: this.r.start.tokenizer.saveFiles(),
      onnx: args.export_onnx,
      quantized: args.export_onnx,
      card: {
        baseModel: this.r.start.modelName,
        dataset: args.train_file!,
        hyperparameters: hyperparameters(args),
        metrics: Object.fromEntries(Object.entries(evals[evals.length - 1] ?? {}).filter(([k]) => k.startsWith('eval_'))),
        history,
        ...(calibration ? { calibration } : {}),
      },
      extraFiles: {
        'trainer_state.json': json(state),
        'training_args.json': json(publicArgs(args)),
        ...(calibration ? { [CALIBRATION_FILE]: calibrationJson(calibration) } : {}),
      },
    });
    // A calibration.json left by an earlier run in this folder belongs to other weights.
    if (!calibration) await rm(join(this.outputDir, CALIBRATION_FILE), { force: true });
    await writeFilesInto(this.outputDir, files);
    this.outcome.modelDir = this.outputDir;
    await writeFile(join(this.outputDir, 'train_results.json'), json(metrics));
  }

  async evaluate(validation: EncodedDataset['validation'] & object): Promise<void> {
    const { args, data, trainer, start } = this.r;
    this.emit({ type: 'stage', stage: 'evaluate', message: 'evaluating' });
    const ev = this.finalEval ?? (await trainer.evaluate(validation, 'eval'));
    const measured = args.do_train || !start.modelDir ? undefined : { path: join(start.modelDir, CALIBRATION_FILE), emit: this.emit };
    Object.assign(ev.metrics, calibrationResults('eval', labelledLogits(data, data.validation!, ev.logits), this.calibration, measured));
    const metrics = { ...ev.metrics, ...(args.do_train ? { epoch: this.results.epoch ?? 0 } : {}) };
    this.emit({
      type: 'eval',
      step: this.finalStep,
      epoch: this.results.epoch ?? 0,
      metrics: ev.metrics,
      ...(ev.confusionMatrix ? { confusionMatrix: ev.confusionMatrix, labels: data.labels } : {}),
      ...(ev.perClass ? { perClass: ev.perClass } : {}),
    });
    Object.assign(this.results, metrics);
    const headline = headlineMetric(args, data);
    const value = ev.metrics[`eval_${headline}`];
    if (value !== undefined) this.emit({ type: 'info', message: `eval_${headline} = ${value} (--metric_name ${headline})` });
    // `finetune evaluate` without --output_dir prints the metrics and writes nothing (not into the working directory).
    if (args.output_dir !== null) {
      await writeFile(join(this.outputDir, 'eval_results.json'), json({ ...metrics, eval_samples: validation.documentCount }));
      await this.writeTable('eval', EVAL_PREDICTIONS_FILE, data.validation!, ev.logits);
    }
  }

  async predict(test: EncodedDataset['test'] & object, rows: DataSplit): Promise<void> {
    const { data, trainer } = this.r;
    this.emit({ type: 'stage', stage: 'predict', message: 'predicting' });
    const logits = await trainer.predict(test);
    await this.writeTable('test', PREDICT_RESULTS_FILE, rows, logits);
    if (test.labels) {
      const labelled = labelledRows(rows);
      const t = await trainer.evaluate(labelled ? test.select(labelled) : test, 'test');
      Object.assign(t.metrics, calibrationResults('test', labelledLogits(data, rows, logits), this.calibration, undefined));
      Object.assign(this.results, t.metrics);
      await writeFile(join(this.outputDir, 'test_results.json'), json(t.metrics));
    }
    this.emit({ type: 'info', message: `wrote ${join(this.outputDir, PREDICT_RESULTS_FILE)} (${test.documentCount} rows)` });
  }

  private writeTable(split: 'eval' | 'test', file: string, rows: DataSplit, logits: { values: Float32Array; width: number }): Promise<void> {
    const { data } = this.r;
    return writePredictions({
      path: join(this.outputDir, file),
      split,
      step: this.finalStep,
      data,
      rows,
      logits,
      calibration: this.calibration,
      emit: this.emit,
    });
  }
}

function hyperparameters(a: RunArgs): Record<string, string | number | boolean | null> {
  return {
    learning_rate: a.learning_rate,
    train_batch_size: a.per_device_train_batch_size,
    eval_batch_size: a.per_device_eval_batch_size,
    gradient_accumulation_steps: a.gradient_accumulation_steps,
    seed: a.seed,
    optimizer: `AdamW with betas=(${a.adam_beta1},${a.adam_beta2}) and epsilon=${a.adam_epsilon}`,
    weight_decay: a.weight_decay,
    lr_scheduler_type: a.lr_scheduler_type,
    warmup: a.warmup_steps > 0 ? a.warmup_steps : a.warmup_ratio,
    num_epochs: a.num_train_epochs,
    max_seq_length: a.max_seq_length,
    group_by_length: a.group_by_length,
    ...(a.group_by_length ? { length_grouping: a.length_grouping } : {}),
  };
}
