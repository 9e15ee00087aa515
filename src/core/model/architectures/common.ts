/**
 * Building blocks shared by the BERT family, each following transformers' modules: the eager
 * self-attention with an additive float32-min mask, the post-LN encoder layer, dropout sites.
 */
import type { Dim, GraphBuilder, RowPacking, Value } from '../../engine/graph.js';
import type { ModelConfig } from '../config.js';
import type { ParamSpec } from '../params.js';

/** torch.finfo(torch.float32).min, the additive mask transformers uses for masked positions. */
export const FLOAT32_MIN = -3.4028234663852886e38;

export interface ModelInputs {
  inputIds: Value;
  attentionMask: Value;
  tokenTypeIds?: Value;
}

export interface ForwardOptions {
  /** Training mode: dropout on. */
  train: boolean;
  /** Resolves a parameter by name to a graph value (input or initializer). */
  param: (name: string) => Value;
  /**
   * Run the encoder layers on the real tokens only (see TokenPacking): the Linear, LayerNorm,
   * GELU and dropout work skips padding; attention unpacks to [batch, seq]. Same values.
   */
  packTokens?: boolean;
  /**
   * Explanation graphs: receives the embeddings of the input tokens (the word / token embedding
   * lookup of `input_ids`, [batch, seq, E], before positions, token types and the norm) and a lookup
   * of other ids in the same table; what it returns goes on in their place (Integrated Gradients
   * feeds a path from a baseline and differentiates with respect to it). Every architecture looks
   * its input tokens up through `inputEmbeddings` below, once per forward pass; graphs that set this
   * do not pack tokens, so the ids are [batch, seq].
   */
  inputEmbeddings?: (words: Value, lookup: (ids: Value) => Value) => Value;
}

/**
 * The embeddings of the input tokens: the one place an architecture looks up `input_ids` in its
 * word (token) embedding table, so that an explanation graph can replace them
 * (ForwardOptions.inputEmbeddings). `paddingIdx`: the row that gets no gradient in training.
 */
export function inputEmbeddings(g: GraphBuilder, opts: ForwardOptions, table: Value, ids: Value, paddingIdx?: number): Value {
  const lookup = (x: Value): Value => g.embedding(table, x, paddingIdx);
  const words = lookup(ids);
  return opts.inputEmbeddings ? opts.inputEmbeddings(words, lookup) : words;
}

/** The real (attention mask 1) positions of a padded [batch, seq] batch (see GraphBuilder.rowPacking). */
export interface TokenPacking {
  rows: RowPacking;
  batch: Dim;
  seq: Dim;
}

export function tokenPacking(g: GraphBuilder, attentionMask: Value): TokenPacking {
  const [B, S] = attentionMask.shape as [Dim, Dim];
  return { rows: g.rowPacking(g.reshape(attentionMask, [`${B}*${S}`]), 'tokens'), batch: B, seq: S };
}

/** [batch, seq, ...] -> [tokens, ...] */
export function packTokens(g: GraphBuilder, h: Value, p: TokenPacking): Value {
  return g.packRows(g.reshape(h, [`${p.batch}*${p.seq}`, ...h.shape.slice(2)]), p.rows);
}

/** Applies dropout where the model has it, in training graphs only (masks: GraphBuilder.dropout). */
export class DropoutSites {
  constructor(
    private readonly g: GraphBuilder,
    private readonly train: boolean,
  ) {}

  apply(x: Value, p: number): Value {
    if (!this.train || p === 0) return x;
    // torch's dropout with p = 1 zeroes its input.
    if (p >= 1) return this.g.mul(x, this.g.scalarConst(x.dtype, 0));
    return this.g.dropout(x, p);
  }
}

export class SpecList {
  readonly specs: ParamSpec[] = [];
  linear(prefix: string, out: number, inp: number): this {
    this.specs.push({ name: `${prefix}.weight`, shape: [out, inp], init: 'normal' }, { name: `${prefix}.bias`, shape: [out], init: 'zeros' });
    return this;
  }
  layerNorm(prefix: string, width: number): this {
    this.specs.push({ name: `${prefix}.weight`, shape: [width], init: 'ones' }, { name: `${prefix}.bias`, shape: [width], init: 'zeros' });
    return this;
  }
  embedding(name: string, rows: number, width: number, padded: boolean): this {
    this.specs.push({ name, shape: [rows, width], init: padded ? 'embedding' : 'normal' });
    return this;
  }
}

