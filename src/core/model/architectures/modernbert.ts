/**
 * ModernBERT for sequence classification with transformers' `ModernBertForSequenceClassification`
 * semantics: token embeddings (no positions), LayerNorm, dropout; pre-norm layers (layer 0 has no
 * attn_norm) with a fused Wqkv, rotary embeddings on q and k, global attention every
 * global_attn_every_n_layers layers and a +-local_attention // 2 sliding window in the others, Wo
 * (+ dropout), a GeGLU MLP (Wi -> act(input) * gate -> dropout -> Wo); final_norm; pooling of the
 * [CLS] token or the mean over the real tokens; the head dense -> act -> norm, dropout, classifier.
 * Biases and the norms' biases as the config says. Parameter names and shapes are Hugging Face's.
 *
 * With `packTokens` the layers run on the real tokens only: the sliding window runs over the packed
 * token stream (tokens of different rows never see each other), global layers unpack to
 * [batch, seq] for attention, as the BERT family does.
 */
import type { Dim, GraphBuilder, Value } from '../../engine/graph.js';
import { axisSize, split } from '../../engine/slicing.js';
import { type HostTensor, tensor } from '../../engine/tensor.js';
import { type ModelConfig, classifierDropout } from '../config.js';
import { type ModernBertActivation, type ModernBertSettings, MODERNBERT_DEFAULTS, defaultLayerTypes, isLocalLayer } from '../modernbert-config.js';
import type { ParamSpec } from '../params.js';
import {
  DropoutSites,
  FLOAT32_MIN,
  type ForwardOptions,
  type ModelInputs,
  type TokenPacking,
  additiveMask,
  firstRows,
  firstToken,
  inputEmbeddings,
  packTokens,
  tokenPacking,
} from './common.js';
import { type Banding, type Rope, applyRope, attend, banding, localAttention, ropeTables } from './modernbert-attention.js';

export function modernbertSettings(c: ModelConfig): ModernBertSettings {
  return c.modernbert ?? { ...MODERNBERT_DEFAULTS, layer_types: defaultLayerTypes(c.num_hidden_layers, MODERNBERT_DEFAULTS.global_attn_every_n_layers) };
}

export function modernbertParamSpecs(c: ModelConfig): ParamSpec[] {
  const s = modernbertSettings(c);
  const H = c.hidden_size;
  const specs: ParamSpec[] = [];
  const cutoff = s.initializer_cutoff_factor;
  // transformers' _init_weights: truncated normals with std "in", "out" (/ sqrt(2 L)), "final_out" (H^-0.5).
  const stdIn = c.initializer_range;
  const stdOut = c.initializer_range / Math.sqrt(2 * c.num_hidden_layers);
  const linear = (name: string, out: number, inp: number, bias: boolean, std: number): void => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: 'normal', std, cutoff });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: 'zeros' });
  };
  const norm = (name: string): void => {
    specs.push({ name: `${name}.weight`, shape: [H], init: 'ones' });
    if (s.norm_bias) specs.push({ name: `${name}.bias`, shape: [H], init: 'zeros' });
  };
  specs.push({ name: 'model.embeddings.tok_embeddings.weight', shape: [c.vocab_size, H], init: 'normal', std: stdIn, cutoff });
  norm('model.embeddings.norm');
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    if (i > 0) norm(`${p}.attn_norm`);
    linear(`${p}.attn.Wqkv`, 3 * H, H, s.attention_bias, stdIn);
    linear(`${p}.attn.Wo`, H, H, s.attention_bias, stdOut);
    norm(`${p}.mlp_norm`);
    linear(`${p}.mlp.Wi`, 2 * c.intermediate_size, H, s.mlp_bias, stdIn);
    linear(`${p}.mlp.Wo`, H, c.intermediate_size, s.mlp_bias, stdOut);
  }
  norm('model.final_norm');
  linear('head.dense', H, H, s.classifier_bias, stdOut);
  norm('head.norm');
  linear('classifier', c.num_labels, H, true, H ** -0.5);
  return specs;
}

/** ACT2FN[name]. */
export function activation(g: GraphBuilder, x: Value, name: ModernBertActivation): Value {
  const c = (v: number): Value => g.scalarConst(x.dtype, v);
  switch (name) {
    case 'gelu':
      return g.gelu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
      const inner = g.mul(c(Math.sqrt(2 / Math.PI)), g.add(x, g.mul(c(0.044715), g.mul(g.mul(x, x), x))));
      return g.mul(g.mul(c(0.5), x), g.add(c(1), g.tanh(inner)));
    }
    case 'relu':
      return g.relu(x);
    case 'silu':
    case 'swish':
      return g.mul(x, g.sigmoid(x));
    case 'tanh':
      return g.tanh(x);
  }
}

