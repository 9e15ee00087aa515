/**
 * The ONNX graphs a model trains and runs with, each built once and served for every batch shape:
 *
 * - `grads`: forward + loss + backward; outputs the loss, the logits and d loss / d p for every
 *   trainable parameter (times `loss_scale`, 1 / gradient_accumulation_steps);
 * - `fused`: the same plus global-norm clipping and AdamW inside the graph; weights and moments go
 *   in, their new values come out;
 * - `eval`: loss + logits, dropout off; `infer`: logits only.
 *
 * Parameters are graph inputs named as in the Hugging Face state dict, so one set of float32
 * buffers feeds every graph without copies.
 */
import { gradients } from '../engine/autodiff/index.js';
import { type DropoutMaskInput, GraphBuilder, type Value } from '../engine/graph.js';
import { serialize } from '../engine/onnx/serialize.js';
import type { FloatDType } from '../engine/tensor.js';
import { architecture, takesTokenTypes } from '../model/architectures/index.js';
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import { decays, type Weights } from '../model/params.js';
import { quantizeLinears } from '../engine/quantize.js';

export type GraphKind = 'grads' | 'fused' | 'eval' | 'infer';

export interface GraphOptions {
  kind: GraphKind;
  config: ModelConfig;
  dtype?: FloatDType;
  /** Trainable parameters (default: all); the others are inputs without gradients. */
  trainable?: (name: string) => boolean;
  /** Single-label only: weight the loss per class (torch CrossEntropyLoss(weight=...)). */
  classWeights?: boolean;
  /**
   * Single-label only: the Trainer's LabelSmoother, loss = (1 - eps) * NLL + eps * mean over rows and
   * classes of -log softmax (training and evaluation loss alike, as the Trainer computes both with it).
   */
  labelSmoothing?: number;
  /**
   * Embed these weights as initializers instead of declaring the parameters as inputs (the
   * self-contained inference model written by the exporter).
   */
  weights?: Weights;
  /** Dynamic int8 quantization of the Linear weights (inference export only). */
  quantize?: boolean;
  /** Names of the symbolic batch and sequence axes. */
  axes?: [string, string];
  /**
   * Mixed precision (`fp16`): the forward pass under torch.autocast's policy (GraphBuilder.autocast):
   * matrix products in float16, softmax / LayerNorm / loss in float32, the parameters (master
   * weights), their gradients, the loss and the logits float32. Training graphs then expect
   * `loss_scale` to carry the loss scale; the fused graph also takes `grad_unscale` (1 / scale)
   * and leaves weights and moments unchanged when the gradients are not finite (GradScaler's
   * skipped step).
   */
  mixedPrecision?: 'fp16';
  /** Encoder layers on the real tokens only (ForwardOptions.packTokens): same values, no work on padding. */
  packTokens?: boolean;
  /** Build for a GPU provider (GraphBuilder.target): same values, fewer ops ONNX Runtime keeps on the CPU. */
  gpu?: boolean;
  /** Fused only. */
  adam?: { beta1: number; beta2: number; eps: number; maxGradNorm: number };
}

export interface BuiltGraph {
  model: Uint8Array;
  /** Parameter input names in state-dict order. */
  params: string[];
  /** The parameters that get gradients (and, fused, updates). */
  trainable: string[];
  inputs: string[];
  outputs: string[];
  nodeCount: number;
  /** Training graphs: the dropout keep-masks to feed each run (see train/dropout-masks.ts). */
  dropoutMasks: DropoutMaskInput[];
}

const FLOAT32_MAX = 3.4028234663852886e38;

export const gradName = (p: string): string => `grad.${p}`;
export const newParamName = (p: string): string => `new.${p}`;
export const newMName = (p: string): string => `new_m.${p}`;
export const newVName = (p: string): string => `new_v.${p}`;
export const mName = (p: string): string => `m.${p}`;
export const vName = (p: string): string => `v.${p}`;

