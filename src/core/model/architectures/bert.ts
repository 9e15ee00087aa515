/**
 * BERT for sequence classification with transformers' `BertForSequenceClassification` semantics:
 * word + token-type + position embeddings, LayerNorm (eps from config), dropout; post-LN encoder
 * layers with an additive attention mask of the float32 minimum, exact (erf) GELU; tanh pooler on
 * [CLS]; classifier dropout and Linear. Parameter names and shapes are Hugging Face's.
 */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import { type ModelConfig, classifierDropout } from '../config.js';
import type { ParamSpec } from '../params.js';
import { DropoutSites, type ForwardOptions, type ModelInputs, SpecList, embeddings, encoderStack, encoderLayerSpecs } from './common.js';

export { FLOAT32_MIN } from './common.js';

export function bertBodySpecs(list: SpecList, c: ModelConfig, prefix = 'bert'): void {
  const H = c.hidden_size;
  list.embedding(`${prefix}.embeddings.word_embeddings.weight`, c.vocab_size, H, true);
  list.embedding(`${prefix}.embeddings.position_embeddings.weight`, c.max_position_embeddings, H, false);
  list.embedding(`${prefix}.embeddings.token_type_embeddings.weight`, c.type_vocab_size, H, false);
  list.layerNorm(`${prefix}.embeddings.LayerNorm`, H);
  for (let i = 0; i < c.num_hidden_layers; i++) encoderLayerSpecs(list, `${prefix}.encoder.layer.${i}`, c);
}

export function bertParamSpecs(c: ModelConfig): ParamSpec[] {
  const list = new SpecList();
  bertBodySpecs(list, c);
  list.linear('bert.pooler.dense', c.hidden_size, c.hidden_size);
  list.linear('classifier', c.num_labels, c.hidden_size);
  return list.specs;
}

/** The BERT body up to the pooled [CLS] vector ([batch, hidden]). */
export function bertPooled(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions, drop: DropoutSites): Value {
  const P = opts.param;
  const S = inputs.inputIds.shape[1]!;
  const h = embeddings(g, c, inputs, 'bert.embeddings', opts, drop, g.range(S));
  const cls = encoderStack(g, c, h, inputs.attentionMask, { prefix: (i) => `bert.encoder.layer.${i}`, P, drop, pack: !!opts.packTokens });
  return g.tanh(g.linear(cls, P('bert.pooler.dense.weight'), P('bert.pooler.dense.bias')));
}

export function bertLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const drop = new DropoutSites(g, opts.train);
  const pooled = drop.apply(bertPooled(g, c, inputs, opts, drop), classifierDropout(c));
  return g.linear(pooled, opts.param('classifier.weight'), opts.param('classifier.bias'));
}
