/**
 * DeBERTa-v2 / -v3 for sequence classification (`DebertaV2ForSequenceClassification`, model_type
 * deberta-v2), as transformers' modeling_deberta_v2.py computes it:
 *
 * - embeddings: word (+ absolute positions when position_biased_input, + token types when
 *   type_vocab_size > 0), `embed_proj` (no bias) when embedding_size != hidden_size, LayerNorm,
 *   times the attention mask, dropout;
 * - encoder layers with disentangled self-attention: (q k^T + c2p + p2c) / sqrt(head_size x
 *   (1 + number of c2p / p2c terms)) (the scale a float32 value, as transformers computes it),
 *   c2p = q_i . pos_key[row(i - j)], p2c = k_j . pos_query[row(i - j)] where the positions are the
 *   relative embeddings (LayerNorm'd by the encoder when norm_rel_ebd has "layer_norm", dropout per
 *   layer) projected by key_proj / query_proj (share_att_key) or pos_key_proj / pos_query_proj (see
 *   deberta-positions.ts for the rows and the relative shift); masked softmax, dropout; post-LN output
 *   and MLP as BERT's. Attention runs head-major ([heads, batch, queries, keys]), so that each head's
 *   relative terms are one matrix product over the whole batch;
 * - the ConvLayer after layer 0 when conv_kernel_size > 0 (Conv1d over the embeddings, masked,
 *   conv_act, + layer 0's output, LayerNorm, masked), written as one im2col Linear;
 * - ContextPooler on [CLS] (dropout pooler_dropout, dense, pooler_hidden_act), dropout (cls_dropout,
 *   else hidden_dropout_prob), classifier.
 *
 * Padding queries: transformers masks a padded query's whole row (a uniform softmax that no real
 * token reads); the additive key mask here gives such rows other values, equally unread, so logits,
 * loss and gradients agree. With packTokens the Linear / LayerNorm / GELU / conv work runs on the real
 * tokens only; attention unpacks to [batch, seq] (see common.ts).
 */
import { type Dim, type GraphBuilder, type Value, dimProduct } from '../../engine/graph.js';
import { tensor } from '../../engine/tensor.js';
import { type ModelConfig, classifierDropout } from '../config.js';
import { DEBERTA_FIELD_DEFAULTS, type DebertaActivation, type DebertaFields } from '../deberta-config.js';
import type { ParamSpec } from '../params.js';
import {
  DropoutSites,
  type ForwardOptions,
  type ModelInputs,
  SpecList,
  type TokenPacking,
  additiveMask,
  inputEmbeddings,
  firstRows,
  packTokens,
  tokenPacking,
} from './common.js';
import { type RelativeRows, relativeRows, relativeShift, relativeSpan } from './deberta-positions.js';

type Params = (name: string) => Value;

const fields = (c: ModelConfig): DebertaFields => c.deberta ?? DEBERTA_FIELD_DEFAULTS;
const embeddingSize = (c: ModelConfig): number => c.embedding_size ?? c.hidden_size;
const normsRelative = (f: DebertaFields): boolean =>
  f.norm_rel_ebd
    .toLowerCase()
    .split('|')
    .map((s) => s.trim())
    .includes('layer_norm');

function activation(g: GraphBuilder, name: DebertaActivation | 'gelu' | 'relu', x: Value): Value {
  return name === 'tanh' ? g.tanh(x) : name === 'relu' ? g.relu(x) : g.gelu(x);
}

/** The scale of the attention scores: sqrt(head_size x scale_factor) in float32, as transformers' scaled_size_sqrt. */
export function attentionScale(c: ModelConfig): number {
  const f = fields(c);
  const factor = 1 + (f.pos_att_type.includes('c2p') ? 1 : 0) + (f.pos_att_type.includes('p2c') ? 1 : 0);
  return Math.fround(Math.sqrt(Math.fround((c.hidden_size / c.num_attention_heads) * factor)));
}

