/**
 * `finetune find-label-errors`: every row of a labelled file gets an out-of-sample probability by
 * K-fold cross-validation from the given model (K trainings, each on K-1 folds with the run's flags,
 * predicting the held-out fold), then confident learning (core/train/label-issues.ts) flags the rows
 * whose label is likely wrong and ranks every row by label quality. Writes label_issues.csv (the
 * flagged rows first, most suspect first; columns in the `label-issues` event's comment) and
 * label_issues.json (the summary: estimate, thresholds, confident joint). Reports each fold as
 * events; cancelled through the context's AbortSignal (nothing is written then).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgError, type RunArgs, validateArgs } from '../contract/args.js';
import type { LabelErrorsPlan } from '../contract/events.js';
import { type ClassificationData, type EncodedDataset, encodeDataset, loadClassificationData, selectRows } from '../data/index.js';
import { loadPretrained, readModelConfig } from '../model/load.js';
import { checkVocabulary } from '../model/pretrained.js';
import { type Model, createModel } from '../model/presets.js';
import { probabilitiesOf } from '../predict/calibration.js';
import { csvCell } from '../predict/predictions.js';
import { Random } from '../random.js';
import { Tokenizer } from '../tokenizer/index.js';
import { type LabelIssues, type RankBy, findLabelIssues } from '../train/label-issues.js';
import { Trainer } from '../train/trainer.js';
import { trainDataOptions } from './data-options.js';
import { type RunContext, chooseHead, classWeightsFor, presetOf, resolveModelFolder } from './run.js';

export type { LabelErrorsPlan } from '../contract/events.js';

export const LABEL_ISSUES_FILE = 'label_issues.csv';
export const LABEL_ISSUES_SUMMARY = 'label_issues.json';

export interface LabelErrorsOptions {
  folds: number;
  rankBy: RankBy;
  /** Asked with the cost before the first fold trains: false stops there (nothing written), as a cancel does. */
  confirm?: (plan: LabelErrorsPlan) => Promise<boolean>;
}

interface Written extends LabelErrorsOptions {
  outDir: string;
  hasHeader: boolean;
}

export interface LabelErrorsOutcome {
  cancelled: boolean;
  /** label_issues.csv (null when cancelled). */
  path: string | null;
  rows: number;
  issues: number;
  cvAccuracy: number;
}

/** The flags one fold trains with: the user's, without evaluation, checkpoints, pushes or a validation split. */
export function foldArgs(args: RunArgs): RunArgs {
  if (!args.model_name_or_path) throw new ArgError('--model_name_or_path', 'find-label-errors: give --model_name_or_path (the model each fold starts from)');
  if (!args.train_file) throw new ArgError('--train_file', 'find-label-errors: give --train_file (the labelled rows to check)');
  if (!args.output_dir) throw new ArgError('--output_dir', 'find-label-errors: give --output_dir (where label_issues.csv goes)');
  if (args.lr_scheduler_type === 'reduce_lr_on_plateau')
    throw new ArgError('--lr_scheduler_type', 'find-label-errors trains without evaluation, so reduce_lr_on_plateau cannot work: choose another schedule');
  const a: RunArgs = {
    ...args,
    ...{ do_train: true, do_eval: false, do_predict: false, eval_strategy: 'no', eval_on_start: false, save_strategy: 'no', load_best_model_at_end: false },
    ...{ early_stopping_patience: null, push_to_hub: false, report_to: ['none'], resume_from_checkpoint: null, validation_file: null, test_file: null },
    ...{ validation_split_percentage: 0, calibration: 'none', target_precision: null },
  };
  validateArgs(a);
  return a;
}

/** Stratified folds: each class's rows shuffled (seeded) and dealt in turn, so every fold holds about 1/K of every class. */
export function assignFolds(given: ArrayLike<number>, numClasses: number, folds: number, seed: number): Int32Array {
  const rng = new Random(seed);
  const byClass = Array.from({ length: numClasses }, () => [] as number[]);
  for (let i = 0; i < given.length; i++) byClass[given[i]!]!.push(i);
  const fold = new Int32Array(given.length);
  let next = 0;
  for (const rows of byClass) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    for (const r of rows) fold[r] = next++ % folds;
  }
  return fold;
}

