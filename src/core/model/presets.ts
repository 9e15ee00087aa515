/**
 * Random-init models for the demo, the tests and the benchmarks (no network needed): the sizes of
 * Google's BERT miniatures (Turc et al. 2019) and BERT-base, with any vocabulary; a tiny ModernBERT
 * (ModernBertConfig's defaults but the sizes, a 32-token window, global every 2nd layer); and DeBERTa-v3
 * (model_type deberta-v2, microsoft/deberta-v3-*'s attention settings) tiny and at deberta-v3-xsmall's size.
 */
import { BERT_DEFAULTS, type ModelConfig, type ProblemType, defaultLabels, validateConfig } from './config.js';
import { DEBERTA_V3_FIELDS } from './deberta-config.js';
import { initWeights } from './init.js';
import { modernBertPresetBase } from './modernbert-config.js';
import type { Weights } from './params.js';

const DEBERTA_V3 = { model_type: 'deberta-v2', layer_norm_eps: 1e-7, type_vocab_size: 0, deberta: DEBERTA_V3_FIELDS } as const;

export const PRESETS = {
  'bert-tiny': { num_hidden_layers: 2, hidden_size: 128, num_attention_heads: 2, intermediate_size: 512 },
  'bert-mini': { num_hidden_layers: 4, hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024 },
  'bert-small': { num_hidden_layers: 4, hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048 },
  'bert-base': { num_hidden_layers: 12, hidden_size: 768, num_attention_heads: 12, intermediate_size: 3072 },
  'modernbert-tiny': { model_type: 'modernbert', num_hidden_layers: 4, hidden_size: 128, num_attention_heads: 4, intermediate_size: 192 },
  'deberta-v3-tiny': { ...DEBERTA_V3, num_hidden_layers: 2, hidden_size: 128, num_attention_heads: 2, intermediate_size: 512 },
  'deberta-v3-xsmall': { ...DEBERTA_V3, num_hidden_layers: 12, hidden_size: 384, num_attention_heads: 6, intermediate_size: 1536 },
} as const;

export type PresetName = keyof typeof PRESETS;

export interface Model {
  config: ModelConfig;
  weights: Weights;
}

export interface CreateModelOptions {
  preset: PresetName;
  vocabSize: number;
  /** Labels in id order; default LABEL_0.. for numLabels. */
  labels?: readonly string[];
  numLabels?: number;
  problemType?: ProblemType;
  seed?: number;
  padTokenId?: number;
  maxPositionEmbeddings?: number;
  /** Config overrides (dropouts, ...). */
  overrides?: Partial<ModelConfig>;
}

export function presetConfig(opts: CreateModelOptions): ModelConfig {
  const preset = PRESETS[opts.preset];
  if (!preset) throw new Error(`unknown preset "${opts.preset}" (choose one of ${Object.keys(PRESETS).join(', ')})`);
  const numLabels = opts.labels?.length ?? opts.numLabels ?? 2;
  const labels = opts.labels
    ? {
        id2label: Object.fromEntries(opts.labels.map((l, i) => [String(i), l])),
        label2id: Object.fromEntries(opts.labels.map((l, i) => [l, i])),
      }
    : defaultLabels(numLabels);
  const base = 'model_type' in preset ? modernBertPresetBase(preset.num_hidden_layers, { local_attention: 32, global_attn_every_n_layers: 2 }) : BERT_DEFAULTS;
  const config: ModelConfig = {
    ...base,
    ...preset,
    vocab_size: opts.vocabSize,
    num_labels: numLabels,
    ...labels,
    problem_type: opts.problemType ?? null,
    pad_token_id: opts.padTokenId ?? 0,
    max_position_embeddings: opts.maxPositionEmbeddings ?? base.max_position_embeddings,
    ...opts.overrides,
  };
  validateConfig(config, `preset ${opts.preset}`);
  return config;
}

export function createModel(opts: CreateModelOptions): Model {
  const config = presetConfig(opts);
  return { config, weights: initWeights(config, opts.seed ?? 42) };
}