// ---- parameters ---------------------------------------------------------------------------------

function layerSpecs(list: SpecList, p: string, c: ModelConfig, f: DebertaFields): void {
  const H = c.hidden_size;
  const a = `${p}.attention.self`;
  list.linear(`${a}.query_proj`, H, H).linear(`${a}.key_proj`, H, H).linear(`${a}.value_proj`, H, H);
  if (f.relative_attention && !f.share_att_key) {
    if (f.pos_att_type.includes('c2p')) list.linear(`${a}.pos_key_proj`, H, H);
    if (f.pos_att_type.includes('p2c')) list.linear(`${a}.pos_query_proj`, H, H);
  }
  list.linear(`${p}.attention.output.dense`, H, H).layerNorm(`${p}.attention.output.LayerNorm`, H);
  list.linear(`${p}.intermediate.dense`, c.intermediate_size, H).linear(`${p}.output.dense`, H, c.intermediate_size);
  list.layerNorm(`${p}.output.LayerNorm`, H);
}

/** transformers' parameter names and shapes, in its module order. */
export function debertaParamSpecs(c: ModelConfig): ParamSpec[] {
  const list = new SpecList();
  const f = fields(c);
  const [H, E] = [c.hidden_size, embeddingSize(c)];
  list.embedding('deberta.embeddings.word_embeddings.weight', c.vocab_size, E, true);
  if (f.position_biased_input) list.embedding('deberta.embeddings.position_embeddings.weight', c.max_position_embeddings, E, false);
  if (c.type_vocab_size > 0) list.embedding('deberta.embeddings.token_type_embeddings.weight', c.type_vocab_size, E, false);
  if (E !== H) list.specs.push({ name: 'deberta.embeddings.embed_proj.weight', shape: [H, E], init: 'normal' });
  list.layerNorm('deberta.embeddings.LayerNorm', H);
  for (let i = 0; i < c.num_hidden_layers; i++) layerSpecs(list, `deberta.encoder.layer.${i}`, c, f);
  if (f.relative_attention) list.embedding('deberta.encoder.rel_embeddings.weight', 2 * relativeSpan(c).span, H, false);
  if (normsRelative(f)) list.layerNorm('deberta.encoder.LayerNorm', H);
  if (f.conv_kernel_size > 0) {
    list.specs.push({ name: 'deberta.encoder.conv.conv.weight', shape: [H, H, f.conv_kernel_size], init: 'normal' });
    list.specs.push({ name: 'deberta.encoder.conv.conv.bias', shape: [H], init: 'zeros' });
    list.layerNorm('deberta.encoder.conv.LayerNorm', H);
  }
  list.linear('pooler.dense', H, H);
  list.linear('classifier', c.num_labels, H);
  return list.specs;
}

// ---- embeddings ---------------------------------------------------------------------------------

/** DebertaV2Embeddings: [batch, seq, hidden], zero at padding (the mask multiply), dropout applied. */
export function debertaEmbeddings(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions, drop: DropoutSites): Value {
  const e = 'deberta.embeddings';
  const P = opts.param;
  let h = inputEmbeddings(g, opts, P(`${e}.word_embeddings.weight`), inputs.inputIds, c.pad_token_id);
  if (fields(c).position_biased_input) h = g.add(h, g.embedding(P(`${e}.position_embeddings.weight`), g.range(inputs.inputIds.shape[1]!)));
  if (c.type_vocab_size > 0) h = g.add(h, g.embedding(P(`${e}.token_type_embeddings.weight`), inputs.tokenTypeIds ?? g.zerosLike(inputs.inputIds)));
  if (embeddingSize(c) !== c.hidden_size) h = g.linear(h, P(`${e}.embed_proj.weight`));
  h = g.layerNorm(h, P(`${e}.LayerNorm.weight`), P(`${e}.LayerNorm.bias`), c.layer_norm_eps)[0];
  h = g.mul(h, g.cast(g.unsqueeze(inputs.attentionMask, [2]), h.dtype));
  return drop.apply(h, c.hidden_dropout_prob);
}

