/**
 * Model configuration: the Hugging Face `config.json` fields Finetune uses, with transformers'
 * defaults, and the classification problem type resolved as `*ForSequenceClassification` does.
 */
import type { DebertaFields } from './deberta-config.js';

import type { ModernBertSettings } from './modernbert-settings.js';

export type ProblemType = 'single_label_classification' | 'multi_label_classification' | 'regression';

export type ModelType = 'bert' | 'roberta' | 'xlm-roberta' | 'distilbert' | 'electra' | 'modernbert' | 'deberta-v2';

export const MODEL_TYPES: readonly ModelType[] = ['bert', 'roberta', 'xlm-roberta', 'distilbert', 'electra', 'modernbert', 'deberta-v2'];

export interface ModelConfig {
  model_type: ModelType;
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: 'gelu' | 'relu';
  /** ELECTRA, DeBERTa: the embeddings' width when it differs from hidden_size (projected up). */
  embedding_size?: number;
  /** deberta-v2 only: its relative-attention, pooler and ConvLayer fields (see deberta-config.ts). */
  deberta?: DebertaFields;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  /** null: use hidden_dropout_prob (transformers' rule). */
  classifier_dropout: number | null;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  pad_token_id: number;
  num_labels: number;
  id2label: Record<string, string>;
  label2id: Record<string, number>;
  problem_type: ProblemType | null;
  /** ModernBERT's own settings (model_type modernbert; see modernbert-config.ts). */
  modernbert?: ModernBertSettings;
  /** The config.json this came from, kept so saving preserves fields Finetune does not use. */
  raw?: Record<string, unknown>;
}

export const BERT_DEFAULTS: Omit<ModelConfig, 'vocab_size' | 'num_labels' | 'id2label' | 'label2id'> = {
  model_type: 'bert',
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  classifier_dropout: null,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  problem_type: null,
};

export function defaultLabels(numLabels: number): { id2label: Record<string, string>; label2id: Record<string, number> } {
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  for (let i = 0; i < numLabels; i++) {
    id2label[String(i)] = `LABEL_${i}`;
    label2id[`LABEL_${i}`] = i;
  }
  return { id2label, label2id };
}

/**
 * The problem type as transformers decides it in `*ForSequenceClassification.forward`: the config's
 * when set, else regression for one label, else single-label (integer labels).
 */
export function resolveProblemType(config: Pick<ModelConfig, 'problem_type' | 'num_labels'>): ProblemType {
  if (config.problem_type) return config.problem_type;
  return config.num_labels === 1 ? 'regression' : 'single_label_classification';
}

export function classifierDropout(config: ModelConfig): number {
  return config.classifier_dropout ?? config.hidden_dropout_prob;
}

export function validateConfig(config: ModelConfig, where = 'config'): void {
  const bad = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  for (const k of [
    'vocab_size',
    'hidden_size',
    'num_hidden_layers',
    'num_attention_heads',
    'intermediate_size',
    'max_position_embeddings',
    'num_labels',
  ] as const) {
    if (!Number.isInteger(config[k]) || config[k] <= 0) bad(`${k} must be a positive integer (got ${String(config[k])})`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    bad(`hidden_size (${config.hidden_size}) must be a multiple of num_attention_heads (${config.num_attention_heads})`);
  }
  for (const k of ['hidden_dropout_prob', 'attention_probs_dropout_prob'] as const) {
    if (!(config[k] >= 0 && config[k] < 1)) bad(`${k} must be in [0, 1) (got ${config[k]})`);
  }
  if (config.classifier_dropout !== null && !(config.classifier_dropout >= 0 && config.classifier_dropout < 1)) {
    bad(`classifier_dropout must be in [0, 1) or null (got ${config.classifier_dropout})`);
  }
  if (resolveProblemType(config) === 'regression' && config.num_labels !== 1) bad('regression needs num_labels = 1');
}
