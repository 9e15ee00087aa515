/**
 * The ONNX graphs a model trains and runs with, each built once and served for every batch shape:
 *
 * - `grads`: forward + loss + backward; outputs the loss, the logits and d loss / d p for every
 *   trainable parameter (times `loss_scale`, 1 / gradient_accumulation_steps);
 * - `fused`: the same plus global-norm clipping and AdamW inside the graph; weights and moments go
 *   in, their new values come out;
 * - `eval`: loss + logits, dropout off; `infer`: logits only;
 * - `buildExplainGraph`: Integrated Gradients, the gradient of a label's logit with respect to the
 *   input embeddings along a path from a baseline, from the same autodiff.
 *
 * Parameters are graph inputs named as in the Hugging Face state dict, so one set of float32
 * buffers feeds every graph without copies.
 */
import { gradients } from '../engine/autodiff/index.js';
import { type DropoutMaskInput, dimProduct, GraphBuilder, type Node, type Value } from '../engine/graph.js';
import { serialize } from '../engine/onnx/serialize.js';
import type { FloatDType } from '../engine/tensor.js';
import { type Architecture, architecture, takesTokenTypes } from '../model/architectures/index.js';
import type { ModelInputs } from '../model/architectures/common.js';
import { type ModelConfig, resolveProblemType } from '../model/config.js';
import { decays, type ParamSpec, type Weights } from '../model/params.js';
import { quantizeLinears } from '../engine/quantize.js';
import { ADAMW_DEFAULTS, type AdamWOptions } from './adamw.js';

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
  /** Fused only (default ADAMW_DEFAULTS). */
  adam?: Pick<AdamWOptions, 'beta1' | 'beta2' | 'eps' | 'maxGradNorm'>;
  /**
   * `grads` only: the gradient of an embedding table read only by lookups leaves the graph as the
   * looked-up rows' gradients and their ids (BuiltGraph.embeddingRows), which the host adds into the
   * table's gradient (./embedding-grads.ts), instead of a ScatterElements into a [vocab, hidden]
   * zero tensor: ONNX Runtime's CPU kernel takes about 0.1-0.2 us per element and was 5% (bert-mini)
   * to 18% (bert-tiny) of a step. Same values, summed in the same order.
   */
  embeddingRowsOut?: boolean;
  /** Float32 dropout sites take their scaled noise as input instead of a bool mask (GraphBuilder.dropoutInput 'noise'; for the CPU). */
  dropoutNoise?: boolean;
}

