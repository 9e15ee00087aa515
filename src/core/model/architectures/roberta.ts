/**
 * RoBERTa / XLM-RoBERTa for sequence classification (`RobertaForSequenceClassification`):
 * the BERT body under `roberta.`, position ids counted from the non-padding tokens
 * (`create_position_ids_from_input_ids`: cumsum(ids != pad) * (ids != pad) + pad, so the first
 * real token is at pad + 1), no pooler, and `RobertaClassificationHead` on <s>:
 * dropout, dense, tanh, dropout, out_proj.
 */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import { type ModelConfig, classifierDropout } from '../config.js';
import type { ParamSpec } from '../params.js';
import { bertBodySpecs } from './bert.js';
import { DropoutSites, type ForwardOptions, type ModelInputs, SpecList, embeddings, encoderStack } from './common.js';

export function robertaParamSpecs(c: ModelConfig): ParamSpec[] {
  const list = new SpecList();
  bertBodySpecs(list, c, 'roberta');
  list.linear('classifier.dense', c.hidden_size, c.hidden_size);
  list.linear('classifier.out_proj', c.num_labels, c.hidden_size);
  return list.specs;
}

export function robertaPositionIds(g: GraphBuilder, inputIds: Value, pad: number): Value {
  const padV = g.scalarConst('int64', pad);
  const notPad = g.cast(g.not(g.equal(inputIds, padV)), 'int64');
  return g.add(g.mul(g.cumsum(notPad, 1), notPad), padV);
}

/** The head shared by RoBERTa (tanh) and ELECTRA (GELU): <s> -> dropout -> dense -> act -> dropout -> out_proj. */
/** The classification head on the first token's hidden state [batch, hidden]. */
export function denseHead(g: GraphBuilder, c: ModelConfig, cls: Value, P: (n: string) => Value, drop: DropoutSites, act: 'tanh' | 'gelu'): Value {
  const p = classifierDropout(c);
  let x = drop.apply(cls, p);
  x = g.linear(x, P('classifier.dense.weight'), P('classifier.dense.bias'));
  x = act === 'tanh' ? g.tanh(x) : g.gelu(x);
  x = drop.apply(x, p);
  return g.linear(x, P('classifier.out_proj.weight'), P('classifier.out_proj.bias'));
}

export function robertaLogits(g: GraphBuilder, c: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value {
  const P = opts.param;
  const drop = new DropoutSites(g, opts.train);
  const positions = robertaPositionIds(g, inputs.inputIds, c.pad_token_id);
  const h = embeddings(g, c, inputs, 'roberta.embeddings', opts, drop, positions, c.pad_token_id);
  const cls = encoderStack(g, c, h, inputs.attentionMask, { prefix: (i) => `roberta.encoder.layer.${i}`, P, drop, pack: !!opts.packTokens });
  return denseHead(g, c, cls, P, drop, 'tanh');
}
