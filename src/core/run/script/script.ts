/**
 * `finetune export-script`: a self-contained Python `train.py` (+ requirements.txt, an `accelerate`
 * config and the run's data rows) that reproduces a Finetune run with transformers' Trainer — same
 * rows, labels and hyperparameters — for users who outgrow one machine (`accelerate launch
 * train.py` or `torchrun --nproc_per_node N train.py` on a multi-GPU cluster).
 *
 * script-args.ts maps the flags (and refuses what the script cannot reproduce), script-data.ts
 * writes the rows, script-python.ts holds the Python.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClassificationData, DataSplit } from '../../data/index.js';
import { ArgError, type RunArgs } from '../../contract/args.js';
import { readModelConfig } from '../../model/load.js';
import { chooseHead, classWeightsFor } from '../run.js';
import { checkExportable, trainOrder, trainingArgumentsFor } from './script-args.js';
import { dataFiles, isLocalFolder, loadExportData, tokenizerSource } from './script-data.js';
import { REQUIREMENTS, TRAIN_PY_BODY, TRANSFORMERS_RANGE, accelerateConfig, py } from './script-python.js';

export { FLAG_USE, checkExportable, trainOrder, trainingArgumentsFor } from './script-args.js';

/** Where train.py finds the model, the tokenizer and the data rows. */
export interface ScriptSources {
  model: string;
  tokenizer: string;
  dataFiles: Record<string, string>;
}

/** RUN: everything train.py does itself (the TrainingArguments keywords are TRAINING_ARGUMENTS). */
export function runTable(a: RunArgs, data: ClassificationData, src: ScriptSources): Record<string, unknown> {
  return {
    transformers: TRANSFORMERS_RANGE,
    model_name_or_path: src.model,
    tokenizer_name_or_path: src.tokenizer,
    revision: a.revision,
    cache_dir: a.cache_dir,
    problem_type: data.problemType,
    labels: data.labels,
    max_seq_length: a.max_seq_length,
    long_text: a.long_text ?? 'truncate',
    dropout: {
      hidden_dropout_prob: a.hidden_dropout_prob,
      attention_probs_dropout_prob: a.attention_probs_dropout_prob,
      classifier_dropout: a.classifier_dropout,
    },
    class_weights: a.class_weights,
    early_stopping_patience: a.early_stopping_patience,
    early_stopping_threshold: a.early_stopping_threshold,
    train_order: trainOrder(a),
    average: a.average,
    metric_name: a.metric_name,
    do_train: a.do_train,
    do_eval: a.do_eval,
    do_predict: a.do_predict,
    overwrite_output_dir: a.overwrite_output_dir,
    resume_from_checkpoint: a.resume_from_checkpoint,
    threads: a.threads,
    data_files: src.dataFiles,
  };
}

function splitNote(name: string, s: DataSplit | undefined, a: RunArgs, carved: boolean): string | null {
  if (!s) return null;
  const origin =
    s.source === 'train-split'
      ? `carved out of ${a.train_file} (${a.validation_split_percentage}%, stratified by label for single-label data, seed ${a.seed})`
      : `from ${s.file}${carved ? ', less the validation rows' : ''}`;
  const dropped = s.dropped.emptyText + s.dropped.emptyLabel;
  return `    data/${name}.jsonl: ${s.texts.length} rows ${origin}${dropped ? ` (dropped: ${s.dropped.emptyText} with an empty text, ${s.dropped.emptyLabel} with an empty label)` : ''}`;
}

