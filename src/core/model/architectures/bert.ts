/**
 * BERT for sequence classification with transformers' `BertForSequenceClassification` semantics:
 * word + token-type + position embeddings, LayerNorm (eps from config), dropout; post-LN encoder
 * layers with an additive attention mask of the float32 minimum, exact (erf) GELU; tanh pooler on
 * [CLS]; classifier dropout and Linear. Parameter names and shapes are Hugging Face's.
 */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import { type ModelConfig, classifierDropout } from '../config.js';
import type { ParamSpec } from '../params.js';

/** torch.finfo(torch.float32).min, the additive mask transformers uses for masked positions. */
export const FLOAT32_MIN = -3.4028234663852886e38;

export function bertParamSpecs(c: ModelConfig): ParamSpec[] {
  const H = c.hidden_size;
  const specs: ParamSpec[] = [];
  const linear = (prefix: string, out: number, inp: number): void => {
    specs.push({ name: `${prefix}.weight`, shape: [out, inp], init: 'normal' }, { name: `${prefix}.bias`, shape: [out], init: 'zeros' });
  };
  const ln = (prefix: string): void => {
    specs.push({ name: `${prefix}.weight`, shape: [H], init: 'ones' }, { name: `${prefix}.bias`, shape: [H], init: 'zeros' });
  };
  specs.push(
    { name: 'bert.embeddings.word_embeddings.weight', shape: [c.vocab_size, H], init: 'embedding' },
    { name: 'bert.embeddings.position_embeddings.weight', shape: [c.max_position_embeddings, H], init: 'normal' },
    { name: 'bert.embeddings.token_type_embeddings.weight', shape: [c.type_vocab_size, H], init: 'normal' },
  );
  ln('bert.embeddings.LayerNorm');
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `bert.encoder.layer.${i}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    ln(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, c.intermediate_size, H);
    linear(`${p}.output.dense`, H, c.intermediate_size);
    ln(`${p}.output.LayerNorm`);
  }
  linear('bert.pooler.dense', H, H);
  linear('classifier', c.num_labels, H);
  return specs;
}

export interface ModelInputs {
  inputIds: Value;
  attentionMask: Value;
  tokenTypeIds?: Value;
}

export interface ForwardOptions {
  /** Training mode: dropout on. */
  train: boolean;
  /** Base seed for the dropout sites (each site gets its own). */
  dropoutSeed: number;
  /**
   * Runs already made with this seed (ONNX Runtime advances each Dropout's seed by one per run):
   * a session resumed after k runs is built with k here and draws what an uninterrupted one would.
   */
  dropoutRunOffset?: number;
  /** Resolves a parameter by name to a graph value (input or initializer). */
  param: (name: string) => Value;
}

/** A dropout helper that numbers the sites so each draws its own stream. */
export class DropoutSites {
  private site = 0;
  constructor(
    private readonly g: GraphBuilder,
    private readonly train: boolean,
    private readonly seed: number,
    private readonly runOffset = 0,
  ) {}

  apply(x: Value, p: number): Value {
    if (!this.train || p === 0) return x;
    // Sites are 2^32 apart, and each run advances a site's seed by one (see GraphBuilder.dropout).
    const seed = this.seed * 65_537 + this.site++ * 4_294_967_296 + this.runOffset;
    return this.g.dropout(x, p, seed)[0];
  }
}

/** The BERT body up to the pooled [CLS] vector ([batch, hidden]). */
export function bertPooled(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions, drop: DropoutSites): Value {
  const P = (n: string): Value => opts.param(n);
  const dt = P('bert.embeddings.word_embeddings.weight').dtype;
  const H = c.hidden_size;
  const heads = c.num_attention_heads;
  const hd = H / heads;
  const [B, S] = inputs.inputIds.shape as [string | number, string | number];

  // Embeddings: inputs_embeds + token_type_embeddings, then + position_embeddings (transformers' order).
  const words = g.gather(P('bert.embeddings.word_embeddings.weight'), inputs.inputIds, 0);
  const tokenTypes = inputs.tokenTypeIds ?? g.zerosLike(inputs.inputIds);
  let h = g.add(words, g.gather(P('bert.embeddings.token_type_embeddings.weight'), tokenTypes, 0));
  h = g.add(h, g.gather(P('bert.embeddings.position_embeddings.weight'), g.range(S), 0));
  h = g.layerNorm(h, P('bert.embeddings.LayerNorm.weight'), P('bert.embeddings.LayerNorm.bias'), c.layer_norm_eps)[0];
  h = drop.apply(h, c.hidden_dropout_prob);

  // (1 - mask[:, None, None, :]) * finfo(float32).min
  const maskF = g.cast(g.reshape(inputs.attentionMask, [B, 1, 1, S]), dt);
  const additive = g.mul(g.sub(g.scalarConst(dt, 1), maskF), g.scalarConst(dt, FLOAT32_MIN));
  const invSqrt = g.scalarConst(dt, Math.sqrt(hd));

  const splitHeads = (x: Value): Value => g.transpose(g.reshape(x, [B, S, heads, hd]), [0, 2, 1, 3]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `bert.encoder.layer.${i}`;
    const lin = (name: string, x: Value): Value => g.linear(x, P(`${p}.${name}.weight`), P(`${p}.${name}.bias`));
    const q = splitHeads(lin('attention.self.query', h));
    const k = splitHeads(lin('attention.self.key', h));
    const v = splitHeads(lin('attention.self.value', h));
    // scores = q k^T / sqrt(d) + mask
    let scores = g.div(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), invSqrt);
    scores = g.add(scores, additive);
    let probs = g.softmax(scores, -1);
    probs = drop.apply(probs, c.attention_probs_dropout_prob);
    const ctx = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [B, S, H]);
    let attn = drop.apply(lin('attention.output.dense', ctx), c.hidden_dropout_prob);
    attn = g.layerNorm(g.add(attn, h), P(`${p}.attention.output.LayerNorm.weight`), P(`${p}.attention.output.LayerNorm.bias`), c.layer_norm_eps)[0];
    const inter = g.gelu(lin('intermediate.dense', attn));
    const out = drop.apply(lin('output.dense', inter), c.hidden_dropout_prob);
    h = g.layerNorm(g.add(out, attn), P(`${p}.output.LayerNorm.weight`), P(`${p}.output.LayerNorm.bias`), c.layer_norm_eps)[0];
  }
  const cls = g.pick(h, 1, 0);
  return g.tanh(g.linear(cls, P('bert.pooler.dense.weight'), P('bert.pooler.dense.bias')));
}

export function bertLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const drop = new DropoutSites(g, opts.train, opts.dropoutSeed, opts.dropoutRunOffset);
  const pooled = drop.apply(bertPooled(g, c, inputs, opts, drop), classifierDropout(c));
  return g.linear(pooled, opts.param('classifier.weight'), opts.param('classifier.bias'));
}