/** Names of one encoder layer's modules (BERT's by default). */
export interface LayerNames {
  query: string;
  key: string;
  value: string;
  attnOut: string;
  attnNorm: string;
  inter: string;
  out: string;
  outNorm: string;
}

export const BERT_LAYER: LayerNames = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  attnOut: 'attention.output.dense',
  attnNorm: 'attention.output.LayerNorm',
  inter: 'intermediate.dense',
  out: 'output.dense',
  outNorm: 'output.LayerNorm',
};

export function encoderLayerSpecs(list: SpecList, prefix: string, c: ModelConfig, n: LayerNames = BERT_LAYER): void {
  const H = c.hidden_size;
  list.linear(`${prefix}.${n.query}`, H, H).linear(`${prefix}.${n.key}`, H, H).linear(`${prefix}.${n.value}`, H, H);
  list.linear(`${prefix}.${n.attnOut}`, H, H).layerNorm(`${prefix}.${n.attnNorm}`, H);
  list.linear(`${prefix}.${n.inter}`, c.intermediate_size, H).linear(`${prefix}.${n.out}`, H, c.intermediate_size);
  list.layerNorm(`${prefix}.${n.outNorm}`, H);
}

/**
 * (1 - mask[:, None, None, :]) * finfo(float32).min, in the graph's float dtype; never float16
 * (as transformers builds it in the parameters' dtype under autocast: in float16 the minimum is
 * -inf and 0 * -inf is NaN).
 */
export function additiveMask(g: GraphBuilder, mask: Value, hiddenDtype: Value['dtype']): Value {
  const dtype = hiddenDtype === 'float16' ? 'float32' : hiddenDtype;
  const [B, S] = mask.shape as [Dim, Dim];
  const maskF = g.cast(g.reshape(mask, [B, 1, 1, S]), dtype);
  return g.mul(g.sub(g.scalarConst(dtype, 1), maskF), g.scalarConst(dtype, FLOAT32_MIN));
}

/** What a post-LN encoder layer (BERT family) needs besides its input. */
export interface LayerContext {
  g: GraphBuilder;
  config: ModelConfig;
  /** The additive attention mask, [batch, 1, 1, seq]. */
  mask: Value;
  /** Resolves a parameter by name. */
  P: (name: string) => Value;
  drop: DropoutSites;
  /** Module names (BERT's by default). */
  names?: LayerNames;
  /** DistilBERT: no dropout after the attention output projection (default true). */
  attnOutDropout?: boolean;
  /** The layers run on the real tokens only (see TokenPacking). */
  packing?: TokenPacking;
}

/**
 * One post-LN transformer layer: eager self-attention (scores = q k^T / sqrt(d) + mask, softmax,
 * dropout), output projection (+ dropout) + residual + LayerNorm, GELU MLP (+ dropout) + residual
 * + LayerNorm. `h` is [batch, seq, hidden], or [tokens, hidden] with `packing`. `firstOnly` (a
 * classifier's last layer, whose only output read is the first token's): the query, the attention
 * row, the output projection and the MLP run for the first token alone, and the layer returns
 * [batch, hidden].
 */
export function encoderLayer(x: LayerContext, h: Value, prefix: string, firstOnly = false): Value {
  const { g, config: c, mask, P, drop, packing } = x;
  const n = x.names ?? BERT_LAYER;
  const [B, S] = packing ? [packing.batch, packing.seq] : (h.shape as [Dim, Dim]);
  const H = c.hidden_size;
  const heads = c.num_attention_heads;
  const hd = H / heads;
  const lin = (name: string, v: Value): Value => g.linear(v, P(`${prefix}.${name}.weight`), P(`${prefix}.${name}.bias`));
  const norm = (name: string, v: Value): Value => g.layerNorm(v, P(`${prefix}.${name}.weight`), P(`${prefix}.${name}.bias`), c.layer_norm_eps)[0];
  const splitHeads = (v: Value): Value => g.transpose(g.reshape(packing ? g.unpackRows(v, packing.rows, 'any') : v, [B, S, heads, hd]), [0, 2, 1, 3]);
  const first = firstOnly ? firstRows(g, h, packing) : undefined;
  const q = first ? g.transpose(g.reshape(lin(n.query, first), [B, 1, heads, hd]), [0, 2, 1, 3]) : splitHeads(lin(n.query, h));
  const k = splitHeads(lin(n.key, h));
  const v = splitHeads(lin(n.value, h));
  let scores = g.div(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), g.scalarConst(h.dtype, Math.sqrt(hd)));
  scores = g.add(scores, mask);
  const probs = drop.apply(g.softmax(scores, -1), c.attention_probs_dropout_prob);
  const ctx = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), first ? [B, H] : [B, S, H]);
  let attn = lin(n.attnOut, packing && !first ? packTokens(g, ctx, packing) : ctx);
  if (x.attnOutDropout ?? true) attn = drop.apply(attn, c.hidden_dropout_prob);
  attn = norm(n.attnNorm, g.add(attn, first ?? h));
  const act = c.hidden_act === 'relu' ? g.relu(lin(n.inter, attn)) : g.gelu(lin(n.inter, attn));
  const out = drop.apply(lin(n.out, act), c.hidden_dropout_prob);
  return norm(n.outNorm, g.add(out, attn));
}