/** What every layer of one forward pass shares. */
interface Context {
  g: GraphBuilder;
  c: ModelConfig;
  s: ModernBertSettings;
  P: (name: string) => Value;
  drop: DropoutSites;
  train: boolean;
  batch: Dim;
  seq: Dim;
  packing: TokenPacking | undefined;
  /** Additive padding mask [batch, 1, 1, seq]. */
  padMask: Value;
  /** int64 positions of the rows of h ([seq] padded, [tokens] packed). */
  positions: Value;
  /** int64 [groups, length] tags for the sliding window (see banding). */
  tags: Value;
  ropes: Map<number, Rope>;
  /** Fused parameters split into blocks (see fusedParts). */
  parts: Map<string, Value[]>;
  band?: Banding;
}

function layerNorm(x: Context, h: Value, name: string): Value {
  const { g, c, s, P } = x;
  const beta = s.norm_bias
    ? P(`${name}.bias`)
    : g.constant(tensor(h.dtype === 'float16' ? 'float32' : h.dtype, [c.hidden_size], new Array<number>(c.hidden_size).fill(0)), 'zero_bias');
  return g.layerNorm(h, P(`${name}.weight`), beta, c.layer_norm_eps)[0];
}

function linear(x: Context, h: Value, name: string, bias: boolean): Value {
  return x.g.linear(h, x.P(`${name}.weight`), bias ? x.P(`${name}.bias`) : undefined);
}

function rope(x: Context, theta: number): Rope {
  let r = x.ropes.get(theta);
  if (!r) {
    const hd = x.c.hidden_size / x.c.num_attention_heads;
    r = ropeTables(x.g, x.positions, theta, hd, x.padMask.dtype);
    x.ropes.set(theta, r);
  }
  return r;
}

/**
 * The row blocks of a fused parameter (Wqkv -> q, k, v; Wi -> input, gate): one Linear per block,
 * so no activation-sized split. Split in the graph (its gradient concatenates the blocks'), or on
 * the host when the parameter is a constant (an exported model: the blocks stay initializers, as
 * int8 quantization needs; the fused one is then unused and not written).
 */
function fusedParts(x: Context, name: string, sizes: number[]): Value[] {
  const hit = x.parts.get(name);
  if (hit) return hit;
  const { g } = x;
  const p = x.P(name);
  const data = g.constantData(p);
  let out: Value[];
  if (data) {
    const width = p.shape.slice(1).reduce<number>((a, b) => a * (b as number), 1);
    let row = 0;
    out = sizes.map((n, i) => {
      const part = { dtype: data.dtype, dims: [n, ...data.dims.slice(1)], data: data.data.slice(row * width, (row + n) * width) } as HostTensor;
      row += n;
      return g.initializer(`${name}.${i}`, part);
    });
  } else out = split(g, p, 0, sizes);
  x.parts.set(name, out);
  return out;
}

/** Dropout of the attention probabilities (attention_dropout), for an explicit keep-mask shape. */
function probsDropout(x: Context): ((shape: readonly Dim[]) => Value) | undefined {
  const p = x.c.attention_probs_dropout_prob;
  if (!x.train || p === 0) return undefined;
  const { g } = x;
  return (shape) => {
    const dtype = x.padMask.dtype;
    if (p >= 1) return g.scalarConst(dtype, 0);
    const name = `dropout_mask.${g.dropoutMasks.length}`;
    g.dropoutMasks.push({ name, shape: [...shape], ratio: p });
    const mask = g.input(name, 'bool', shape);
    return g.div(g.cast(mask, dtype), g.scalarConst(dtype, 1 - p));
  };
}

/** [rows..., H] -> [rows..., heads, head_dim] */
function heads(x: Context, v: Value): Value {
  const h = x.c.num_attention_heads;
  return x.g.reshape(v, [...v.shape.slice(0, -1), h, x.c.hidden_size / h]);
}

/** [B, S, heads, d] (padded) or [tokens, heads, d] (packed, unpacked here) -> [B, heads, S, d]. */
function batchHeadsFirst(x: Context, v: Value): Value {
  const { g } = x;
  const h = x.c.num_attention_heads;
  const bshd = x.packing ? g.reshape(g.unpackRows(v, x.packing.rows, 'any'), [x.batch, x.seq, h, x.c.hidden_size / h]) : v;
  return g.transpose(bshd, [0, 2, 1, 3]);
}