// ---- encoder ------------------------------------------------------------------------------------

/** What the layers of one forward pass share. */
interface EncoderContext {
  batch: Dim;
  seq: Dim;
  /** Additive key mask [1, batch, 1, seq] (attention runs head-major: [heads, batch, queries, keys]). */
  mask: Value;
  packing: TokenPacking | undefined;
  scale: number;
  /** Relative attention: the (normalised) relative embeddings and the rows each term reads, made once. */
  rel: { embeddings: Value; rows: RelativeRows } | undefined;
}

function encoderContext(g: GraphBuilder, c: ModelConfig, attentionMask: Value, hiddenDtype: Value['dtype'], P: Params, pack: boolean): EncoderContext {
  const [B, S] = attentionMask.shape as [Dim, Dim];
  const f = fields(c);
  const ctx: EncoderContext = {
    batch: B,
    seq: S,
    mask: g.reshape(additiveMask(g, attentionMask, hiddenDtype), [1, B, 1, S]),
    packing: pack ? tokenPacking(g, attentionMask) : undefined,
    scale: attentionScale(c),
    rel: undefined,
  };
  if (!f.relative_attention || f.pos_att_type.length === 0) return ctx;
  let table = P('deberta.encoder.rel_embeddings.weight');
  if (normsRelative(f)) table = g.layerNorm(table, P('deberta.encoder.LayerNorm.weight'), P('deberta.encoder.LayerNorm.bias'), c.layer_norm_eps)[0];
  ctx.rel = { embeddings: table, rows: relativeRows(g, c, S) };
  return ctx;
}

/**
 * Attention scores before the mask, [heads, batch, queries, seq]: q (already divided by the scale)
 * against the keys, plus the c2p and p2c terms. Each term multiplies all queries (keys) of a head
 * with the 2S + 1 projected relative rows in one matrix product and moves each score to its key
 * (query) with relativeShift. `firstOnly`: q is the first token's alone; each key's row is read directly.
 */
function disentangledScores(
  g: GraphBuilder,
  c: ModelConfig,
  ctx: EncoderContext,
  q: Value,
  k: Value,
  prefix: string,
  P: Params,
  drop: DropoutSites,
  firstOnly: boolean,
): Value {
  let scores = g.matmul(q, g.transpose(k, [0, 1, 3, 2]));
  const rel = ctx.rel;
  if (!rel) return scores;
  const f = fields(c);
  const { batch: B, seq: S } = ctx;
  const heads = c.num_attention_heads;
  const hd = c.hidden_size / heads;
  const a = `${prefix}.attention.self`;
  const table = drop.apply(rel.embeddings, c.hidden_dropout_prob); // pos_dropout
  const project = (rows: Value, name: string): Value => g.linear(g.gather(table, rows, 0), P(`${a}.${name}.weight`), P(`${a}.${name}.bias`));
  const headsT = (x: Value): Value => g.transpose(g.reshape(x, [x.shape[0]!, heads, hd]), [1, 2, 0]); // [n, hidden] -> [heads, head_size, n]
  const byHead = (x: Value): Value => g.reshape(x, [heads, dimProduct([B, S]), hd]); // [heads, batch, seq, head_size] as one matrix per head
  const W = rel.rows.up.shape[0]!;
  if (f.pos_att_type.includes('c2p')) {
    const name = f.share_att_key ? 'key_proj' : 'pos_key_proj';
    if (firstOnly) {
      scores = g.add(scores, g.unsqueeze(g.matmul(g.reshape(q, [heads, B, hd]), headsT(project(rel.rows.first, name))), [2]));
    } else {
      const all = g.reshape(g.matmul(byHead(q), headsT(project(rel.rows.down, name))), [heads, B, S, W]);
      scores = g.add(scores, relativeShift(g, all, S));
    }
  }
  if (f.pos_att_type.includes('p2c')) {
    const name = f.share_att_key ? 'query_proj' : 'pos_query_proj';
    const scaled = (rows: Value): Value => g.div(project(rows, name), g.scalarConst(q.dtype, ctx.scale));
    if (firstOnly) {
      const perKey = g.unsqueeze(g.transpose(g.reshape(scaled(rel.rows.first), [S, heads, hd]), [1, 0, 2]), [1]); // [heads, 1, seq, head_size]
      scores = g.add(scores, g.unsqueeze(g.reduceSum(g.mul(k, perKey), [3]), [2]));
    } else {
      const all = g.reshape(g.matmul(byHead(k), headsT(scaled(rel.rows.up))), [heads, B, S, W]);
      scores = g.add(scores, g.transpose(relativeShift(g, all, S), [0, 1, 3, 2]));
    }
  }
  return scores;
}