/** Each sequence's first token ([CLS]) of h [batch, seq, hidden] or packed [tokens, hidden]: [batch, hidden]. */
export function firstRows(g: GraphBuilder, h: Value, packing?: TokenPacking): Value {
  if (!packing) return firstToken(g, h);
  // invAny: a sequence that began with padding (never made by Finetune's right-padding collate)
  // reads a real row instead of indexing past the packed ones.
  const at = g.pick(g.reshape(packing.rows.invAny, [packing.batch, packing.seq]), 1, 0);
  return g.gather(h, at, 0);
}

/** An encoder stack: the layer context without its mask and packing (the stack makes them from the attention mask). */
export interface StackOptions {
  /** Layer i's key prefix (`bert.encoder.layer.${i}`). */
  prefix: (i: number) => string;
  P: (name: string) => Value;
  drop: DropoutSites;
  /** Run the layers on the real tokens only. */
  pack: boolean;
  names?: LayerNames;
  attnOutDropout?: boolean;
}

/**
 * The encoder layers over h [batch, seq, hidden] (packed to the real tokens when `pack`); returns
 * the first token's final hidden state [batch, hidden], the only one a sequence classifier reads
 * (so the last layer computes nothing else; see encoderLayer's `firstOnly`).
 */
export function encoderStack(g: GraphBuilder, c: ModelConfig, h: Value, attentionMask: Value, o: StackOptions): Value {
  const packing = o.pack ? tokenPacking(g, attentionMask) : undefined;
  const x: LayerContext = {
    g,
    config: c,
    mask: additiveMask(g, attentionMask, h.dtype),
    P: o.P,
    drop: o.drop,
    ...(o.names ? { names: o.names } : {}),
    ...(o.attnOutDropout !== undefined ? { attnOutDropout: o.attnOutDropout } : {}),
    ...(packing ? { packing } : {}),
  };
  let y = packing ? packTokens(g, h, packing) : h;
  const L = c.num_hidden_layers;
  for (let i = 0; i < L; i++) y = encoderLayer(x, y, o.prefix(i), i === L - 1);
  return L > 0 ? y : firstRows(g, y, packing);
}

/** BERT-style embeddings: word + token type + position, LayerNorm, dropout. */
export function embeddings(
  g: GraphBuilder,
  c: ModelConfig,
  inputs: ModelInputs,
  prefix: string,
  opts: ForwardOptions,
  drop: DropoutSites,
  positionIds: Value,
  positionPaddingIdx?: number,
): Value {
  const P = opts.param;
  const words = inputEmbeddings(g, opts, P(`${prefix}.word_embeddings.weight`), inputs.inputIds, c.pad_token_id);
  let h = words;
  if (c.type_vocab_size > 0) {
    const types = inputs.tokenTypeIds ?? g.zerosLike(inputs.inputIds);
    h = g.add(h, g.embedding(P(`${prefix}.token_type_embeddings.weight`), types));
  }
  h = g.add(h, g.embedding(P(`${prefix}.position_embeddings.weight`), positionIds, positionPaddingIdx));
  h = g.layerNorm(h, P(`${prefix}.LayerNorm.weight`), P(`${prefix}.LayerNorm.bias`), c.layer_norm_eps)[0];
  return drop.apply(h, c.hidden_dropout_prob);
}

/** The first token's hidden state, [batch, hidden]. */
export function firstToken(g: GraphBuilder, h: Value): Value {
  return g.pick(h, 1, 0);
}