/** An embedding table whose gradient the host assembles from a `grads` graph's outputs (GraphOptions.embeddingRowsOut). */
export interface EmbeddingRows {
  /** The table, a trainable parameter, [rows, width]. */
  param: string;
  /**
   * One entry per lookup of the table: its outputs, the rows' gradients [n, width] (times
   * loss_scale) and their ids, int64 [n]; torch's padding_idx, whose rows add nothing.
   */
  lookups: { rows: string; ids: string; paddingIdx?: number }[];
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
  /** `grads` with embeddingRowsOut: the tables whose gradients the host assembles (they have no grad.<p> output). */
  embeddingRows: EmbeddingRows[];
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** The gradient output of a trainable parameter (`grads` graph). */
export const gradName = (p: string): string => `grad.${p}`;

/** What the fused graph carries for each trainable parameter: the weight and AdamW's two moments. */
export type StateKind = 'param' | 'm' | 'v';
export const STATE_KINDS: readonly StateKind[] = ['param', 'm', 'v'];

/** The fused graph's input for one kind of a parameter's state: the parameter itself, `m.<p>`, `v.<p>`. */
export function stateInputName(kind: StateKind, p: string): string {
  return kind === 'param' ? p : `${kind}.${p}`;
}

/** The fused graph's output with the stepped value: `new.<p>`, `new_m.<p>`, `new_v.<p>`. */
export function stateOutputName(kind: StateKind, p: string): string {
  return kind === 'param' ? `new.${p}` : `new_${kind}.${p}`;
}

export function buildGraph(opts: GraphOptions): BuiltGraph {
  const { config } = opts;
  const dtype = opts.dtype ?? 'float32';
  const arch = architecture(config);
  const g = new GraphBuilder(`${config.model_type}-${opts.kind}`);
  if (opts.gpu) g.target = 'gpu';
  if (opts.dropoutNoise) g.dropoutInput = 'noise';
  const axes = opts.axes ?? ['batch', 'seq'];
  const inputs = modelInputs(g, config, axes);
  const specs = arch.paramSpecs(config);
  const names = specs.map((s) => s.name);
  const params = paramValues(g, specs, opts.weights, dtype);
  const logits = forwardLogits(g, arch, opts, inputs, params, dtype);
  if (opts.kind === 'infer') {
    g.output(logits, 'logits');
    if (opts.quantize) quantizeLinears(g);
    return finish(g, names, []);
  }
  const loss = lossOf(g, opts, logits, axes[0], dtype);
  g.output(loss, 'loss');
  g.output(logits, 'logits');
  if (opts.kind === 'eval') return finish(g, names, []);

  const trainable = names.filter((n) => opts.trainable?.(n) ?? true);
  const rowTables = opts.kind === 'grads' && opts.embeddingRowsOut ? lookupOnlyTables(g, trainable, params) : new Map<string, Node[]>();
  const { gradOf, embeddingRows } = backward(g, loss, trainable, params, dtype, rowTables);
  if (opts.kind === 'grads') for (const n of trainable) if (!rowTables.has(n)) g.output(gradOf(n), gradName(n));
  if (opts.kind === 'fused') clipAndAdamW(g, opts, trainable, params, gradOf, dtype);
  return finish(g, names, trainable, embeddingRows);
}

/** The float32 trainable tables that only Embedding nodes read, with those nodes. */
function lookupOnlyTables(g: GraphBuilder, trainable: readonly string[], params: Map<string, Value>): Map<string, Node[]> {
  const readers = new Map<number, Node[]>();
  for (const node of g.nodes) for (const v of node.inputs) if (v) readers.set(v.id, [...(readers.get(v.id) ?? []), node]);
  const out = new Map<string, Node[]>();
  for (const n of trainable) {
    const p = params.get(n)!;
    const nodes = readers.get(p.id) ?? [];
    if (p.dtype === 'float32' && p.shape.length === 2 && nodes.length > 0 && nodes.every((r) => r.op === 'Embedding' && r.inputs[0] === p)) out.set(n, nodes);
  }
  return out;
}

/** input_ids, attention_mask (and token_type_ids where the architecture takes them), [batch, seq]. */
function modelInputs(g: GraphBuilder, config: ModelConfig, [batch, seq]: [string, string]): ModelInputs {
  const inputIds = g.input('input_ids', 'int64', [batch, seq]);
  const attentionMask = g.input('attention_mask', 'int64', [batch, seq]);
  const tokenTypeIds = takesTokenTypes(config) ? g.input('token_type_ids', 'int64', [batch, seq]) : undefined;
  return { inputIds, attentionMask, ...(tokenTypeIds ? { tokenTypeIds } : {}) };
}

/** Every parameter as a graph input named as in the state dict, or as an initializer when `weights` are embedded. */
function paramValues(g: GraphBuilder, specs: readonly ParamSpec[], weights: Weights | undefined, dtype: FloatDType): Map<string, Value> {
  const params = new Map<string, Value>();
  for (const s of specs) {
    const w = weights?.get(s.name);
    if (weights && !w) throw new Error(`weights: missing parameter ${s.name}`);
    params.set(s.name, w ? g.initializer(s.name, w) : g.input(s.name, dtype, s.shape));
  }
  return params;
}

/** The forward pass (under autocast in mixed precision; dropout on in training graphs), logits cast to `dtype`. */
function forwardLogits(g: GraphBuilder, arch: Architecture, opts: GraphOptions, inputs: ModelInputs, params: Map<string, Value>, dtype: FloatDType): Value {
  if (opts.mixedPrecision === 'fp16') g.autocast = 'float16';
  const logits16 = arch.logits(g, opts.config, inputs, {
    train: opts.kind === 'grads' || opts.kind === 'fused',
    ...(opts.packTokens ? { packTokens: true } : {}),
    param: (n) => {
      const v = params.get(n);
      if (!v) throw new Error(`architecture asked for unknown parameter ${n}`);
      return v;
    },
  });
  g.autocast = undefined;
  // Logits (and so the loss) in float32, as autocast's fp32 policy for the losses.
  return g.cast(logits16, dtype);
}

/** The loss of the config's problem type, with its `labels` input (and `class_weights`, label smoothing). */
function lossOf(g: GraphBuilder, opts: GraphOptions, logits: Value, batch: string, dtype: FloatDType): Value {
  const { config } = opts;
  const problem = resolveProblemType(config);
  if (problem === 'regression') {
    const labels = g.input('labels', dtype, [batch]);
    return g.mseLoss(g.reshape(logits, [batch]), labels);
  }
  if (problem === 'multi_label_classification') {
    const labels = g.input('labels', dtype, [batch, config.num_labels]);
    return g.bceWithLogits(logits, labels);
  }
  const labels = g.input('labels', 'int64', [batch]);
  const weight = opts.classWeights ? g.input('class_weights', dtype, [config.num_labels]) : undefined;
  const loss = g.softmaxCrossEntropy(logits, labels, weight);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps > 0)) return loss;
  // mean over rows of the sum over classes, over C: ReduceMean over one symbolic axis (its gradient's count is that axis).
  const perRow = g.reduceSum(g.logSoftmax(logits, 1), [1]);
  const smoothed = g.div(g.neg(g.reduceMean(perRow, [0])), g.scalarConst(dtype, config.num_labels));
  return g.add(g.mul(loss, g.scalarConst(dtype, 1 - eps)), g.mul(smoothed, g.scalarConst(dtype, eps)));
}

