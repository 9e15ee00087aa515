/**
 * ELECTRA discriminator for sequence classification (`ElectraForSequenceClassification`):
 * BERT-style embeddings of width embedding_size, projected to hidden_size by
 * `electra.embeddings_project` when the two differ; the BERT encoder under `electra.`; no pooler;
 * `ElectraClassificationHead`: dropout, dense, GELU, dropout, out_proj on [CLS].
 */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import type { ModelConfig } from '../config.js';
import type { ParamSpec } from '../params.js';
import { DropoutSites, type ForwardOptions, type ModelInputs, SpecList, embeddings, encoderStack, encoderLayerSpecs } from './common.js';
import { denseHead } from './roberta.js';

const embeddingSize = (c: ModelConfig): number => c.embedding_size ?? c.hidden_size;

export function electraParamSpecs(c: ModelConfig): ParamSpec[] {
  const list = new SpecList();
  const E = embeddingSize(c);
  list.embedding('electra.embeddings.word_embeddings.weight', c.vocab_size, E, true);
  list.embedding('electra.embeddings.position_embeddings.weight', c.max_position_embeddings, E, false);
  list.embedding('electra.embeddings.token_type_embeddings.weight', c.type_vocab_size, E, false);
  list.layerNorm('electra.embeddings.LayerNorm', E);
  if (E !== c.hidden_size) list.linear('electra.embeddings_project', c.hidden_size, E);
  for (let i = 0; i < c.num_hidden_layers; i++) encoderLayerSpecs(list, `electra.encoder.layer.${i}`, c);
  list.linear('classifier.dense', c.hidden_size, c.hidden_size);
  list.linear('classifier.out_proj', c.num_labels, c.hidden_size);
  return list.specs;
}

export function electraLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const P = opts.param;
  const drop = new DropoutSites(g, opts.train);
  let h = embeddings(g, c, inputs, 'electra.embeddings', opts, drop, g.range(inputs.inputIds.shape[1]!));
  if (embeddingSize(c) !== c.hidden_size) h = g.linear(h, P('electra.embeddings_project.weight'), P('electra.embeddings_project.bias'));
  const cls = encoderStack(g, c, h, inputs.attentionMask, { prefix: (i) => `electra.encoder.layer.${i}`, P, drop, pack: !!opts.packTokens });
  return denseHead(g, c, cls, P, drop, 'gelu');
}
