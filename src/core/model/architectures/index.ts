/** The architecture table: parameter layout and classification forward per model type. */
import type { GraphBuilder, Value } from '../../engine/graph.js';
import type { ModelConfig, ModelType } from '../config.js';
import type { ParamSpec } from '../params.js';
import { type ForwardOptions, type ModelInputs, bertLogits, bertParamSpecs } from './bert.js';

export type { ForwardOptions, ModelInputs } from './bert.js';

export interface Architecture {
  /** transformers' class name for config.json `architectures`. */
  readonly className: string;
  /** Whether the model takes token_type_ids. */
  readonly usesTokenTypes: boolean;
  paramSpecs(config: ModelConfig): ParamSpec[];
  logits(g: GraphBuilder, config: ModelConfig, inputs: ModelInputs, opts: ForwardOptions): Value;
}

export const ARCHITECTURES: Record<ModelType, Architecture> = {
  bert: { className: 'BertForSequenceClassification', usesTokenTypes: true, paramSpecs: bertParamSpecs, logits: bertLogits },
};

export function architecture(config: ModelConfig): Architecture {
  const a = ARCHITECTURES[config.model_type];
  if (!a) throw new Error(`unsupported model_type "${String(config.model_type)}" (supported: ${Object.keys(ARCHITECTURES).join(', ')})`);
  return a;
}
