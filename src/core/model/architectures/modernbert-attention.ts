/**
 * ModernBERT's attention pieces (transformers' `ModernBertAttention`, eager / SDPA path): rotary
 * position embeddings on q and k, global attention over the whole sequence, and sliding-window
 * attention (|i - j| <= local_attention // 2) in a blocked form whose cost is linear in the length.
 *
 * Blocked sliding window: the sequence axis is cut into blocks of r = local_attention // 2
 * positions; the queries of block b can only see keys in blocks b - 1, b, b + 1, so each block's
 * scores are [r, 3r] and no [seq, seq] mask or score matrix exists. A query at offset a in its block
 * sees window slot k (key block b - 1 + floor(k / r)) when a <= k <= 2r + a, a constant band; keys
 * of another sequence (packed tokens), padding and the blocks' fill are masked by comparing
 * integer tags (the sequence a position belongs to; -1 for none).
 */
import { type Dim, type GraphBuilder, type Value } from '../../engine/graph.js';
import { TO_END, axisPads, axisSize, intVector, padConstant, slice } from '../../engine/slicing.js';
import { tensor } from '../../engine/tensor.js';
import { FLOAT32_MIN } from './common.js';

/** cos and sin tables, [..., 1, head_dim]: broadcast over heads against q / k laid out [..., heads, head_dim]. */
export interface Rope {
  cos: Value;
  sin: Value;
}

/**
 * transformers' inverse frequencies, as it computes them in float32:
 * 1 / theta ** (arange(0, d, 2) / d).
 */
export function inverseFrequencies(theta: number, headDim: number): Float32Array {
  const f = Math.fround;
  return Float32Array.from({ length: headDim / 2 }, (_, i) => f(1 / f(f(theta) ** f((2 * i) / headDim))));
}

/**
 * Rotary tables for int64 `positions` [...]: [..., 1, head_dim]. The angles position * inv_freq are
 * float32 products, as transformers computes them (autocast off); cos and sin are then taken in the
 * graph's dtype (in float64 graphs, of those same float32 angles).
 */
export function ropeTables(g: GraphBuilder, positions: Value, theta: number, headDim: number, dtype: Value['dtype']): Rope {
  const inv = g.constant(tensor('float32', [headDim / 2], inverseFrequencies(theta, headDim)), 'rope_inv_freq');
  const angles = g.mul(g.unsqueeze(g.cast(positions, 'float32'), [-1]), inv);
  let emb = g.unsqueeze(g.concat([angles, angles], -1), [-2]);
  const tableType = dtype === 'float64' ? 'float64' : 'float32';
  emb = g.cast(emb, tableType);
  return { cos: g.unary('Cos', emb), sin: g.unary('Sin', emb) };
}

/**
 * x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1) on the last axis, as x @ R with a
 * constant signed permutation R (exact: one nonzero term per output): one MatMul forward and
 * backward instead of split / negate / concatenate passes.
 */
export function applyRope(g: GraphBuilder, x: Value, rope: Rope): Value {
  const d = x.shape[x.shape.length - 1] as number;
  const r = new Array<number>(d * d).fill(0);
  for (let j = 0; j < d / 2; j++) {
    r[(j + d / 2) * d + j] = -1; // out[j] = -x[j + d/2]
    r[j * d + j + d / 2] = 1; // out[j + d/2] = x[j]
  }
  const rotate = g.constant(tensor(x.dtype === 'float64' ? 'float64' : 'float32', [d, d], r), 'rotate_half');
  return g.add(g.mul(x, rope.cos), g.mul(g.matmul(x, rotate), rope.sin));
}

/** A dropout applied by the caller's rule (ratio in (0, 1)), or none. */
export type ProbsDropout = (probs: Value) => Value;

/** softmax(q k^T * head_dim^-0.5 + mask) v for q [.., Sq, d], k / v [.., Sk, d]. */
export function attend(g: GraphBuilder, q: Value, k: Value, v: Value, mask: Value, drop: ProbsDropout): Value {
  const d = q.shape[q.shape.length - 1] as number;
  const perm = [...q.shape.keys()];
  perm.splice(-2, 2, perm.length - 1, perm.length - 2);
  const scores = g.add(g.mul(g.matmul(q, g.transpose(k, perm)), g.scalarConst(q.dtype, d ** -0.5)), mask);
  return g.matmul(drop(g.softmax(scores, -1)), v);
}

/** The blocked layout shared by every sliding-window layer of one forward pass. */
export interface Banding {
  /** Block length: local_attention // 2. */
  r: number;
  /** Groups (batch rows, or 1 for a packed token stream) and stream length. */
  groups: Dim;
  length: Dim;
  /** [1] int64: the positions appended to reach a multiple of r. */
  fill: Value;
  /** Additive mask [groups, 1, blocks, r, 3r]. */
  mask: Value;
}

