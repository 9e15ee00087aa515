/**
 * Hugging Face `config.json` in and out for bert, roberta, xlm-roberta, distilbert, electra, modernbert and deberta-v2,
 * with each config class's defaults, whatever `architectures` says (a MaskedLM, PreTraining or base
 * checkpoint becomes a sequence classifier). Unknown fields are kept and written back.
 */
import { UserError } from '../errors.js';
import { ARCHITECTURES } from './architectures/index.js';
import { MODERNBERT_FIELDS, MODERNBERT_TYPE_DEFAULTS, modernBertHfFields, modernBertSource, parseModernBertSettings } from './modernbert-config.js';
import { BERT_DEFAULTS, MODEL_TYPES, type ModelConfig, type ModelType, type ProblemType, defaultLabels, validateConfig } from './config.js';
import { DEBERTA_V2_DEFAULTS, debertaSharedFields, parseDebertaFields, writeDebertaFields } from './deberta-config.js';

export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

const PROBLEM_TYPES: readonly ProblemType[] = ['single_label_classification', 'multi_label_classification', 'regression'];

/** Defaults of each transformers config class, where they differ from BertConfig's. */
const TYPE_DEFAULTS: Record<ModelType, Partial<ModelConfig>> = {
  bert: { vocab_size: 30522 },
  roberta: { vocab_size: 50265, pad_token_id: 1 },
  'xlm-roberta': { vocab_size: 30522, pad_token_id: 1 },
  electra: { vocab_size: 30522, embedding_size: 128, hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024 },
  distilbert: {
    vocab_size: 30522,
    hidden_size: 768,
    num_hidden_layers: 6,
    num_attention_heads: 12,
    intermediate_size: 3072,
    classifier_dropout: 0.2,
    type_vocab_size: 0,
  },
  modernbert: MODERNBERT_TYPE_DEFAULTS,
  'deberta-v2': DEBERTA_V2_DEFAULTS,
};

/** DistilBertConfig's own field names for the shared fields. */
const DISTIL_FIELDS: [keyof ModelConfig, string][] = [
  ['hidden_size', 'dim'],
  ['num_hidden_layers', 'n_layers'],
  ['num_attention_heads', 'n_heads'],
  ['intermediate_size', 'hidden_dim'],
  ['hidden_dropout_prob', 'dropout'],
  ['attention_probs_dropout_prob', 'attention_dropout'],
  ['classifier_dropout', 'seq_classif_dropout'],
  ['hidden_act', 'activation'],
];