/**
 * The attention block of layer i on the (normed) rows h: Wqkv, rope, global or sliding-window
 * attention, Wo and its dropout. `first` (the last layer under [CLS] pooling): only the first
 * token's query, returning [batch, hidden].
 */
function attention(x: Context, i: number, h: Value, first: Value | undefined): Value {
  const { g, c, s } = x;
  const H = c.hidden_size;
  const nh = c.num_attention_heads;
  const hd = H / nh;
  const p = `model.layers.${i}.attn`;
  const local = isLocalLayer(s, i);
  const theta = s.layer_types[i] === 'sliding_attention' ? s.local_rope_theta : s.global_rope_theta;
  const [wq, wk, wv] = fusedParts(x, `${p}.Wqkv.weight`, [H, H, H]);
  const [bq, bk, bv] = s.attention_bias ? fusedParts(x, `${p}.Wqkv.bias`, [H, H, H]) : [];
  const r = rope(x, theta);
  const k = applyRope(g, heads(x, g.linear(h, wk!, bk)), r);
  const v = heads(x, g.linear(h, wv!, bv));
  const dropMask = probsDropout(x);
  const dropFull = (probs: Value): Value => (dropMask ? g.mul(probs, dropMask(probs.shape)) : probs);
  let ctx: Value;
  if (first) {
    // The first token sits at position 0, where rope is the identity (cos 1, sin 0).
    const q = g.transpose(g.reshape(g.linear(first, wq!, bq), [x.batch, 1, nh, hd]), [0, 2, 1, 3]);
    ctx = g.reshape(g.transpose(attend(g, q, batchHeadsFirst(x, k), batchHeadsFirst(x, v), firstMask(x, local), dropFull), [0, 2, 1, 3]), [x.batch, H]);
  } else {
    const q = applyRope(g, heads(x, g.linear(h, wq!, bq)), r);
    if (local) ctx = slidingWindow(x, q, k, v, dropMask);
    else {
      const out = g.transpose(attend(g, batchHeadsFirst(x, q), batchHeadsFirst(x, k), batchHeadsFirst(x, v), x.padMask, dropFull), [0, 2, 1, 3]);
      ctx = g.reshape(x.packing ? packTokens(g, out, x.packing) : out, [...h.shape.slice(0, -1), H]);
    }
  }
  return x.drop.apply(linear(x, ctx, `${p}.Wo`, s.attention_bias), c.attention_probs_dropout_prob);
}

/** Sliding-window attention of q, k, v laid out as h's rows ([B, S, heads, d] or [tokens, heads, d]); returns h's layout [.., H]. */
function slidingWindow(x: Context, q: Value, k: Value, v: Value, dropMask: ((shape: readonly Dim[]) => Value) | undefined): Value {
  const { g, c } = x;
  const H = c.hidden_size;
  x.band ??= banding(g, x.tags, Math.floor(x.s.local_attention / 2), x.padMask.dtype);
  // To [groups, heads, length, d]: the batch rows (padded) or one packed stream.
  const toStream = (t: Value): Value => (x.packing ? g.unsqueeze(g.transpose(t, [1, 0, 2]), [0]) : g.transpose(t, [0, 2, 1, 3]));
  const out = localAttention(g, toStream(q), toStream(k), toStream(v), x.band, dropMask);
  if (x.packing) return g.reshape(g.transpose(g.squeeze(out, [0]), [1, 0, 2]), [q.shape[0]!, H]);
  return g.reshape(g.transpose(out, [0, 2, 1, 3]), [x.batch, x.seq, H]);
}

/** The first token's attention mask [batch, 1, 1, seq]: padding, and in local layers the window (keys 0..r). */
function firstMask(x: Context, local: boolean): Value {
  if (!local) return x.padMask;
  const { g } = x;
  const r = Math.floor(x.s.local_attention / 2);
  const inWindow = g.reshape(g.less(g.range(x.seq), g.scalarConst('int64', r + 1)), [1, 1, 1, x.seq]);
  return g.where(inWindow, x.padMask, g.scalarConst(x.padMask.dtype, FLOAT32_MIN));
}

/** Wi -> act(input) * gate -> dropout -> Wo. */
function mlp(x: Context, i: number, h: Value): Value {
  const { g, c, s } = x;
  const p = `model.layers.${i}.mlp`;
  const I = c.intermediate_size;
  const [wIn, wGate] = fusedParts(x, `${p}.Wi.weight`, [I, I]);
  const [bIn, bGate] = s.mlp_bias ? fusedParts(x, `${p}.Wi.bias`, [I, I]) : [];
  const input = g.linear(h, wIn!, bIn);
  const gate = g.linear(h, wGate!, bGate);
  const act = x.drop.apply(g.mul(activation(g, input, s.hidden_activation), gate), c.hidden_dropout_prob);
  return linear(x, act, `${p}.Wo`, s.mlp_bias);
}

