/** The architecture table: parameter layout, classification forward and checkpoint key rules per model type. */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import type { ModelConfig, ModelType } from '../config.js';
import type { ParamSpec } from '../params.js';
import { bertLogits, bertParamSpecs } from './bert.js';
import type { ForwardOptions, ModelInputs } from './common.js';
import { debertaLogits, debertaParamSpecs } from './deberta.js';
import { distilbertLogits, distilbertParamSpecs } from './distilbert.js';
import { electraLogits, electraParamSpecs } from './electra.js';
import { modernbertLogits, modernbertParamSpecs } from './modernbert.js';
import { robertaLogits, robertaParamSpecs } from './roberta.js';

export type { ForwardOptions, ModelInputs } from './common.js';

export interface Architecture {
  /** transformers' class name for config.json `architectures`. */
  readonly className: string;
  /** Whether the model takes token_type_ids (see takesTokenTypes). */
  readonly usesTokenTypes: boolean;
  /** Where that depends on the config (DeBERTa: type_vocab_size > 0), the config's answer. */
  readonly tokenTypesFor?: (config: ModelConfig) => boolean;
  /** Checkpoint keys that are not logged as unused (transformers' _keys_to_ignore_on_load_unexpected). */
  readonly ignoredKeys?: RegExp;
  /** The body's key prefix (`bert`, `roberta`, ...): base-model checkpoints store keys without it. */
  readonly prefix: string;
  /** Parameters belonging to the classification head (initialised fresh when absent). */
  readonly headPrefixes: readonly string[];
  paramSpecs(config: ModelConfig): ParamSpec[];
  logits(g: GraphBuilder, config: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value;
}

export const ARCHITECTURES: Record<ModelType, Architecture> = {
  bert: {
    className: 'BertForSequenceClassification',
    usesTokenTypes: true,
    prefix: 'bert',
    headPrefixes: ['classifier.', 'bert.pooler.'],
    paramSpecs: bertParamSpecs,
    logits: bertLogits,
  },
  roberta: {
    className: 'RobertaForSequenceClassification',
    usesTokenTypes: false,
    prefix: 'roberta',
    headPrefixes: ['classifier.'],
    paramSpecs: robertaParamSpecs,
    logits: robertaLogits,
  },
  'xlm-roberta': {
    className: 'XLMRobertaForSequenceClassification',
    usesTokenTypes: false,
    prefix: 'roberta',
    headPrefixes: ['classifier.'],
    paramSpecs: robertaParamSpecs,
    logits: robertaLogits,
  },
  distilbert: {
    className: 'DistilBertForSequenceClassification',
    usesTokenTypes: false,
    prefix: 'distilbert',
    headPrefixes: ['pre_classifier.', 'classifier.'],
    paramSpecs: distilbertParamSpecs,
    logits: distilbertLogits,
  },
  electra: {
    className: 'ElectraForSequenceClassification',
    usesTokenTypes: true,
    prefix: 'electra',
    headPrefixes: ['classifier.'],
    paramSpecs: electraParamSpecs,
    logits: electraLogits,
  },
  modernbert: {
    className: 'ModernBertForSequenceClassification',
    usesTokenTypes: false,
    prefix: 'model',
    headPrefixes: ['classifier.', 'head.'],
    paramSpecs: modernbertParamSpecs,
    logits: modernbertLogits,
  },
  'deberta-v2': {
    className: 'DebertaV2ForSequenceClassification',
    usesTokenTypes: false,
    tokenTypesFor: (c) => c.type_vocab_size > 0,
    prefix: 'deberta',
    headPrefixes: ['pooler.', 'classifier.'],
    ignoredKeys: /position_embeddings/,
    paramSpecs: debertaParamSpecs,
    logits: debertaLogits,
  },
};

/** Whether a model of this config takes token_type_ids (a graph input, fed by the engine and the exporter's users). */
export function takesTokenTypes(config: ModelConfig): boolean {
  const a = architecture(config);
  return a.tokenTypesFor ? a.tokenTypesFor(config) : a.usesTokenTypes;
}

export function architecture(config: ModelConfig): Architecture {
  const a = ARCHITECTURES[config.model_type];
  if (!a) throw new Error(`unsupported model_type "${String(config.model_type)}" (supported: ${Object.keys(ARCHITECTURES).join(', ')})`);
  return a;
}