export function buildGraph(opts: GraphOptions): BuiltGraph {
  const { config } = opts;
  const dtype = opts.dtype ?? 'float32';
  const arch = architecture(config);
  const g = new GraphBuilder(`${config.model_type}-${opts.kind}`);
  if (opts.gpu) g.target = 'gpu';
  const [batch, seq] = opts.axes ?? ['batch', 'seq'];
  const inputIds = g.input('input_ids', 'int64', [batch, seq]);
  const attentionMask = g.input('attention_mask', 'int64', [batch, seq]);
  const tokenTypeIds = takesTokenTypes(config) ? g.input('token_type_ids', 'int64', [batch, seq]) : undefined;

  const specs = arch.paramSpecs(config);
  const params = new Map<string, Value>();
  for (const s of specs) {
    const w = opts.weights?.get(s.name);
    if (opts.weights && !w) throw new Error(`weights: missing parameter ${s.name}`);
    params.set(s.name, w ? g.initializer(s.name, w) : g.input(s.name, dtype, s.shape));
  }
  const train = opts.kind === 'grads' || opts.kind === 'fused';
  if (opts.mixedPrecision === 'fp16') g.autocast = 'float16';
  const logits16 = arch.logits(
    g,
    config,
    { inputIds, attentionMask, ...(tokenTypeIds ? { tokenTypeIds } : {}) },
    {
      train,
      ...(opts.packTokens ? { packTokens: true } : {}),
      param: (n) => {
        const v = params.get(n);
        if (!v) throw new Error(`architecture asked for unknown parameter ${n}`);
        return v;
      },
    },
  );
  g.autocast = undefined;
  // Logits (and so the loss) in float32, as autocast's fp32 policy for the losses.
  const logits = g.cast(logits16, dtype);

  if (opts.kind === 'infer') {
    g.output(logits, 'logits');
    if (opts.quantize) quantizeLinears(g);
    return finish(
      g,
      specs.map((s) => s.name),
      [],
    );
  }

  const problem = resolveProblemType(config);
  let loss: Value;
  if (problem === 'regression') {
    const labels = g.input('labels', dtype, [batch]);
    loss = g.mseLoss(g.reshape(logits, [batch]), labels);
  } else if (problem === 'multi_label_classification') {
    const labels = g.input('labels', dtype, [batch, config.num_labels]);
    loss = g.bceWithLogits(logits, labels);
  } else {
    const labels = g.input('labels', 'int64', [batch]);
    const weight = opts.classWeights ? g.input('class_weights', dtype, [config.num_labels]) : undefined;
    loss = g.softmaxCrossEntropy(logits, labels, weight);
    const eps = opts.labelSmoothing ?? 0;
    if (eps > 0) {
      // mean over rows of the sum over classes, over C: ReduceMean over one symbolic axis (its gradient's count is that axis).
      const perRow = g.reduceSum(g.logSoftmax(logits, 1), [1]);
      const smoothed = g.div(g.neg(g.reduceMean(perRow, [0])), g.scalarConst(dtype, config.num_labels));
      loss = g.add(g.mul(loss, g.scalarConst(dtype, 1 - eps)), g.mul(smoothed, g.scalarConst(dtype, eps)));
    }
  }
  g.output(loss, 'loss');
  g.output(logits, 'logits');
  if (!train)
    return finish(
      g,
      specs.map((s) => s.name),
      [],
    );

  const trainable = specs.map((s) => s.name).filter((n) => opts.trainable?.(n) ?? true);
  const scale = g.input('loss_scale', dtype, []);
  const grads = gradients(
    g,
    loss,
    trainable.map((n) => params.get(n)!),
    { seed: scale },
  );
  const gradOf = (n: string): Value => {
    const d = grads.get(params.get(n)!);
    return d ?? g.zerosLike(params.get(n)!);
  };

  if (opts.kind === 'grads') {
    for (const n of trainable) g.output(gradOf(n), gradName(n));
    return finish(
      g,
      specs.map((s) => s.name),
      trainable,
    );
  }

  // Fused: clip by the global norm, then AdamW, all in the graph.
  const adam = opts.adam ?? { beta1: 0.9, beta2: 0.999, eps: 1e-8, maxGradNorm: 1 };
  const stepSize = g.input('adam_step_size', dtype, []);
  const bc2Sqrt = g.input('adam_bc2_sqrt', dtype, []);
  const decayFactor = g.input('adam_decay_factor', dtype, []);
  const c = (v: number): Value => g.scalarConst(dtype, v);
  const gs = trainable.map(gradOf);
  const sq = gs.map((d) => g.reduce('ReduceSumSquare', d, [...d.shape.keys()], false));
  const mixed = opts.mixedPrecision !== undefined;
  // Mixed precision: the gradients carry the loss scale; unscale the norm and the update.
  const unscale = mixed ? g.input('grad_unscale', dtype, []) : undefined;
  const scaledTotal = g.sqrt(sq.reduce((a, b) => g.add(a, b)));
  const total = unscale ? g.mul(scaledTotal, unscale) : scaledTotal;
  g.output(total, 'grad_norm');
  let clip = c(1);
  if (adam.maxGradNorm > 0 && Number.isFinite(adam.maxGradNorm)) {
    const coef = g.div(c(adam.maxGradNorm), g.add(total, c(1e-6)));
    clip = g.where(g.less(coef, c(1)), coef, c(1));
  }
  if (unscale) clip = g.mul(clip, unscale);
  // False for an infinite or NaN norm (NaN compares false): GradScaler skips that step.
  const finite = mixed ? g.less(total, c(FLOAT32_MAX)) : undefined;
  const keep = (next: Value, prev: Value): Value => (finite ? g.where(finite, next, prev) : next);
  trainable.forEach((n, i) => {
    const p = params.get(n)!;
    const m = g.input(mName(n), dtype, p.shape);
    const v = g.input(vName(n), dtype, p.shape);
    const gi = g.mul(gs[i]!, clip);
    const m2 = g.add(m, g.mul(c(1 - adam.beta1), g.sub(gi, m)));
    const v2 = g.add(g.mul(c(adam.beta2), v), g.mul(c(1 - adam.beta2), g.mul(gi, gi)));
    const denom = g.add(g.div(g.sqrt(v2), bc2Sqrt), c(adam.eps));
    const decayed = decays(n) ? g.mul(p, decayFactor) : p;
    const p2 = g.sub(decayed, g.mul(stepSize, g.div(m2, denom)));
    g.output(keep(p2, p), newParamName(n));
    g.output(keep(m2, m), newMName(n));
    g.output(keep(v2, v), newVName(n));
  });
  return finish(
    g,
    specs.map((s) => s.name),
    trainable,
  );
}

function finish(g: GraphBuilder, params: string[], trainable: string[]): BuiltGraph {
  return {
    model: serialize(g),
    params,
    trainable,
    inputs: g.inputs.map((v) => v.name),
    outputs: g.outputs.map((v) => v.name),
    nodeCount: g.nodes.length,
    dropoutMasks: g.dropoutMasks,
  };
}