/** One DebertaV2Layer on h [batch, seq, hidden] (or packed [tokens, hidden]); `firstOnly` as common.ts' encoderLayer. */
function debertaLayer(
  g: GraphBuilder,
  c: ModelConfig,
  ctx: EncoderContext,
  h: Value,
  prefix: string,
  P: Params,
  drop: DropoutSites,
  firstOnly: boolean,
): Value {
  const { batch: B, seq: S, packing } = ctx;
  const [H, heads] = [c.hidden_size, c.num_attention_heads];
  const hd = H / heads;
  const lin = (name: string, x: Value): Value => g.linear(x, P(`${prefix}.${name}.weight`), P(`${prefix}.${name}.bias`));
  const norm = (name: string, x: Value): Value => g.layerNorm(x, P(`${prefix}.${name}.weight`), P(`${prefix}.${name}.bias`), c.layer_norm_eps)[0];
  const split = (x: Value, n: Dim): Value => g.transpose(g.reshape(x, [B, n, heads, hd]), [2, 0, 1, 3]); // [heads, batch, n, head_size]
  const full = (x: Value): Value => split(packing ? g.unpackRows(x, packing.rows, 'any') : x, S);
  const first = firstOnly ? firstRows(g, h, packing) : undefined;
  const q = first ? split(lin('attention.self.query_proj', first), 1) : full(lin('attention.self.query_proj', h));
  const k = full(lin('attention.self.key_proj', h));
  const v = full(lin('attention.self.value_proj', h));
  const qScaled = g.div(q, g.scalarConst(q.dtype, ctx.scale));
  const scores = g.add(disentangledScores(g, c, ctx, qScaled, k, prefix, P, drop, !!first), ctx.mask);
  const probs = drop.apply(g.softmax(scores, -1), c.attention_probs_dropout_prob);
  const out = g.reshape(g.transpose(g.matmul(probs, v), [1, 2, 0, 3]), first ? [B, H] : [B, S, H]);
  let attn = drop.apply(lin('attention.output.dense', packing && !first ? packTokens(g, out, packing) : out), c.hidden_dropout_prob);
  attn = norm('attention.output.LayerNorm', g.add(attn, first ?? h));
  const act = activation(g, c.hidden_act, lin('intermediate.dense', attn));
  return norm('output.LayerNorm', g.add(drop.apply(lin('output.dense', act), c.hidden_dropout_prob), attn));
}

/**
 * ConvLayer: LayerNorm(layer 0's output + conv_act(dropout(mask * Conv1d(embeddings)))) * mask. The
 * convolution (kernel K, padding (K-1)/2, zeros beyond each row's ends) gathers each position's K
 * neighbours from the padded embeddings (zero at padding) and applies the [H, K*H] weight at once.
 */