/** train.py's docstring: what it reproduces, on which transformers, and where it differs from Finetune. */
export function scriptDocstring(a: RunArgs, data: ClassificationData): string {
  const carved = data.validation?.source === 'train-split';
  const notes = [splitNote('train', data.train, a, carved), splitNote('validation', data.validation, a, false), splitNote('test', data.test, a, false)]
    .filter((n) => n !== null)
    .map((n) => n.replaceAll('"""', '" " "'));
  return `r"""Reproduces a Finetune run with transformers' Trainer (written by \`finetune export-script\`).

Runs on transformers 5.x, and on the 4.5x line from 4.50 (requirements.txt: transformers${TRANSFORMERS_RANGE}).
TRAINING_ARGUMENTS uses transformers 5's names; training_arguments_for() translates them for the
installed version (group_by_length before 5.2, warmup_ratio before 5.0). No datasets package needed.

    pip install -r requirements.txt
    python train.py                                                      # one GPU or the CPU
    accelerate launch --config_file accelerate_config.yaml train.py     # every GPU of this machine
    torchrun --nproc_per_node N train.py

Data: the rows Finetune itself would use, written next to this script as JSON lines ({"text",
"text_pair"?, "label"?}): text columns already joined, rows with an empty text or label dropped,
the validation split Finetune made (stratified and seeded, so the very rows Finetune validates on),
max_*_samples applied. To train on other data, re-run finetune export-script.
${notes.join('\n')}

Model: ${`${a.model_name_or_path}${a.tokenizer_name ? `, tokenizer ${a.tokenizer_name}` : ''}`.replaceAll('"""', '" " "')}. A local folder is named by its
absolute path: edit RUN["model_name_or_path"] after copying this folder to another machine.

Output: ./output (checkpoints, the final model and tokenizer, *_results.json, predict_results.csv).
As in Finetune, a run resumes from the latest checkpoint-N there unless RUN["overwrite_output_dir"].
Finetune's ONNX export is not part of the Trainer: \`finetune export --model_name_or_path output
--output_dir DIR\` writes onnx/model.onnx and onnx/model_quantized.onnx from the trained folder.

Same as Finetune: hyperparameters, schedule, labels and their order, the loss (class-weighted
with --class_weights: "auto" = n / (C * count_c) over the training rows), metrics and their names,
best-model tracking, early stopping, truncation at max_seq_length. Not bit-identical: random draws
(head initialisation, dropout, shuffling) come from torch rather than Finetune's generator, and the
tokenizer is transformers' own. Finetune's execution_provider does not apply: the Trainer uses the
GPUs it finds (CUDA_VISIBLE_DEVICES chooses). Nor do --calibration and --target_precision: Finetune
fits calibration.json (temperature, thresholds) after training; the Trainer's logits are the same.
"""`;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** A name that can only be a path (not an org/name Hub id). */
function looksLikePath(p: string): boolean {
  return p.startsWith('.') || p.startsWith('/') || p.startsWith('~') || p.split('/').length > 2;
}

async function modelSource(a: RunArgs): Promise<string> {
  const model = a.model_name_or_path!;
  if (await isLocalFolder(model)) return resolve(model);
  if (looksLikePath(model))
    throw new ArgError(
      '--model_name_or_path',
      `--model_name_or_path ${model}: no such folder; give a local model folder or a Hub id such as google-bert/bert-base-uncased`,
    );
  return model;
}

/** A checkpoint Finetune wrote keeps its optimizer in optimizer.safetensors, which the Trainer cannot resume from. */
async function resumeSource(a: RunArgs): Promise<string | null> {
  const r = a.resume_from_checkpoint;
  if (r === null || r === 'true' || !(await isLocalFolder(r))) return r;
  if ((await isFile(join(r, 'optimizer.safetensors'))) && !(await isFile(join(r, 'optimizer.pt')))) {
    throw new ArgError(
      '--resume_from_checkpoint',
      `--resume_from_checkpoint ${r}: a Finetune checkpoint (optimizer.safetensors), which transformers' Trainer cannot resume (it reads optimizer.pt, scheduler.pt, rng_state.pth); ` +
        'drop the flag to train from scratch, or give --model_name_or_path of a saved model to start from its weights',
    );
  }
  return resolve(r);
}

/** The files of the export, by path relative to the export folder (data/ and tokenizer/ included). */
export async function exportScript(args: RunArgs): Promise<Record<string, string>> {
  const a: RunArgs = { ...args, do_train: true };
  checkExportable(a);
  const model = await modelSource(a);
  const resumeFrom = await resumeSource(a);
  if (a.tokenizer_name && !(await isLocalFolder(a.tokenizer_name)) && looksLikePath(a.tokenizer_name))
    throw new ArgError('--tokenizer_name', `--tokenizer_name ${a.tokenizer_name}: no such folder; give a tokenizer folder or a Hub id`);
  const tokenizer = await tokenizerSource(a.tokenizer_name ?? a.model_name_or_path!, (p) => resolve(p));
  let data = await loadExportData(a);
  // The same labels a Finetune run would train: a local classifier keeps its head and label ids.
  const config = (await isLocalFolder(a.model_name_or_path!)) ? await readModelConfig(a.model_name_or_path!).catch(() => undefined) : undefined;
  if (config) data = (await chooseHead(config, data, a, () => undefined)).data;
  classWeightsFor(a.class_weights, data); // refuses a bad --class_weights as `finetune train` does
  const rows = dataFiles(data);
  const src = { model, tokenizer: tokenizer.name, dataFiles: Object.fromEntries(Object.keys(rows).map((f) => [f.slice(5, -6), `./${f}`])) };
  const run = runTable({ ...a, resume_from_checkpoint: resumeFrom }, data, src);
  const trainPy = [
    '#!/usr/bin/env python3',
    scriptDocstring(a, data),
    'import csv\nimport dataclasses\nimport json\nimport math\nimport os\nimport random\nimport re\nimport sys\n\nimport numpy as np\n',
    'HERE = os.path.dirname(os.path.abspath(__file__))\n',
    `# What train.py does itself; edit to change the run.\nRUN = ${py(run)}\n`,
    `# transformers.TrainingArguments keywords, by transformers 5's names.\nTRAINING_ARGUMENTS = ${py(trainingArgumentsFor(a))}\n`,
  ].join('\n');
  return {
    'train.py': `${trainPy}${TRAIN_PY_BODY}`,
    'requirements.txt': REQUIREMENTS,
    'accelerate_config.yaml': accelerateConfig(a.fp16),
    ...rows,
    ...tokenizer.files,
  };
}
