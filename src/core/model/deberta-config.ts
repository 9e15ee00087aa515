/**
 * DeBERTa-v2 / -v3 (`model_type: deberta-v2`) config.json fields, as transformers' `DebertaV2Config`
 * and the modules that read them with getattr(config, name, default) take them: relative attention,
 * its position buckets and span, the c2p / p2c terms (`pos_att_type`, a list or a "p2c|c2p" string),
 * shared or separate position projections, the LayerNorm of the relative embeddings, absolute
 * positions, the ContextPooler head, the ConvLayer after layer 0. Settings transformers accepts but
 * whose model it cannot build (or builds wrong) are refused naming the setting.
 */
import type { ModelConfig } from './config.js';

export type DebertaActivation = 'gelu' | 'tanh' | 'relu';

/** The DeBERTa-specific fields of a deberta-v2 ModelConfig (the shared ones live in ModelConfig). */
export interface DebertaFields {
  relative_attention: boolean;
  /** As in config.json; below 1 means max_position_embeddings (see relativeSpan). */
  max_relative_positions: number;
  /** Log-bucketed relative positions when > 0. */
  position_buckets: number;
  /** The relative terms: content -> position (c2p) and position -> content (p2c). */
  pos_att_type: readonly ('c2p' | 'p2c')[];
  /** The positions are projected by query_proj / key_proj (else pos_query_proj / pos_key_proj). */
  share_att_key: boolean;
  /** "layer_norm" (possibly among other "|"-separated words): the encoder LayerNorm of the relative embeddings. */
  norm_rel_ebd: string;
  /** Absolute position embeddings added to the word embeddings. */
  position_biased_input: boolean;
  pooler_dropout: number;
  pooler_hidden_act: DebertaActivation;
  /** ConvLayer after the first layer when > 0 (odd). */
  conv_kernel_size: number;
  conv_act: DebertaActivation;
}

/** DebertaV2Config's defaults where they differ from BERT's (configuration_deberta_v2.py). */
export const DEBERTA_V2_DEFAULTS: Partial<ModelConfig> = {
  vocab_size: 128100,
  hidden_size: 1536,
  num_hidden_layers: 24,
  num_attention_heads: 24,
  intermediate_size: 6144,
  max_position_embeddings: 512,
  type_vocab_size: 0,
  layer_norm_eps: 1e-7,
  pad_token_id: 0,
};

/** What DebertaV2Config and the modules default to for the fields read with getattr. */
export const DEBERTA_FIELD_DEFAULTS: DebertaFields = {
  relative_attention: false,
  max_relative_positions: -1,
  position_buckets: -1,
  pos_att_type: [],
  share_att_key: false,
  norm_rel_ebd: 'none',
  position_biased_input: true,
  pooler_dropout: 0,
  pooler_hidden_act: 'gelu',
  conv_kernel_size: 0,
  conv_act: 'tanh',
};

/** microsoft/deberta-v3-*'s attention settings (position_buckets 256, shared keys, LayerNorm'd relative embeddings, no absolute positions). */
export const DEBERTA_V3_FIELDS: DebertaFields = {
  ...DEBERTA_FIELD_DEFAULTS,
  relative_attention: true,
  position_buckets: 256,
  pos_att_type: ['p2c', 'c2p'],
  share_att_key: true,
  norm_rel_ebd: 'layer_norm',
  position_biased_input: false,
};

const ACTIVATIONS: readonly DebertaActivation[] = ['gelu', 'tanh', 'relu'];

type Json = Record<string, unknown>;
type Fail = (message: string) => never;