/**
 * The backward pass from `loss` times the `loss_scale` input: a parameter's gradient, zeros for a
 * trainable parameter the loss does not reach (made when first asked for). The tables in
 * `rowTables` get no gradient in the graph: the gradients of their lookups' outputs and the ids
 * looked up become outputs instead (EmbeddingRows).
 */
function backward(
  g: GraphBuilder,
  loss: Value,
  trainable: readonly string[],
  params: Map<string, Value>,
  dtype: FloatDType,
  rowTables: ReadonlyMap<string, readonly Node[]>,
): { gradOf: (name: string) => Value; embeddingRows: EmbeddingRows[] } {
  const scale = g.input('loss_scale', dtype, []);
  const lookups = [...rowTables.values()].flat();
  const wrt = [...trainable.filter((n) => !rowTables.has(n)).map((n) => params.get(n)!), ...lookups.map((node) => node.outputs[0]!)];
  const grads = gradients(g, loss, wrt, { seed: scale });
  const embeddingRows = [...rowTables].map(([param, nodes]): EmbeddingRows => {
    const width = params.get(param)!.shape[1]!;
    return {
      param,
      lookups: nodes.map((node, k) => {
        const [y, ids] = [node.outputs[0]!, node.inputs[1]!];
        const n = dimProduct(ids.shape);
        const rows = g.output(g.reshape(grads.get(y) ?? g.zerosLike(y), [n, width]), `embedding_rows.${param}.${k}`);
        const pad = node.attrs.padding_idx;
        return {
          rows: rows.name,
          ids: g.output(g.reshape(ids, [n]), `embedding_ids.${param}.${k}`).name,
          ...(pad?.kind === 'int' && pad.value >= 0 ? { paddingIdx: pad.value } : {}),
        };
      }),
    };
  });
  return { gradOf: (n) => grads.get(params.get(n)!) ?? g.zerosLike(params.get(n)!), embeddingRows };
}