function encoderLayer(x: Context, i: number, h: Value, firstOnly: boolean): Value {
  const { g } = x;
  const normed = i === 0 ? h : layerNorm(x, h, `model.layers.${i}.attn_norm`);
  const first = firstOnly ? (x.packing ? firstRows(g, normed, x.packing) : firstToken(g, normed)) : undefined;
  const residual = firstOnly ? (x.packing ? firstRows(g, h, x.packing) : firstToken(g, h)) : h;
  const a = g.add(residual, attention(x, i, normed, first));
  return g.add(a, mlp(x, i, layerNorm(x, a, `model.layers.${i}.mlp_norm`)));
}

/** The mean of the final hidden states over the real tokens, as transformers: sum(h * mask) / sum(mask). */
function meanPool(x: Context, h: Value, attentionMask: Value): Value {
  const { g } = x;
  const counts = g.cast(g.reduceSum(attentionMask, [1], true), h.dtype);
  // Packed: the padding rows come back as zeros.
  const summed = x.packing
    ? g.reduceSum(g.reshape(g.unpackRows(h, x.packing.rows, 'zeros'), [x.batch, x.seq, x.c.hidden_size]), [1])
    : g.reduceSum(g.mul(h, g.unsqueeze(g.cast(attentionMask, h.dtype), [-1])), [1]);
  return g.div(summed, counts);
}

function context(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions, drop: DropoutSites, dtype: Value['dtype']): Context {
  const [batch, seq] = inputs.attentionMask.shape as [Dim, Dim];
  const padMask = additiveMask(g, inputs.attentionMask, dtype);
  const packing = opts.packTokens ? tokenPacking(g, inputs.attentionMask) : undefined;
  let positions: Value;
  let tags: Value;
  if (packing) {
    // Packed token n is flat position idx[n] = row * seq + position.
    const seqLen = axisSize(g, inputs.attentionMask, 1);
    const row = g.div(packing.rows.idx, seqLen);
    positions = g.sub(packing.rows.idx, g.mul(row, seqLen));
    tags = g.unsqueeze(row, [0]);
  } else {
    positions = g.range(seq);
    tags = g.sub(inputs.attentionMask, g.scalarConst('int64', 1)); // 0 real, -1 padding
  }
  return {
    g,
    c,
    s: modernbertSettings(c),
    P: opts.param,
    drop,
    train: opts.train,
    batch,
    seq,
    packing,
    padMask,
    positions,
    tags,
    ropes: new Map(),
    parts: new Map(),
  };
}

/**
 * The body and the head up to the classifier's input ([batch, hidden], before the classifier
 * dropout): embeddings, layers, final_norm, pooling, head.dense -> act -> head.norm.
 */
export function modernbertPooled(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions, drop: DropoutSites): Value {
  const P = opts.param;
  const tok = P('model.embeddings.tok_embeddings.weight');
  const x = context(g, c, inputs, opts, drop, tok.dtype);
  const { s } = x;
  const ids = x.packing ? g.packRows(g.reshape(inputs.inputIds, [`${x.batch}*${x.seq}`]), x.packing.rows) : inputs.inputIds;
  let h = drop.apply(layerNorm(x, inputEmbeddings(g, opts, tok, ids, c.pad_token_id), 'model.embeddings.norm'), s.embedding_dropout);
  const L = c.num_hidden_layers;
  const cls = s.classifier_pooling === 'cls';
  // Under [CLS] pooling the last layer computes the first token only (the one the head reads).
  for (let i = 0; i < L; i++) h = encoderLayer(x, i, h, cls && i === L - 1);
  if (cls && L === 0) h = x.packing ? firstRows(g, h, x.packing) : firstToken(g, h);
  h = layerNorm(x, h, 'model.final_norm');
  const pooled = cls ? h : meanPool(x, h, inputs.attentionMask);
  return layerNorm(x, activation(g, linear(x, pooled, 'head.dense', s.classifier_bias), s.classifier_activation), 'head.norm');
}

export function modernbertLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const drop = new DropoutSites(g, opts.train);
  const pooled = drop.apply(modernbertPooled(g, c, inputs, opts, drop), classifierDropout(c));
  return g.linear(pooled, opts.param('classifier.weight'), opts.param('classifier.bias'));
}