function bool(j: Json, key: string, fallback: boolean, fail: Fail): boolean {
  const v = j[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(`"${key}" must be true or false (got ${JSON.stringify(v)})`);
  return v as boolean;
}

function int(j: Json, key: string, fallback: number, fail: Fail): number {
  const v = j[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`"${key}" must be an integer (got ${JSON.stringify(v)})`);
  return v as number;
}

function activation(j: Json, key: string, fallback: DebertaActivation, fail: Fail): DebertaActivation {
  const v = j[key] ?? fallback;
  if (!ACTIVATIONS.includes(v as DebertaActivation)) {
    fail(`"${key}" ${JSON.stringify(v)} is not supported (Finetune implements ${ACTIVATIONS.map((a) => `"${a}"`).join(', ')})`);
  }
  return v as DebertaActivation;
}

/**
 * pos_att_type as DebertaV2Config stores it: a string is lower-cased and split at "|" ("p2c|c2p"), a
 * list is taken as is, null is none. Entries other than c2p / p2c play no part in the model (as in
 * transformers, where only those two are looked up).
 */
export function parsePosAttType(v: unknown, fail: Fail): ('c2p' | 'p2c')[] {
  if (v === undefined || v === null) return [];
  let list: unknown[];
  if (typeof v === 'string')
    list = v
      .toLowerCase()
      .split('|')
      .map((x) => x.trim());
  else if (Array.isArray(v)) list = v;
  else return fail(`"pos_att_type" must be a list such as ["p2c", "c2p"] or a string such as "p2c|c2p" (got ${JSON.stringify(v)})`);
  return (['c2p', 'p2c'] as const).filter((t) => list.includes(t));
}

/** The fields config.json names differently for DeBERTa: the classifier's dropout is `cls_dropout`. */
export function debertaSharedFields(j: Json): Json {
  return { classifier_dropout: j.cls_dropout ?? null };
}

/** Reads the DeBERTa fields of a deberta-v2 config.json (`shared`: the already parsed common fields). */
export function parseDebertaFields(
  j: Json,
  shared: Pick<ModelConfig, 'hidden_size' | 'num_attention_heads' | 'max_position_embeddings'>,
  fail: Fail,
): DebertaFields {
  const d = DEBERTA_FIELD_DEFAULTS;
  const norm = j.norm_rel_ebd ?? d.norm_rel_ebd;
  if (typeof norm !== 'string') fail(`"norm_rel_ebd" must be a string such as "layer_norm" (got ${JSON.stringify(norm)})`);
  const pooler = j.pooler_dropout ?? d.pooler_dropout;
  if (typeof pooler !== 'number' || !(pooler >= 0 && pooler < 1)) fail(`"pooler_dropout" must be in [0, 1) (got ${JSON.stringify(pooler)})`);
  const fields: DebertaFields = {
    relative_attention: bool(j, 'relative_attention', d.relative_attention, fail),
    max_relative_positions: int(j, 'max_relative_positions', d.max_relative_positions, fail),
    position_buckets: int(j, 'position_buckets', d.position_buckets, fail),
    pos_att_type: parsePosAttType(j.pos_att_type, fail),
    share_att_key: bool(j, 'share_att_key', d.share_att_key, fail),
    norm_rel_ebd: norm as string,
    position_biased_input: bool(j, 'position_biased_input', d.position_biased_input, fail),
    pooler_dropout: pooler as number,
    pooler_hidden_act: activation(j, 'pooler_hidden_act', d.pooler_hidden_act, fail),
    conv_kernel_size: int(j, 'conv_kernel_size', d.conv_kernel_size, fail),
    conv_act: activation(j, 'conv_act', d.conv_act, fail),
  };
  checkBuildable(j, fields, shared, fail);
  return fields;
}

/** Settings whose model transformers cannot build, or builds with shapes that do not fit together. */
function checkBuildable(
  j: Json,
  f: DebertaFields,
  shared: Pick<ModelConfig, 'hidden_size' | 'num_attention_heads' | 'max_position_embeddings'>,
  fail: Fail,
): void {
  const H = shared.hidden_size;
  const headSize = j.attention_head_size;
  if (headSize !== undefined && headSize !== null && headSize !== H / shared.num_attention_heads) {
    fail(
      `"attention_head_size" ${String(headSize)} is not supported: the attention output projection needs num_attention_heads x attention_head_size = hidden_size (${H})`,
    );
  }
  const poolerSize = j.pooler_hidden_size;
  if (poolerSize !== undefined && poolerSize !== null && poolerSize !== H) {
    fail(`"pooler_hidden_size" ${String(poolerSize)} is not supported: the ContextPooler reads hidden states of hidden_size ${H}`);
  }
  if (f.conv_kernel_size > 0) {
    if (f.conv_kernel_size % 2 === 0)
      fail(`"conv_kernel_size" ${f.conv_kernel_size} must be odd (an even kernel shortens the sequence; transformers fails on it too)`);
    const groups = j.conv_groups ?? 1;
    if (groups !== 1)
      fail(`"conv_groups" ${String(groups)} is not supported (Finetune implements the ConvLayer with conv_groups 1, as DeBERTa-v2 checkpoints use it)`);
  }
  if (f.relative_attention && f.position_buckets > 0) {
    const maxRel = f.max_relative_positions < 1 ? shared.max_position_embeddings : f.max_relative_positions;
    const mid = Math.floor(f.position_buckets / 2);
    if (maxRel - 1 <= mid) {
      fail(`"position_buckets" ${f.position_buckets} needs max_relative_positions (or max_position_embeddings) above ${mid + 1}; got ${maxRel}`);
    }
  }
}

/** Writes the DeBERTa fields into a config.json object being saved (`out` starts as the original file's fields). */
export function writeDebertaFields(out: Json, config: ModelConfig): void {
  const f = config.deberta ?? DEBERTA_FIELD_DEFAULTS;
  const raw = config.raw ?? {};
  // DebertaV2Config has no classifier_dropout or position_embedding_type: its classifier dropout is cls_dropout.
  if (!('classifier_dropout' in raw)) delete out.classifier_dropout;
  if (!('position_embedding_type' in raw)) delete out.position_embedding_type;
  if (config.classifier_dropout !== null) out.cls_dropout = config.classifier_dropout;
  else if (!('cls_dropout' in raw)) delete out.cls_dropout;
  Object.assign(out, {
    relative_attention: f.relative_attention,
    max_relative_positions: f.max_relative_positions,
    position_buckets: f.position_buckets,
    // save_pretrained writes the list DebertaV2Config holds (a "p2c|c2p" string is split on load).
    pos_att_type: Array.isArray(raw.pos_att_type) || typeof raw.pos_att_type === 'string' ? parsePosAttTypeKeepOrder(raw.pos_att_type) : [...f.pos_att_type],
    share_att_key: f.share_att_key,
    norm_rel_ebd: f.norm_rel_ebd,
    position_biased_input: f.position_biased_input,
    pooler_dropout: f.pooler_dropout,
    pooler_hidden_act: f.pooler_hidden_act,
    pooler_hidden_size: config.hidden_size,
  });
  if (f.conv_kernel_size > 0 || 'conv_kernel_size' in raw) Object.assign(out, { conv_kernel_size: f.conv_kernel_size, conv_act: f.conv_act });
}

/** The original pos_att_type entries in their order, as DebertaV2Config keeps them (a string split at "|"). */
function parsePosAttTypeKeepOrder(v: unknown): unknown[] {
  return typeof v === 'string'
    ? v
        .toLowerCase()
        .split('|')
        .map((x) => x.trim())
    : (v as unknown[]);
}