const BLOCKS = 'modernbert_blocks';
const BLOCKS_2 = 'modernbert_blocks_plus_2';

/** The three key blocks each query block sees, side by side: [.., blocks + 2, r, ..] -> [.., blocks, 3r, ..]. */
function windows(g: GraphBuilder, x: Value, axis: number): Value {
  const parts = [slice(g, x, axis, 0, -2, BLOCKS), slice(g, x, axis, 1, -1, BLOCKS), slice(g, x, axis, 2, TO_END, BLOCKS)];
  return g.concat(parts, axis + 1);
}

/**
 * The banding of a stream [groups, length] whose positions carry int64 `tags` (the sequence each
 * belongs to, -1 for padding): query i sees key j when |i - j| <= r and both carry the same tag.
 */
export function banding(g: GraphBuilder, tags: Value, r: number, dtype: Value['dtype']): Banding {
  const [G, N] = tags.shape as [Dim, Dim];
  const maskType = dtype === 'float16' ? 'float32' : dtype;
  const n = axisSize(g, tags, 1);
  const blocks = g.div(g.add(n, g.ints([r - 1])), g.ints([r]));
  const fill = g.sub(g.mul(blocks, g.ints([r])), n);
  const qTags = g.reshape(padConstant(g, tags, intVector(g, [0, 0, 0, fill]), [G, `${r}*${BLOCKS}`], -1), [G, BLOCKS, r]);
  g.defineSymbol(BLOCKS, qTags, 1);
  const kPadded = padConstant(g, tags, intVector(g, [0, r, 0, g.add(fill, g.ints([r]))]), [G, `${r}*${BLOCKS_2}`], -1);
  const kBlocks = g.reshape(kPadded, [G, BLOCKS_2, r]);
  g.defineSymbol(BLOCKS_2, kBlocks, 1);
  const kTags = windows(g, kBlocks, 1); // [G, blocks, 3r]
  const same = g.equal(g.unsqueeze(qTags, [-1]), g.unsqueeze(kTags, [2]));
  const band = new Array<number>(r * 3 * r);
  for (let a = 0; a < r; a++) for (let k = 0; k < 3 * r; k++) band[a * 3 * r + k] = a <= k && k <= 2 * r + a ? 0 : FLOAT32_MIN;
  const bandMask = g.constant(tensor(maskType, [r, 3 * r], band), 'local_band');
  const mask = g.unsqueeze(g.where(same, bandMask, g.scalarConst(maskType, FLOAT32_MIN)), [1]);
  return { r, groups: G, length: N, fill, mask };
}

/** [G, h, N, d] -> [G, h, blocks(+2), r, d] with `before` / `after` fill positions. */
function toBlocks(g: GraphBuilder, x: Value, b: Banding, keys: boolean): Value {
  const [G, h, , d] = x.shape;
  const extra = keys ? b.r : 0;
  const padded = padConstant(g, x, axisPads(g, 4, 2, extra, keys ? g.add(b.fill, g.ints([b.r])) : b.fill), [G!, h!, `${b.r}*${keys ? BLOCKS_2 : BLOCKS}`, d!]);
  return g.reshape(padded, [G!, h!, keys ? BLOCKS_2 : BLOCKS, b.r, d!]);
}

/**
 * Sliding-window attention of q, k, v [groups, heads, length, head_dim] (rope applied): [groups,
 * heads, length, head_dim]. `dropMask` (optional) turns the probabilities' dropout keep-mask,
 * drawn as [groups, heads, length, 3r], into the blocked layout.
 */
export function localAttention(g: GraphBuilder, q: Value, k: Value, v: Value, b: Banding, drop?: (probsShape: readonly Dim[]) => Value): Value {
  const [G, h, N, d] = q.shape as [Dim, Dim, Dim, number];
  const qb = toBlocks(g, q, b, false);
  const kw = windows(g, toBlocks(g, k, b, true), 2);
  const vw = windows(g, toBlocks(g, v, b, true), 2);
  const blockedDrop: ProbsDropout = (probs) => {
    if (!drop) return probs;
    const noise = drop([G, h, N, 3 * b.r]); // [G, h, N, 3r] float: mask / (1 - p)
    const padded = padConstant(g, noise, axisPads(g, 4, 2, 0, b.fill), [G, h, `${b.r}*${BLOCKS}`, 3 * b.r]);
    return g.mul(probs, g.reshape(padded, [G, h, BLOCKS, b.r, 3 * b.r]));
  };
  const ctx = attend(g, qb, kw, vw, b.mask, blockedDrop); // [G, h, blocks, r, d]
  const flat = g.reshape(ctx, [G, h, `${b.r}*${BLOCKS}`, d]);
  return slice(g, flat, 2, 0, axisSize(g, q, 2), N);
}
