/** ModernBERT's own settings as ModelConfig carries them (read and written by modernbert-config.ts). */
/** The activations ACT2FN names that ModernBERT configs use, implemented here. */
export const MODERNBERT_ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'silu', 'swish', 'tanh'] as const;
export type ModernBertActivation = (typeof MODERNBERT_ACTIVATIONS)[number];

export type ModernBertLayerType = 'full_attention' | 'sliding_attention';

export interface ModernBertSettings {
  /** ACT2FN name in the GeGLU MLP (`gelu` is exact erf GELU). */
  hidden_activation: ModernBertActivation;
  /** ACT2FN name in the head (head.dense -> act -> head.norm). */
  classifier_activation: ModernBertActivation;
  classifier_pooling: 'cls' | 'mean';
  /** The local layers' window: each token attends to +-local_attention // 2 positions. */
  local_attention: number;
  /** Layer i attends globally when i % n == 0, locally otherwise. */
  global_attn_every_n_layers: number;
  global_rope_theta: number;
  local_rope_theta: number;
  /** Which rope theta each layer uses (transformers 5's `layer_types`; derived from n when absent). */
  layer_types: ModernBertLayerType[];
  attention_bias: boolean;
  mlp_bias: boolean;
  norm_bias: boolean;
  /** Bias of head.dense (the classifier Linear always has one). */
  classifier_bias: boolean;
  embedding_dropout: number;
  /** Truncated-normal initialisation at +- this many standard deviations. */
  initializer_cutoff_factor: number;
}