interface Prepared {
  data: ClassificationData;
  encoded: EncodedDataset;
  tokenizer: Tokenizer;
  /** A fresh copy of the starting model (each fold trains its own). */
  model: () => Promise<Model>;
}

/** Model, tokenizer, the whole file's rows (single-label), tokenized once. */
async function prepare(a: RunArgs, ctx: RunContext): Promise<Prepared> {
  const { emit } = ctx;
  const preset = presetOf(a.model_name_or_path!);
  const modelDir = preset ? undefined : await resolveModelFolder(a.model_name_or_path!, a, ctx);
  const tokenizerDir = a.tokenizer_name ? await resolveModelFolder(a.tokenizer_name, a, ctx, 'tokenizer') : modelDir;
  if (!tokenizerDir) throw new ArgError('--tokenizer_name', `--model_name_or_path ${a.model_name_or_path} makes a random-init model: give --tokenizer_name`);
  const tokenizer = await Tokenizer.fromFolder(tokenizerDir);
  emit({ type: 'stage', stage: 'read-data', message: `reading ${a.train_file}` });
  let data = await loadClassificationData(trainDataOptions(a, ctx.signal));
  for (const w of data.warnings) emit({ type: 'warning', message: w });
  if (data.problemType !== 'single_label_classification') {
    throw new ArgError('--task', `find-label-errors works on single-label classification; ${a.train_file} is ${data.problemType.replace(/_/g, ' ')}`);
  }
  let fresh = false;
  const config = modelDir ? await readModelConfig(modelDir) : undefined;
  if (config) ({ data, fresh } = await chooseHead(config, data, a, emit));
  const overrides = {
    ...(a.hidden_dropout_prob !== null ? { hidden_dropout_prob: a.hidden_dropout_prob } : {}),
    ...(a.attention_probs_dropout_prob !== null ? { attention_probs_dropout_prob: a.attention_probs_dropout_prob } : {}),
    ...(a.classifier_dropout !== null ? { classifier_dropout: a.classifier_dropout } : {}),
  };
  const labelOpts = { labels: data.labels, problemType: data.problemType, seed: a.seed, freshHead: fresh, overrides, log: () => undefined };
  const model = async (): Promise<Model> =>
    modelDir
      ? loadPretrained(modelDir, labelOpts)
      : createModel({
          preset: preset!,
          vocabSize: tokenizer.vocabSize,
          labels: data.labels,
          problemType: data.problemType,
          seed: a.seed,
          padTokenId: tokenizer.padTokenId,
          overrides,
        });
  const first = await model();
  checkVocabulary(tokenizer, first.config, modelDir ?? tokenizerDir);
  const c = first.config;
  const maxSeqLength = Math.min(a.max_seq_length, c.max_position_embeddings - (c.model_type.includes('roberta') ? c.pad_token_id + 1 : 0));
  emit({ type: 'stage', stage: 'tokenize', message: `tokenizing (max_seq_length ${a.max_seq_length})` });
  const encoded = await encodeDataset(data, tokenizer, { maxSeqLength, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  return { data, encoded, tokenizer, model };
}

/** Optimizer steps of one training on `rows` rows with these flags. */
function stepsFor(a: RunArgs, rows: number): number {
  const perEpoch = Math.max(1, Math.ceil(Math.ceil(rows / a.per_device_train_batch_size) / a.gradient_accumulation_steps));
  return a.max_steps > 0 ? a.max_steps : Math.ceil(a.num_train_epochs * perEpoch);
}

/** Trains fold k on the other folds and writes its held-out rows' probabilities into `probs`; false when cancelled. */
async function runFold(
  p: Prepared,
  a: RunArgs,
  ctx: RunContext,
  fold: Int32Array,
  k: number,
  probs: Float64Array,
): Promise<{ done: boolean; accuracy: number }> {
  const trainIdx: number[] = [];
  const heldIdx: number[] = [];
  fold.forEach((f, i) => (f === k ? heldIdx : trainIdx).push(i));
  const data: ClassificationData = { ...p.data, train: selectRows(p.data.train, trainIdx), validation: undefined, test: undefined };
  const trainer = new Trainer({
    args: a,
    model: await p.model(),
    data,
    encoded: { train: p.encoded.train.select(trainIdx) },
    emit: ctx.emit,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    saveOnCancel: false,
    modelName: `${a.model_name_or_path} (fold ${k + 1})`,
    classWeights: classWeightsFor(a.class_weights, data),
  });
  try {
    const r = await trainer.train();
    if (r.cancelled) return { done: false, accuracy: 0 };
    const logits = await trainer.predict(p.encoded.train.select(heldIdx));
    const K = p.data.labels.length;
    const ids = (p.data.train.labels as { ids: Int32Array }).ids;
    let right = 0;
    heldIdx.forEach((row, j) => {
      const pr = probabilitiesOf(false, logits.values.subarray(j * K, j * K + K));
      probs.set(pr, row * K);
      if (pr.indexOf(Math.max(...pr)) === ids[row]) right++;
    });
    return { done: true, accuracy: right / heldIdx.length };
  } finally {
    await trainer.dispose();
  }
}

/** K-fold cross-validation, then confident learning; writes label_issues.csv and label_issues.json (see the module comment). */
export async function findLabelErrors(args: RunArgs, o: LabelErrorsOptions, ctx: RunContext): Promise<LabelErrorsOutcome> {
  const { emit } = ctx;
  if (!Number.isInteger(o.folds) || o.folds < 2) throw new ArgError('--folds', `--folds: at least 2 (got ${o.folds})`);
  const a = foldArgs(args);
  emit({ type: 'stage', stage: 'load-model', message: `loading ${a.model_name_or_path}` });
  const p = await prepare(a, ctx);
  const n = p.data.train.texts.length;
  const K = p.data.labels.length;
  if (n < o.folds) throw new ArgError('--folds', `--folds ${o.folds}: ${a.train_file} has only ${n} rows; use fewer folds`);
  const ids = (p.data.train.labels as { ids: Int32Array }).ids;
  const fold = assignFolds(ids, K, o.folds, a.seed);
  const steps = Array.from({ length: o.folds }, (_, k) => stepsFor(a, n - fold.filter((f) => f === k).length));
  const total = steps.reduce((x, y) => x + y, 0);
  const rowsPerTraining = Math.round((n * (o.folds - 1)) / o.folds);
  const ratio = total / stepsFor(a, n);
  const message = `find-label-errors: ${o.folds}-fold cross-validation = ${o.folds} trainings of about ${rowsPerTraining} rows each, ${total} optimizer steps in all (${ratio.toFixed(1)}x one training on all ${n} rows)`;
  emit({ type: 'info', message });
  if (o.confirm && !(await o.confirm({ folds: o.folds, rows: n, rowsPerTraining, totalSteps: total, ratio, message }))) {
    emit({ type: 'info', message: 'find-label-errors: not started; nothing written' });
    return { cancelled: true, path: null, rows: n, issues: 0, cvAccuracy: 0 };
  }
  const probs = new Float64Array(n * K);
  const t0 = performance.now();
  for (let k = 0; k < o.folds; k++) {
    const held = fold.filter((f) => f === k).length;
    const elapsed = (): number => (performance.now() - t0) / 1000;
    emit({ type: 'fold', fold: k + 1, folds: o.folds, trainRows: n - held, heldOutRows: held, phase: 'start', elapsedSeconds: elapsed() });
    const r = await runFold(p, a, ctx, fold, k, probs);
    if (!r.done) {
      emit({ type: 'info', message: `find-label-errors cancelled in fold ${k + 1} of ${o.folds}; nothing written` });
      return { cancelled: true, path: null, rows: n, issues: 0, cvAccuracy: 0 };
    }
    const eta = (elapsed() / steps.slice(0, k + 1).reduce((x, y) => x + y, 0)) * steps.slice(k + 1).reduce((x, y) => x + y, 0);
    emit({
      type: 'fold',
      fold: k + 1,
      folds: o.folds,
      trainRows: n - held,
      heldOutRows: held,
      phase: 'end',
      elapsedSeconds: elapsed(),
      etaSeconds: eta,
      heldOutAccuracy: r.accuracy,
    });
  }
  return writeIssues(p.data, probs, fold, { ...o, outDir: a.output_dir!, hasHeader: !a.no_header }, emit);
}

/** label_issues.csv in the result's order, label_issues.json, and the label-issues event. */
async function writeIssues(data: ClassificationData, probs: Float64Array, fold: Int32Array, o: Written, emit: RunContext['emit']): Promise<LabelErrorsOutcome> {
  const { outDir, hasHeader } = o;
  const split = data.train;
  const ids = (split.labels as { ids: Int32Array }).ids;
  const K = data.labels.length;
  const r = findLabelIssues({ probs, given: ids, numClasses: K, rankBy: o.rankBy });
  let right = 0;
  for (let i = 0; i < ids.length; i++) right += r.suggested[i] === ids[i] ? 1 : 0;
  const cvAccuracy = right / ids.length;
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, LABEL_ISSUES_FILE);
  await writeFile(path, issuesCsv(data, probs, fold, r));
  const labelColumn = data.columns.label ?? '';
  const summary = {
    file: split.file,
    label_column: labelColumn,
    has_header: hasHeader,
    labels: data.labels,
    rows: ids.length,
    folds: o.folds,
    method: 'confident learning (Northcutt et al. 2021): per-class mean self-confidence thresholds, calibrated confident joint, prune by noise rate',
    rank_by: o.rankBy,
    estimated_issues: r.estimatedIssues,
    cv_accuracy: cvAccuracy,
    thresholds: Object.fromEntries(data.labels.map((l, k) => [l, r.thresholds[k]])),
    confident_joint: r.confidentJoint,
    calibrated_joint: r.calibratedJoint,
  };
  await writeFile(join(outDir, LABEL_ISSUES_SUMMARY), `${JSON.stringify(summary, null, 2)}\n`);
  emit({
    type: 'label-issues',
    path,
    dataFile: split.file,
    labelColumn,
    hasHeader,
    labels: data.labels,
    rows: ids.length,
    issues: r.estimatedIssues,
    rankedBy: o.rankBy,
    folds: o.folds,
    cvAccuracy,
  });
  emit({
    type: 'info',
    message: `${split.file}: an estimated ${r.estimatedIssues} of ${ids.length} rows (${((100 * r.estimatedIssues) / ids.length).toFixed(1)}%) are mislabelled; they lead ${path} (most suspect first, label_quality = ${o.rankBy}). Out-of-sample accuracy ${cvAccuracy.toFixed(4)}.`,
  });
  return { cancelled: false, path, rows: ids.length, issues: r.estimatedIssues, cvAccuracy };
}

/** The table: rank, index, line, text, [text_pair], given_label, suggested_label, label_quality, is_label_issue, p(<label>)..., fold. */
function issuesCsv(data: ClassificationData, probs: Float64Array, fold: Int32Array, r: LabelIssues): string {
  const s = data.train;
  const ids = (s.labels as { ids: Int32Array }).ids;
  const K = data.labels.length;
  const header = ['rank', 'index', 'line', 'text', ...(s.pairs ? ['text_pair'] : []), 'given_label', 'suggested_label', 'label_quality', 'is_label_issue'];
  header.push(...data.labels.map((l) => `p(${l})`), 'fold');
  const lines = [header.map(csvCell).join(',')];
  r.order.forEach((i, rank) => {
    const cells: (string | number | boolean)[] = [rank + 1, s.rowIndices[i]!, s.rowNumbers[i]!, s.texts[i]!, ...(s.pairs ? [s.pairs[i]!] : [])];
    cells.push(data.labels[ids[i]!]!, data.labels[r.suggested[i]!]!, Number(r.quality[i]!.toFixed(6)), r.flagged[i] === 1);
    for (let k = 0; k < K; k++) cells.push(Number(probs[i * K + k]!.toFixed(6)));
    cells.push(fold[i]! + 1);
    lines.push(cells.map(csvCell).join(','));
  });
  return `${lines.join('\n')}\n`;
}