function convLayer(
  g: GraphBuilder,
  c: ModelConfig,
  ctx: EncoderContext,
  emb: Value,
  residual: Value,
  attentionMask: Value,
  P: Params,
  drop: DropoutSites,
): Value {
  const { batch: B, seq: S, packing } = ctx;
  const [H, K] = [c.hidden_size, fields(c).conv_kernel_size];
  const BS = `${B}*${S}`;
  const positions = g.reshape(g.expand(g.unsqueeze(g.range(S), [0]), [B, S]), [BS]);
  const rows = packing ? packing.rows.idx : g.range(BS); // flat [batch*seq] positions of the rows computed
  const R = rows.shape[0]!;
  const offsets = g.constant(
    tensor(
      'int64',
      [1, K],
      Array.from({ length: K }, (_, k) => k - (K - 1) / 2),
    ),
    'conv_offsets',
  );
  const at = g.add(g.unsqueeze(packing ? g.gather(positions, rows, 0) : positions, [1]), offsets); // [R, K] positions in the row
  const seqLen = g.dimTensor(S);
  const inside = (yes: Value, no: Value): Value => g.where(g.less(at, g.scalarConst('int64', 0)), no, g.where(g.less(at, seqLen), yes, no));
  const neighbours = inside(g.add(g.unsqueeze(rows, [1]), offsets), g.scalarConst('int64', 0));
  const valid = inside(g.scalarConst(emb.dtype, 1), g.scalarConst(emb.dtype, 0));
  const taken = g.mul(g.gather(g.reshape(emb, [BS, H]), neighbours, 0), g.unsqueeze(valid, [2])); // [R, K, H]
  const weight = g.reshape(g.transpose(P('deberta.encoder.conv.conv.weight'), [0, 2, 1]), [H, K * H]);
  let out = g.linear(g.reshape(taken, [R, K * H]), weight, P('deberta.encoder.conv.conv.bias'));
  const maskCol = packing ? undefined : g.cast(g.reshape(attentionMask, [BS, 1]), out.dtype);
  if (maskCol) out = g.mul(out, maskCol);
  out = activation(g, fields(c).conv_act, drop.apply(out, c.hidden_dropout_prob));
  const res = packing ? residual : g.reshape(residual, [BS, H]);
  let y = g.layerNorm(g.add(res, out), P('deberta.encoder.conv.LayerNorm.weight'), P('deberta.encoder.conv.LayerNorm.bias'), c.layer_norm_eps)[0];
  if (maskCol) y = g.reshape(g.mul(y, g.cast(maskCol, y.dtype)), [B, S, H]);
  return y;
}

/** Embeddings and encoder: the first token's final hidden state [batch, hidden] (what the ContextPooler reads). */
export function debertaFirstToken(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions, drop: DropoutSites): Value {
  const P = opts.param;
  const emb = debertaEmbeddings(g, c, inputs, opts, drop);
  const ctx = encoderContext(g, c, inputs.attentionMask, emb.dtype, P, !!opts.packTokens);
  const conv = fields(c).conv_kernel_size > 0;
  const L = c.num_hidden_layers;
  let x = ctx.packing ? packTokens(g, emb, ctx.packing) : emb;
  for (let i = 0; i < L; i++) {
    // The last layer computes the first token alone, unless the ConvLayer after it needs every position.
    x = debertaLayer(g, c, ctx, x, `deberta.encoder.layer.${i}`, P, drop, i === L - 1 && !(conv && i === 0));
    if (i === 0 && conv) x = convLayer(g, c, ctx, emb, x, inputs.attentionMask, P, drop);
  }
  return L > 0 && !(conv && L === 1) ? x : firstRows(g, x, ctx.packing);
}

export function debertaLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const P = opts.param;
  const drop = new DropoutSites(g, opts.train);
  const f = fields(c);
  let x = drop.apply(debertaFirstToken(g, c, inputs, opts, drop), f.pooler_dropout);
  x = activation(g, f.pooler_hidden_act, g.linear(x, P('pooler.dense.weight'), P('pooler.dense.bias')));
  x = drop.apply(x, classifierDropout(c));
  return g.linear(x, P('classifier.weight'), P('classifier.bias'));
}
