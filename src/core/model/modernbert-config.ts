/**
 * ModernBERT's config.json (transformers' `ModernBertConfig`): its own settings, its defaults, and its
 * names for the fields the other architectures share (norm_eps, mlp_dropout, attention_dropout,
 * hidden_activation). Reads both the transformers 4.48-4.x form (`global_rope_theta`,
 * `local_rope_theta`) and the 5.x form (`layer_types`, `rope_parameters`).
 */
import { BERT_DEFAULTS, type ModelConfig } from './config.js';

import { MODERNBERT_ACTIVATIONS, type ModernBertActivation, type ModernBertLayerType, type ModernBertSettings } from './modernbert-settings.js';

export { MODERNBERT_ACTIVATIONS, type ModernBertActivation, type ModernBertLayerType, type ModernBertSettings };

type Json = Record<string, unknown>;

/** ModernBertConfig's defaults for the shared fields (where they differ from BertConfig's). */
export const MODERNBERT_TYPE_DEFAULTS: Partial<ModelConfig> = {
  vocab_size: 50368,
  hidden_size: 768,
  num_hidden_layers: 22,
  num_attention_heads: 12,
  intermediate_size: 1152,
  max_position_embeddings: 8192,
  pad_token_id: 50283,
  layer_norm_eps: 1e-5,
  hidden_dropout_prob: 0,
  attention_probs_dropout_prob: 0,
  classifier_dropout: 0,
  type_vocab_size: 0,
};

/** Our shared field names and ModernBertConfig's names for them. */
export const MODERNBERT_FIELDS: [keyof ModelConfig, string][] = [
  ['layer_norm_eps', 'norm_eps'],
  ['hidden_dropout_prob', 'mlp_dropout'],
  ['attention_probs_dropout_prob', 'attention_dropout'],
];

export const MODERNBERT_DEFAULTS: Omit<ModernBertSettings, 'layer_types'> = {
  hidden_activation: 'gelu',
  classifier_activation: 'gelu',
  classifier_pooling: 'cls',
  local_attention: 128,
  global_attn_every_n_layers: 3,
  global_rope_theta: 160000,
  local_rope_theta: 10000,
  attention_bias: false,
  mlp_bias: false,
  norm_bias: false,
  classifier_bias: false,
  embedding_dropout: 0,
  initializer_cutoff_factor: 2,
};

/** Whether layer i uses the sliding window (transformers: `layer_id % global_attn_every_n_layers != 0`). */
export function isLocalLayer(s: ModernBertSettings, i: number): boolean {
  return i % s.global_attn_every_n_layers !== 0;
}

export function defaultLayerTypes(layers: number, n: number): ModernBertLayerType[] {
  return Array.from({ length: layers }, (_, i) => (i % n !== 0 ? 'sliding_attention' : 'full_attention'));
}

/** The shared fields under ModernBertConfig's names, as parseHfConfig reads them. */
export function modernBertSource(j: Json): Json {
  const out: Json = { hidden_act: 'gelu', type_vocab_size: 0 };
  for (const [ours, theirs] of MODERNBERT_FIELDS) out[ours] = j[theirs] ?? MODERNBERT_TYPE_DEFAULTS[ours];
  return out;
}

type Fail = (message: string) => never;

function bool(j: Json, key: string, fallback: boolean, fail: Fail): boolean {
  const v = j[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(`"${key}" must be true or false (got ${JSON.stringify(v)})`);
  return v as boolean;
}

function positive(j: Json, key: string, fallback: number, fail: Fail, integer = false): number {
  const v = j[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v)))
    fail(`"${key}" must be a positive ${integer ? 'integer' : 'number'} (got ${JSON.stringify(v)})`);
  return v as number;
}

function activation(j: Json, key: string, fail: Fail): ModernBertActivation {
  const v = j[key] ?? 'gelu';
  if (!(MODERNBERT_ACTIVATIONS as readonly unknown[]).includes(v)) {
    fail(`${key} "${String(v)}" is not supported (Finetune implements ${MODERNBERT_ACTIVATIONS.map((a) => `"${a}"`).join(', ')})`);
  }
  return v as ModernBertActivation;
}

/** Rope thetas from `rope_parameters` (5.x) or `global_rope_theta` / `local_rope_theta` (4.x). */
function ropeThetas(j: Json, fail: Fail): { global: number; local: number } {
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) fail('"rope_scaling" is not supported (ModernBERT uses default rotary embeddings)');
  const global = positive(j, 'global_rope_theta', MODERNBERT_DEFAULTS.global_rope_theta, fail);
  // transformers 4.x: a null local_rope_theta means the global one.
  const local = j.local_rope_theta === null ? global : positive(j, 'local_rope_theta', MODERNBERT_DEFAULTS.local_rope_theta, fail);
  const rp = j.rope_parameters;
  if (rp === undefined || rp === null) return { global, local };
  if (typeof rp !== 'object' || Array.isArray(rp)) fail('"rope_parameters" must be an object keyed by "full_attention" / "sliding_attention"');
  const theta = (key: ModernBertLayerType, fallback: number): number => {
    const p = (rp as Json)[key];
    if (p === undefined || p === null) return fallback;
    if (typeof p !== 'object' || Array.isArray(p)) fail(`"rope_parameters"."${key}" must be an object`);
    const type = (p as Json).rope_type ?? 'default';
    if (type !== 'default') fail(`"rope_parameters"."${key}".rope_type "${String(type)}" is not supported (only "default")`);
    return positive(p as Json, 'rope_theta', fallback, (m) => fail(`"rope_parameters"."${key}": ${m}`));
  };
  return { global: theta('full_attention', global), local: theta('sliding_attention', local) };
}

