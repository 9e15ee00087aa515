/** Named parameter tensors, as a Hugging Face state dict holds them (name -> float32 tensor). */
import type { HostTensor } from '../engine/tensor.js';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** How transformers' `_init_weights` initialises it. */
  readonly init: 'normal' | 'zeros' | 'ones' | 'embedding';
  /** 'normal' / 'embedding': the standard deviation when not the config's initializer_range. */
  readonly std?: number;
  /** Truncated normal: values within +- cutoff standard deviations (torch's trunc_normal_). */
  readonly cutoff?: number;
}

export type Weights = Map<string, HostTensor>;

/**
 * Parameters that get weight decay, as Trainer's `get_decay_parameter_names`: every parameter
 * except biases and LayerNorm weights (ModernBERT's `attn_norm`, `mlp_norm`, `final_norm`, `norm` too).
 */
export function decays(name: string): boolean {
  return !(name.endsWith('.bias') || /LayerNorm|layer_norm|layernorm|(^|[._])norm\./.test(name));
}
