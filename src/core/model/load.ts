/**
 * Loading a Hugging Face model folder as a sequence classifier, as
 * `AutoModelForSequenceClassification.from_pretrained(dir, num_labels=..., id2label=...)` does:
 * keys of base, *ForSequenceClassification, *ForMaskedLM and *ForPreTraining checkpoints are
 * mapped to the classifier's (the body prefix added where a base model saved none, legacy
 * LayerNorm gamma/beta renamed), unused heads dropped, and a missing or mis-sized classification
 * head initialised fresh, with the log lines transformers prints.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '../engine/tensor.js';
import { architecture } from './architectures/index.js';
import { loadCheckpoint } from './checkpoint/index.js';
import type { ModelConfig, ProblemType } from './config.js';
import { ConfigError, parseHfConfig } from './hf-config.js';
import { Random, initParam } from './init.js';
import type { Weights } from './params.js';
import type { Model } from './presets.js';

export interface LoadOptions {
  /** Fine-tuning labels in id order; a different label set re-initialises the head. */
  labels?: readonly string[];
  numLabels?: number;
  problemType?: ProblemType;
  /** Config overrides (dropouts). */
  overrides?: Partial<Pick<ModelConfig, 'hidden_dropout_prob' | 'attention_probs_dropout_prob' | 'classifier_dropout'>>;
  /** Initialise the classification head afresh even where the checkpoint has one of the right shape (a new label set). */
  freshHead?: boolean;
  /** Seed for freshly initialised weights. */
  seed?: number;
  log?: (message: string) => void;
}

export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    try {
      await stat(dir);
    } catch {
      throw new ConfigError(dir, 'model folder does not exist; give a local folder with config.json or a Hub id such as google-bert/bert-base-uncased');
    }
    throw new ConfigError(
      file,
      code === 'ENOENT' ? 'not found: a Hugging Face model folder needs a config.json' : `cannot be read (${code ?? (e as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, `is not valid JSON (${(e as Error).message})`);
  }
  return parseHfConfig(json, file);
}

/** The checkpoint keys that may hold parameter `name`, in order of preference. */
export function candidateKeys(name: string, prefix: string): string[] {
  const keys = [name];
  if (name.startsWith(`${prefix}.`)) keys.push(name.slice(prefix.length + 1));
  for (const k of [...keys]) {
    if (k.endsWith('LayerNorm.weight')) keys.push(k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma'));
    if (k.endsWith('LayerNorm.bias')) keys.push(k.replace(/LayerNorm\.bias$/, 'LayerNorm.beta'));
  }
  return keys;
}

/** Buffers that checkpoints carry but that are not parameters. */
const IGNORED_KEYS = /(^|\.)embeddings\.(position_ids|token_type_ids)$/;

export function applyLabels(config: ModelConfig, opts: LoadOptions): ModelConfig {
  const c = { ...config };
  if (opts.labels) {
    c.num_labels = opts.labels.length;
    c.id2label = Object.fromEntries(opts.labels.map((l, i) => [String(i), l]));
    c.label2id = Object.fromEntries(opts.labels.map((l, i) => [l, i]));
  } else if (opts.numLabels !== undefined && opts.numLabels !== c.num_labels) {
    c.num_labels = opts.numLabels;
    c.id2label = Object.fromEntries(Array.from({ length: opts.numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
    c.label2id = Object.fromEntries(Array.from({ length: opts.numLabels }, (_, i) => [`LABEL_${i}`, i]));
  }
  if (opts.problemType) c.problem_type = opts.problemType;
  Object.assign(c, opts.overrides ?? {});
  return c;
}

/** Maps checkpoint tensors onto the architecture's parameters. */
export function mapWeights(config: ModelConfig, tensors: Map<string, HostTensor>, source: string, opts: LoadOptions = {}): Weights {
  const arch = architecture(config);
  const log = opts.log ?? (() => undefined);
  const rand = new Random(opts.seed ?? 42);
  const used = new Set<string>();
  const weights: Weights = new Map();
  const fresh: string[] = [];
  const resized: string[] = [];
  for (const spec of arch.paramSpecs(config)) {
    const key = candidateKeys(spec.name, arch.prefix).find((k) => tensors.has(k));
    const t = key === undefined ? undefined : tensors.get(key);
    const isHead = arch.headPrefixes.some((p) => spec.name.startsWith(p));
    // A new label set re-initialises the head's output layer (its rows are the labels), as
    // transformers' ignore_mismatched_sizes does; the pooler / dense layers before it stay.
    if (t && key && isHead && opts.freshHead && spec.shape[0] === config.num_labels) {
      used.add(key);
      resized.push(`${spec.name}: a new head for new labels`);
      weights.set(spec.name, initParam(spec, config, rand));
    } else if (t && key) {
      used.add(key);
      if (t.dims.join(',') !== spec.shape.join(',')) {
        if (!isHead) {
          throw new ConfigError(
            source,
            `weight ${key} has shape [${t.dims.join(', ')}] but config.json implies [${spec.shape.join(', ')}]; the checkpoint and its config.json do not match`,
          );
        }
        resized.push(`${spec.name}: found shape [${t.dims.join(', ')}] in the checkpoint and [${spec.shape.join(', ')}] in the model instantiated`);
        weights.set(spec.name, initParam(spec, config, rand));
        continue;
      }
      if (t.dtype !== 'float32') throw new ConfigError(source, `weight ${key} is ${t.dtype}; expected floating-point weights`);
      weights.set(spec.name, { dtype: 'float32', dims: [...spec.shape], data: t.data });
    } else {
      fresh.push(spec.name);
      weights.set(spec.name, initParam(spec, config, rand));
    }
  }
  const unused = [...tensors.keys()].filter((k) => !used.has(k) && !IGNORED_KEYS.test(k) && !arch.ignoredKeys?.test(k));
  if (unused.length) {
    const shown = unused.slice(0, 8).join(', ') + (unused.length > 8 ? `, ... (${unused.length} in all)` : '');
    log(`Some weights of the model checkpoint at ${source} were not used when initializing ${arch.className}: [${shown}]`);
  }
  if (fresh.length || resized.length) {
    const lines = [...fresh, ...resized];
    log(
      `Some weights of ${arch.className} were not initialized from the model checkpoint at ${source} and are newly initialized: [${lines.join(', ')}]. ` +
        'You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.',
    );
  }
  const body = fresh.filter((n) => !arch.headPrefixes.some((p) => n.startsWith(p)));
  if (body.length > 0 && body.length === arch.paramSpecs(config).filter((s) => !arch.headPrefixes.some((p) => s.name.startsWith(p))).length) {
    throw new ConfigError(
      source,
      `none of the checkpoint's weights match a ${config.model_type} model (expected keys such as ${body[0]}); is config.json's model_type right?`,
    );
  }
  return weights;
}

/** Loads config.json and the weights of a local Hugging Face model folder. */
export async function loadPretrained(dir: string, opts: LoadOptions = {}): Promise<Model> {
  const base = await readModelConfig(dir);
  const config = applyLabels(base, opts);
  const tensors = await loadCheckpoint(dir);
  return { config, weights: mapWeights(config, tensors, dir, opts) };
}