function layerTypes(j: Json, layers: number, n: number, fail: Fail): ModernBertLayerType[] {
  const lt = j.layer_types;
  if (lt === undefined || lt === null) return defaultLayerTypes(layers, n);
  if (!Array.isArray(lt) || lt.length !== layers || !lt.every((t) => t === 'full_attention' || t === 'sliding_attention')) {
    fail(`"layer_types" must list "full_attention" or "sliding_attention" for each of the ${layers} layers`);
  }
  return lt as ModernBertLayerType[];
}

/** ModernBERT's own settings of a config.json (the shared fields already parsed into `c`). */
export function parseModernBertSettings(
  j: Json,
  c: Pick<ModelConfig, 'num_hidden_layers' | 'hidden_size' | 'num_attention_heads'>,
  fail: Fail,
): ModernBertSettings {
  const pooling = j.classifier_pooling ?? 'cls';
  if (pooling !== 'cls' && pooling !== 'mean') fail(`classifier_pooling "${String(pooling)}" is not supported (transformers accepts "cls" or "mean")`);
  const headDim = j.head_dim;
  if (headDim !== undefined && headDim !== null && headDim !== c.hidden_size / c.num_attention_heads) {
    fail(
      `head_dim ${JSON.stringify(headDim)} is not supported (ModernBERT's attention uses hidden_size / num_attention_heads = ${c.hidden_size / c.num_attention_heads})`,
    );
  }
  const local = positive(j, 'local_attention', MODERNBERT_DEFAULTS.local_attention, fail, true);
  if (local < 2) fail(`local_attention ${local} is not supported (the window is +-local_attention // 2: give at least 2)`);
  const n = positive(j, 'global_attn_every_n_layers', MODERNBERT_DEFAULTS.global_attn_every_n_layers, fail, true);
  const rope = ropeThetas(j, fail);
  const embeddingDropout = j.embedding_dropout ?? 0;
  if (typeof embeddingDropout !== 'number' || !(embeddingDropout >= 0 && embeddingDropout < 1)) fail('"embedding_dropout" must be in [0, 1)');
  return {
    hidden_activation: activation(j, 'hidden_activation', fail),
    classifier_activation: activation(j, 'classifier_activation', fail),
    classifier_pooling: pooling as 'cls' | 'mean',
    local_attention: local,
    global_attn_every_n_layers: n,
    global_rope_theta: rope.global,
    local_rope_theta: rope.local,
    layer_types: layerTypes(j, c.num_hidden_layers, n, fail),
    attention_bias: bool(j, 'attention_bias', false, fail),
    mlp_bias: bool(j, 'mlp_bias', false, fail),
    norm_bias: bool(j, 'norm_bias', false, fail),
    classifier_bias: bool(j, 'classifier_bias', false, fail),
    embedding_dropout: embeddingDropout as number,
    initializer_cutoff_factor: positive(j, 'initializer_cutoff_factor', MODERNBERT_DEFAULTS.initializer_cutoff_factor, fail),
  };
}

/** The ModernBertConfig fields to write for `config` (toHfConfig adds the shared ones). */
export function modernBertHfFields(config: ModelConfig): Json {
  const s = config.modernbert ?? {
    ...MODERNBERT_DEFAULTS,
    layer_types: defaultLayerTypes(config.num_hidden_layers, MODERNBERT_DEFAULTS.global_attn_every_n_layers),
  };
  const raw = config.raw ?? {};
  const out: Json = {};
  for (const [ours, theirs] of MODERNBERT_FIELDS) out[theirs] = config[ours];
  out.classifier_dropout = config.classifier_dropout ?? 0;
  for (const k of [
    'hidden_activation',
    'classifier_activation',
    'classifier_pooling',
    'local_attention',
    'global_attn_every_n_layers',
    'global_rope_theta',
    'local_rope_theta',
    'attention_bias',
    'mlp_bias',
    'norm_bias',
    'classifier_bias',
    'embedding_dropout',
    'initializer_cutoff_factor',
  ] as const) {
    out[k] = s[k];
  }
  // transformers 5 writes layer_types and rope_parameters; keep them where the config had them.
  if ('layer_types' in raw) out.layer_types = s.layer_types;
  if (raw.rope_parameters && typeof raw.rope_parameters === 'object') {
    const rp = raw.rope_parameters as Json;
    out.rope_parameters = {
      ...rp,
      full_attention: { rope_type: 'default', ...(rp.full_attention as Json | undefined), rope_theta: s.global_rope_theta },
      sliding_attention: { rope_type: 'default', ...(rp.sliding_attention as Json | undefined), rope_theta: s.local_rope_theta },
    };
  }
  // ModernBERT arrived in transformers 4.48.
  if (!('transformers_version' in raw)) out.transformers_version = '4.48.0';
  return out;
}

/** A random-init ModernBERT's config fields (the labels and sizes aside): ModernBertConfig's defaults, with `settings`. */
export function modernBertPresetBase(layers: number, settings: Partial<ModernBertSettings>): typeof BERT_DEFAULTS & Pick<ModelConfig, 'modernbert'> {
  const s = { ...MODERNBERT_DEFAULTS, ...settings };
  return {
    ...BERT_DEFAULTS,
    ...MODERNBERT_TYPE_DEFAULTS,
    model_type: 'modernbert',
    modernbert: { ...s, layer_types: settings.layer_types ?? defaultLayerTypes(layers, s.global_attn_every_n_layers) },
  };
}
