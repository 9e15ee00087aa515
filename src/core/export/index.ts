/**
 * Export: a model folder that Python `transformers` (`AutoModelForSequenceClassification`) and
 * Transformers.js (`pipeline('text-classification', dir)`) both load unchanged — config.json,
 * model.safetensors, tokenizer files, README.md model card, and onnx/model.onnx plus
 * onnx/model_quantized.onnx (dynamic int8) — written atomically.
 */
import { readdir } from 'node:fs/promises';
import { ArgError } from '../errors.js';
import type { ModelConfig } from '../model/config.js';
import { loadModelAndTokenizer } from '../model/pretrained.js';
import { CALIBRATION_FILE, calibrationJson, readCalibration } from '../predict/calibration.js';
import type { Weights } from '../model/params.js';
import { modelFolderFiles, writeFolderAtomic } from '../model/save.js';
import type { TokenizerFiles } from '../tokenizer/index.js';
import { buildGraph } from '../step/graphs.js';
import { type ModelCardInfo, modelCard } from './card.js';

export { modelCard, type ModelCardInfo } from './card.js';

export interface OnnxExportOptions {
  quantize?: boolean;
}

/** A self-contained inference model: inputs input_ids, attention_mask (+ token_type_ids), output logits. */
export function exportOnnx(config: ModelConfig, weights: Weights, opts: OnnxExportOptions = {}): Uint8Array {
  return buildGraph({ kind: 'infer', config, weights, quantize: opts.quantize ?? false, axes: ['batch_size', 'sequence_length'] }).model;
}

export interface ExportOptions {
  config: ModelConfig;
  weights: Weights;
  tokenizerFiles?: TokenizerFiles;
  card?: ModelCardInfo;
  /** Write onnx/model.onnx (default true). */
  onnx?: boolean;
  /** Write onnx/model_quantized.onnx (default true). */
  quantized?: boolean;
  /** More files to include (e.g. training_args.json). */
  extraFiles?: Record<string, string | Uint8Array>;
}

/** Every file of an exported model folder, by relative path. */
export function exportFiles(opts: ExportOptions): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = { ...opts.tokenizerFiles, ...opts.extraFiles };
  files['README.md'] = modelCard(opts.config, opts.card ?? {});
  if (opts.onnx ?? true) files['onnx/model.onnx'] = exportOnnx(opts.config, opts.weights);
  if (opts.quantized ?? true) files['onnx/model_quantized.onnx'] = exportOnnx(opts.config, opts.weights, { quantize: true });
  return modelFolderFiles({ config: opts.config, weights: opts.weights, files });
}

/** Writes the model folder `dir` atomically (a folder of its own: it is replaced whole). */
export async function exportModel(dir: string, opts: ExportOptions): Promise<string[]> {
  const files = exportFiles(opts);
  await writeFolderAtomic(dir, files);
  return Object.keys(files).sort();
}

/** What a model folder holds (save_pretrained / export); anything else in a folder is someone else's. */
export const MODEL_FOLDER_ENTRIES: ReadonlySet<string> = new Set([
  'config.json',
  'model.safetensors',
  'README.md',
  'onnx',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'sentencepiece.bpe.model',
  'spiece.model',
  'spm.model',
  'calibration.json',
]);

/**
 * A folder export or create-model may replace whole: missing, empty, or holding only a model. One
 * holding anything else (a training run's checkpoints and results, a git clone, a user's files) is
 * refused, naming what would be lost: Finetune never deletes files it did not write.
 */
export async function checkReplaceable(dir: string, command: string, flag = '--output_dir'): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const foreign = entries.filter((e) => !MODEL_FOLDER_ENTRIES.has(e)).sort();
  if (foreign.length) {
    throw new ArgError(
      flag,
      `${flag} ${dir} holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? `, ... (${foreign.length} entries)` : ''}, which ${command} would delete: it replaces the folder whole. Choose a new or empty folder (or one holding only a model)`,
    );
  }
}

/**
 * `finetune export` and the extension's Export Model: a model folder (a run's output, a checkpoint)
 * written as a Hugging Face folder with onnx/ into `outDir`, which is replaced whole only when it is
 * new, empty or holds only a model (checkReplaceable). Its calibration.json goes along (checked
 * against the model's labels).
 */
export async function exportModelFolder(modelDir: string, outDir: string, opts: { onnx?: boolean; baseModel?: string } = {}): Promise<string[]> {
  await checkReplaceable(outDir, 'export');
  const { model, tokenizer } = await loadModelAndTokenizer(modelDir);
  const labels = Array.from({ length: model.config.num_labels }, (_, i) => model.config.id2label[String(i)] ?? `LABEL_${i}`);
  const calibration = await readCalibration(modelDir, labels);
  const onnx = opts.onnx ?? true;
  return exportModel(outDir, {
    ...model,
    tokenizerFiles: tokenizer.saveFiles(),
    onnx,
    quantized: onnx,
    card: { baseModel: opts.baseModel ?? modelDir, ...(calibration ? { calibration } : {}) },
    ...(calibration ? { extraFiles: { [CALIBRATION_FILE]: calibrationJson(calibration) } } : {}),
  });
}
