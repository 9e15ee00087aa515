/** The training step's shared types: a batch, the step modes, a step's result. */
export interface Batch {
  batch: number;
  seq: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds?: BigInt64Array;
  /** int64 class ids (single-label), float32 [batch, labels] multi-hot (multi-label) or float32 targets (regression). */
  labels?: BigInt64Array | Float32Array;
}

/**
 * The step modes (classes in ./modes.ts):
 * - `grads`: gradients out, AdamW in place on the host (the CPU default);
 * - `fused`: clip + AdamW in the graph, weights and moments in and out every step;
 * - `device`: the fused graph with its new weights and moments kept on the GPU (WebGPU) and fed
 *   back as the next step's inputs: between steps only ids, masks, labels, scalars and the loss
 *   cross (with the dropout keep-masks, drawn on the host: see ./dropout-masks.ts). The default on
 *   WebGPU. Gradient accumulation (more than one micro-batch per step) runs the `grads`
 *   graph on host copies instead.
 */
export type StepMode = 'grads' | 'fused' | 'device';

export interface StepResult {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping (unscaled; not finite on a skipped step). */
  gradNorm: number;
  /** Mixed precision: the gradients were not finite, so the optimizer step was skipped. */
  skipped: boolean;
}