/**
 * The fused graph's optimizer: global-norm clipping, then AdamW per parameter with its moments as
 * inputs and the new weights and moments as outputs (mixed precision: unscaled, and unchanged when
 * the gradients are not finite). The step's scalars (adamwScalars) are inputs.
 */
function clipAndAdamW(
  g: GraphBuilder,
  opts: GraphOptions,
  trainable: readonly string[],
  params: Map<string, Value>,
  gradOf: (name: string) => Value,
  dtype: FloatDType,
): void {
  const adam = opts.adam ?? ADAMW_DEFAULTS;
  const stepSize = g.input('adam_step_size', dtype, []);
  const bc2Sqrt = g.input('adam_bc2_sqrt', dtype, []);
  const decayFactor = g.input('adam_decay_factor', dtype, []);
  const c = (v: number): Value => g.scalarConst(dtype, v);
  const gs = trainable.map(gradOf);
  const { clip, finite } = clipCoefficient(g, gs, adam.maxGradNorm, opts.mixedPrecision !== undefined, dtype);
  const keep = (next: Value, prev: Value): Value => (finite ? g.where(finite, next, prev) : next);
  trainable.forEach((n, i) => {
    const p = params.get(n)!;
    const m = g.input(stateInputName('m', n), dtype, p.shape);
    const v = g.input(stateInputName('v', n), dtype, p.shape);
    const gi = g.mul(gs[i]!, clip);
    const m2 = g.add(m, g.mul(c(1 - adam.beta1), g.sub(gi, m)));
    const v2 = g.add(g.mul(c(adam.beta2), v), g.mul(c(1 - adam.beta2), g.mul(gi, gi)));
    const denom = g.add(g.div(g.sqrt(v2), bc2Sqrt), c(adam.eps));
    const decayed = decays(n) ? g.mul(p, decayFactor) : p;
    const p2 = g.sub(decayed, g.mul(stepSize, g.div(m2, denom)));
    g.output(keep(p2, p), stateOutputName('param', n));
    g.output(keep(m2, m), stateOutputName('m', n));
    g.output(keep(v2, v), stateOutputName('v', n));
  });
}

/**
 * The global gradient norm (output `grad_norm`) and the factor the gradients are multiplied by:
 * clip_grad_norm_'s coefficient, times `grad_unscale` in mixed precision, where `finite` is false
 * for an infinite or NaN norm.
 */
function clipCoefficient(
  g: GraphBuilder,
  gs: readonly Value[],
  maxGradNorm: number,
  mixed: boolean,
  dtype: FloatDType,
): { clip: Value; finite: Value | undefined } {
  const c = (v: number): Value => g.scalarConst(dtype, v);
  const sq = gs.map((d) => g.reduce('ReduceSumSquare', d, [...d.shape.keys()], false));
  // Mixed precision: the gradients carry the loss scale; unscale the norm and the update.
  const unscale = mixed ? g.input('grad_unscale', dtype, []) : undefined;
  const scaledTotal = g.sqrt(sq.reduce((a, b) => g.add(a, b)));
  const total = unscale ? g.mul(scaledTotal, unscale) : scaledTotal;
  g.output(total, 'grad_norm');
  let clip = c(1);
  if (maxGradNorm > 0 && Number.isFinite(maxGradNorm)) {
    const coef = g.div(c(maxGradNorm), g.add(total, c(1e-6)));
    clip = g.where(g.less(coef, c(1)), coef, c(1));
  }
  if (unscale) clip = g.mul(clip, unscale);
  // False for an infinite or NaN norm (NaN compares false): GradScaler skips that step.
  return { clip, finite: mixed ? g.less(total, c(FLOAT32_MAX)) : undefined };
}