function num(json: Json, key: string, file: string, fallback: number | undefined): number {
  const v = json[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new ConfigError(file, `"${key}" is missing`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(file, `"${key}" must be a number (got ${JSON.stringify(v)})`);
  return v;
}

/** Python's str() of a JSON scalar: how transformers names a label given as 0, 1.5, true or null. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  return String(v);
}

/** The label fields: id2label wins (transformers derives num_labels from it), else num_labels; problem_type. */
function readLabels(config: ModelConfig, j: Json, file: string): void {
  if (j.id2label !== undefined) {
    if (typeof j.id2label !== 'object' || j.id2label === null) throw new ConfigError(file, '"id2label" must be an object');
    const entries = Object.entries(j.id2label as Json).sort((a, b) => Number(a[0]) - Number(b[0]));
    entries.forEach(([k, v], i) => {
      if (Number(k) !== i) throw new ConfigError(file, `"id2label" ids must be 0..${entries.length - 1} (found "${k}")`);
      if (v !== null && typeof v === 'object') throw new ConfigError(file, `"id2label"["${k}"] must be a label name (got ${JSON.stringify(v)})`);
    });
    // transformers accepts any JSON scalar as a name (run_classification.py writes integer labels as ints): the name is its string form.
    const names = entries.map(([, v]) => pyStr(v));
    if (new Set(names).size !== names.length) throw new ConfigError(file, `"id2label" names the same label twice (${names.join(', ')})`);
    config.id2label = Object.fromEntries(entries.map(([k], i) => [k, names[i]!]));
    config.label2id = Object.fromEntries(entries.map(([k], i) => [names[i]!, Number(k)]));
    config.num_labels = entries.length;
  } else if (j.num_labels !== undefined) {
    config.num_labels = num(j, 'num_labels', file, 2);
    Object.assign(config, defaultLabels(config.num_labels));
  }
  if (j.problem_type !== undefined && j.problem_type !== null) {
    if (!PROBLEM_TYPES.includes(j.problem_type as ProblemType)) {
      throw new ConfigError(file, `problem_type "${String(j.problem_type)}" is not one of ${PROBLEM_TYPES.join(', ')}`);
    }
    config.problem_type = j.problem_type as ProblemType;
  }
}

/** Parses a config.json object into a ModelConfig; `file` names it in errors. */
export function parseHfConfig(json: unknown, file = 'config.json'): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(file, 'is not a JSON object');
  const j = json as Json;
  const type = j.model_type;
  if (typeof type !== 'string') throw new ConfigError(file, `"model_type" is missing; Finetune supports ${MODEL_TYPES.join(', ')}`);
  if (!(MODEL_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(
      file,
      `model_type "${type}" is not supported (supported: ${MODEL_TYPES.join(', ')}); choose a BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA, ModernBERT or DeBERTa-v2/v3 checkpoint`,
    );
  }
  const modelType = type as ModelType;
  const d: ModelConfig = { ...BERT_DEFAULTS, vocab_size: 30522, num_labels: 2, ...defaultLabels(2), ...TYPE_DEFAULTS[modelType], model_type: modelType };
  const source: Json = { ...j };
  if (modelType === 'distilbert') {
    for (const [ours, theirs] of DISTIL_FIELDS) if (theirs in j) source[ours] = j[theirs];
    if (j.sinusoidal_pos_embds === true) throw new ConfigError(file, 'sinusoidal position embeddings (sinusoidal_pos_embds: true) are not supported');
  }
  if (modelType === 'modernbert') Object.assign(source, modernBertSource(j));
  if (modelType === 'deberta-v2') Object.assign(source, debertaSharedFields(j));
  const pet = j.position_embedding_type;
  if (pet !== undefined && pet !== 'absolute') throw new ConfigError(file, `position_embedding_type "${String(pet)}" is not supported (only "absolute")`);
  const act = source.hidden_act ?? d.hidden_act;
  if (act !== 'gelu' && act !== 'relu') {
    throw new ConfigError(file, `hidden_act "${String(act)}" is not supported (Finetune implements exact "gelu" and "relu")`);
  }

  const config: ModelConfig = {
    ...d,
    vocab_size: num(source, 'vocab_size', file, d.vocab_size),
    hidden_size: num(source, 'hidden_size', file, d.hidden_size),
    num_hidden_layers: num(source, 'num_hidden_layers', file, d.num_hidden_layers),
    num_attention_heads: num(source, 'num_attention_heads', file, d.num_attention_heads),
    intermediate_size: num(source, 'intermediate_size', file, d.intermediate_size),
    hidden_act: act,
    hidden_dropout_prob: num(source, 'hidden_dropout_prob', file, d.hidden_dropout_prob),
    attention_probs_dropout_prob: num(source, 'attention_probs_dropout_prob', file, d.attention_probs_dropout_prob),
    classifier_dropout:
      source.classifier_dropout === null || (source.classifier_dropout === undefined && d.classifier_dropout === null)
        ? null
        : num(source, 'classifier_dropout', file, d.classifier_dropout ?? undefined),
    max_position_embeddings: num(source, 'max_position_embeddings', file, d.max_position_embeddings),
    type_vocab_size: modelType === 'distilbert' ? 0 : num(source, 'type_vocab_size', file, d.type_vocab_size),
    initializer_range: num(source, 'initializer_range', file, d.initializer_range),
    layer_norm_eps: modelType === 'distilbert' ? 1e-12 : num(source, 'layer_norm_eps', file, d.layer_norm_eps),
    pad_token_id: num(source, 'pad_token_id', file, d.pad_token_id),
    problem_type: null,
    raw: j,
  };
  if (modelType === 'electra') config.embedding_size = num(source, 'embedding_size', file, d.embedding_size);
  if (modelType === 'modernbert') {
    config.modernbert = parseModernBertSettings(j, config, (m) => {
      throw new ConfigError(file, m);
    });
  }
  if (modelType === 'deberta-v2') {
    if (j.embedding_size !== undefined && j.embedding_size !== null) config.embedding_size = num(source, 'embedding_size', file, undefined);
    config.deberta = parseDebertaFields(j, config, (message) => {
      throw new ConfigError(file, message);
    });
  }

  readLabels(config, j, file);
  try {
    validateConfig(config, file);
  } catch (e) {
    throw new ConfigError(file, (e as Error).message.replace(`${file}: `, ''));
  }
  return config;
}

/**
 * The config.json's own id2label / label2id when they name the same labels as `config` (so the integer
 * names run_classification.py writes, {"0": 0}, stay integers); undefined when the labels changed.
 */
function rawLabelsIfSame(config: ModelConfig): { id2label: unknown; label2id: unknown } | undefined {
  const r = config.raw;
  if (!r || typeof r.id2label !== 'object' || r.id2label === null || typeof r.label2id !== 'object' || r.label2id === null) return undefined;
  const rawIds = Object.entries(r.id2label as Json);
  if (rawIds.length !== config.num_labels) return undefined;
  if (!rawIds.every(([k, v]) => config.id2label[k] === pyStr(v))) return undefined;
  const rawNames = Object.entries(r.label2id as Json);
  if (rawNames.length !== config.num_labels || !rawNames.every(([k, v]) => config.label2id[k] === v)) return undefined;
  return { id2label: r.id2label, label2id: r.label2id };
}

/** The config.json to save: the original fields, updated with the classifier's. */
export function toHfConfig(config: ModelConfig): Json {
  const arch = ARCHITECTURES[config.model_type];
  const out: Json = { ...(config.raw ?? {}) };
  const set = (k: string, v: unknown): void => {
    out[k] = v;
  };
  set('architectures', [arch.className]);
  set('model_type', config.model_type);
  if (config.model_type === 'distilbert') {
    for (const [ours, theirs] of DISTIL_FIELDS) set(theirs, config[ours]);
    for (const [ours] of DISTIL_FIELDS) if (!(ours in (config.raw ?? {}))) delete out[ours];
  } else if (config.model_type === 'modernbert') {
    set('hidden_size', config.hidden_size);
    set('num_hidden_layers', config.num_hidden_layers);
    set('num_attention_heads', config.num_attention_heads);
    set('intermediate_size', config.intermediate_size);
    Object.assign(out, modernBertHfFields(config));
    for (const [ours] of MODERNBERT_FIELDS) if (!(ours in (config.raw ?? {}))) delete out[ours];
  } else {
    for (const k of [
      'hidden_size',
      'num_hidden_layers',
      'num_attention_heads',
      'intermediate_size',
      'hidden_act',
      'hidden_dropout_prob',
      'attention_probs_dropout_prob',
      'classifier_dropout',
      'type_vocab_size',
      'layer_norm_eps',
    ] as const) {
      set(k, config[k]);
    }
    if (config.embedding_size !== undefined) set('embedding_size', config.embedding_size);
    set('position_embedding_type', 'absolute');
  }
  if (config.model_type === 'deberta-v2') writeDebertaFields(out, config);
  set('vocab_size', config.vocab_size);
  set('max_position_embeddings', config.max_position_embeddings);
  set('initializer_range', config.initializer_range);
  set('pad_token_id', config.pad_token_id);
  set('num_labels', config.num_labels);
  const raw = rawLabelsIfSame(config);
  set('id2label', raw?.id2label ?? config.id2label);
  set('label2id', raw?.label2id ?? config.label2id);
  set('problem_type', config.problem_type ?? (config.num_labels === 1 ? 'regression' : 'single_label_classification'));
  // transformers 5 writes `dtype` (4.56+ read it; older versions ignore it and load float32 anyway).
  delete out.torch_dtype;
  set('dtype', 'float32');
  if (!('transformers_version' in out)) set('transformers_version', '5.0.0');
  // Stable key order, as save_pretrained writes (sorted).
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
