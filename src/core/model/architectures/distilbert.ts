/**
 * DistilBERT for sequence classification (`DistilBertForSequenceClassification`): word + position
 * embeddings (no token types), LayerNorm (eps 1e-12), dropout; layers named q_lin / k_lin / v_lin
 * / out_lin, sa_layer_norm, ffn.lin1 / lin2, output_layer_norm, with attention dropout and FFN
 * dropout only (none after out_lin); head on [CLS]: pre_classifier, ReLU, dropout
 * (seq_classif_dropout), classifier.
 *
 * transformers masks DistilBERT's scores with masked_fill(finfo.min) and scales q before q k^T;
 * the additive mask and the scaling after give the same softmax (masked scores are -3.4e38 either
 * way), so the shared attention block serves.
 */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import { type ModelConfig, classifierDropout } from '../config.js';
import type { ParamSpec } from '../params.js';
import { DropoutSites, type ForwardOptions, type LayerNames, type ModelInputs, SpecList, encoderStack, encoderLayerSpecs, inputEmbeddings } from './common.js';

export const DISTILBERT_LAYER: LayerNames = {
  query: 'attention.q_lin',
  key: 'attention.k_lin',
  value: 'attention.v_lin',
  attnOut: 'attention.out_lin',
  attnNorm: 'sa_layer_norm',
  inter: 'ffn.lin1',
  out: 'ffn.lin2',
  outNorm: 'output_layer_norm',
};

export function distilbertParamSpecs(c: ModelConfig): ParamSpec[] {
  const list = new SpecList();
  const H = c.hidden_size;
  list.embedding('distilbert.embeddings.word_embeddings.weight', c.vocab_size, H, true);
  list.embedding('distilbert.embeddings.position_embeddings.weight', c.max_position_embeddings, H, false);
  list.layerNorm('distilbert.embeddings.LayerNorm', H);
  for (let i = 0; i < c.num_hidden_layers; i++) encoderLayerSpecs(list, `distilbert.transformer.layer.${i}`, c, DISTILBERT_LAYER);
  list.linear('pre_classifier', H, H);
  list.linear('classifier', c.num_labels, H);
  return list.specs;
}

export function distilbertLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const P = opts.param;
  const drop = new DropoutSites(g, opts.train);
  const words = inputEmbeddings(g, opts, P('distilbert.embeddings.word_embeddings.weight'), inputs.inputIds, c.pad_token_id);
  let h = g.add(words, g.embedding(P('distilbert.embeddings.position_embeddings.weight'), g.range(inputs.inputIds.shape[1]!)));
  h = g.layerNorm(h, P('distilbert.embeddings.LayerNorm.weight'), P('distilbert.embeddings.LayerNorm.bias'), c.layer_norm_eps)[0];
  h = drop.apply(h, c.hidden_dropout_prob);
  const cls = encoderStack(g, c, h, inputs.attentionMask, {
    prefix: (i) => `distilbert.transformer.layer.${i}`,
    P,
    drop,
    pack: !!opts.packTokens,
    names: DISTILBERT_LAYER,
    attnOutDropout: false,
  });
  let x = g.relu(g.linear(cls, P('pre_classifier.weight'), P('pre_classifier.bias')));
  x = drop.apply(x, classifierDropout(c));
  return g.linear(x, P('classifier.weight'), P('classifier.bias'));
}