function finish(g: GraphBuilder, params: string[], trainable: string[], embeddingRows: EmbeddingRows[] = []): BuiltGraph {
  return {
    embeddingRows,
    model: serialize(g),
    params,
    trainable,
    inputs: g.inputs.map((v) => v.name),
    outputs: g.outputs.map((v) => v.name),
    nodeCount: g.nodes.length,
    dropoutMasks: g.dropoutMasks,
  };
}

/** The explanation graph's own inputs and outputs (besides input_ids, attention_mask, token_type_ids). */
export const EXPLAIN_IO = {
  /** int64 [batch, seq]: the ids whose embeddings start the path (the padding token's at the text's positions, special tokens kept). */
  baseline: 'baseline_ids',
  /** [batch]: where each row sits on the path from the baseline (0) to the text (1). */
  alphas: 'ig_alphas',
  /** [labels]: the output explained, as weights on the logits (one-hot: one label's logit). */
  target: 'ig_target',
  /** [batch, labels]: the logits at each row's point. */
  logits: 'logits',
  /** [batch, seq]: (e(x) - e(baseline)) . d(target . logits) / d e at each row's point, per token. */
  attributions: 'attributions',
} as const;

export interface ExplainGraphOptions {
  config: ModelConfig;
  /** Embedded as initializers (as the predictor's graph); else the parameters are inputs. */
  weights?: Weights;
  dtype?: FloatDType;
}

/**
 * Integrated Gradients (Sundararajan et al. 2017) on the input embeddings, one path point per batch
 * row: the architecture's input-token embeddings e(x) are replaced by e(b) + alpha (e(x) - e(b)),
 * e(b) those of the baseline ids, and the gradient of target . logits with respect to that point
 * comes from the autodiff (the rules training uses) as a graph output, multiplied by e(x) - e(b)
 * and summed over the embedding width. The host sums the rows with the quadrature weights
 * (predict/explain.ts). Dropout off, tokens not packed.
 */
export function buildExplainGraph(opts: ExplainGraphOptions): BuiltGraph {
  const { config } = opts;
  const dtype = opts.dtype ?? 'float32';
  const arch = architecture(config);
  const g = new GraphBuilder(`${config.model_type}-explain`);
  const inputs = modelInputs(g, config, ['batch', 'seq']);
  const baseline = g.input(EXPLAIN_IO.baseline, 'int64', ['batch', 'seq']);
  const alphas = g.input(EXPLAIN_IO.alphas, dtype, ['batch']);
  const target = g.input(EXPLAIN_IO.target, dtype, [config.num_labels]);
  const specs = arch.paramSpecs(config);
  const params = paramValues(g, specs, opts.weights, dtype);
  let path: { point: Value; delta: Value } | undefined;
  const logits = arch.logits(g, config, inputs, {
    train: false,
    param: (n) => params.get(n) ?? fail(`architecture asked for unknown parameter ${n}`),
    inputEmbeddings: (words, lookup) => {
      if (path) fail(`${config.model_type}: the architecture looked up its input tokens twice; an explanation needs one lookup (inputEmbeddings)`);
      const base = lookup(baseline);
      const delta = g.sub(words, base);
      const point = g.add(base, g.mul(delta, g.reshape(alphas, ['batch', 1, 1])));
      path = { point, delta };
      return point;
    },
  });
  if (!path)
    fail(
      `${config.model_type}: the architecture does not look up its input tokens through inputEmbeddings() (model/architectures/common.ts), so it cannot be explained`,
    );
  const { point, delta } = path as { point: Value; delta: Value };
  const objective = g.reduceSum(g.mul(logits, target), [0, 1]);
  const grad = gradients(g, objective, [point]).get(point)!;
  g.output(logits, EXPLAIN_IO.logits);
  g.output(g.reduceSum(g.mul(delta, grad), [2]), EXPLAIN_IO.attributions);
  return finish(
    g,
    specs.map((s) => s.name),
    [],
  );
}

function fail(message: string): never {
  throw new Error(message);
}
