/**
 * DeBERTa-v2's relative positions, as transformers' `build_relative_position` and
 * `make_log_bucket_position` compute them, and the relative shift the disentangled attention uses.
 *
 * Query i and key j are r = i - j apart. With position_buckets > 0, |r| above half the buckets is
 * log-bucketed (in float32, as transformers computes it); the row of the relative embeddings both
 * terms use is clamp(bucket(r) + span, 0, 2 span - 1), span = position_buckets (else
 * max_relative_positions). c2p: q_i . pos_key[row(i - j)]; p2c: k_j . pos_query[row(i - j)] (the
 * transposed gather of transformers' p2c equals this: bucket(-r) = -bucket(r)).
 *
 * transformers projects all 2 span rows and gathers each (i, j) pair's score from them. Here each
 * term projects the 2S + 1 rows of r = -S..S (S the batch's length; the rows repeat where buckets
 * or the clamp make them equal), multiplies them with all queries (keys) at once and moves the
 * scores to (i, j) with a crop-and-reshape "relative shift" (no gather, no scatter-add in the
 * gradient). Same values; less work than 2 span rows while S <= span.
 */
import { type Dim, type GraphBuilder, type Value, dimProduct } from '../../engine/graph.js';
import { crop } from '../../engine/crop.js';
import { tensor } from '../../engine/tensor.js';
import type { ModelConfig } from '../config.js';
import { DEBERTA_FIELD_DEFAULTS } from '../deberta-config.js';

/** The relative-position geometry of a config: the span (half the relative-embedding rows) and the bucketing. */
export interface RelativeSpan {
  /** att_span (pos_ebd_size): position_buckets when > 0, else max_relative_positions. */
  span: number;
  /** max_relative_positions, -1 resolved to max_position_embeddings. */
  maxRelative: number;
  /** position_buckets (> 0: log buckets). */
  buckets: number;
}

export function relativeSpan(c: ModelConfig): RelativeSpan {
  const f = c.deberta ?? DEBERTA_FIELD_DEFAULTS;
  const maxRelative = f.max_relative_positions < 1 ? c.max_position_embeddings : f.max_relative_positions;
  return { span: f.position_buckets > 0 ? f.position_buckets : maxRelative, maxRelative, buckets: f.position_buckets };
}

/**
 * make_log_bucket_position for one relative position, step by step in float32 as torch computes it
 * (int64 / int true division and log in the default float32, ceil, then .long()).
 */
export function logBucketPosition(r: number, bucketSize: number, maxPosition: number): number {
  const mid = Math.floor(bucketSize / 2);
  const abs = Math.abs(r);
  if (abs <= mid) return r;
  const f = Math.fround;
  const num = f(Math.log(f(abs / mid)));
  const den = f(Math.log(f((maxPosition - 1) / mid)));
  const logPos = f(Math.ceil(f(f(num / den) * (mid - 1))) + mid);
  return Math.sign(r) * logPos;
}

/** The relative-embedding row that query i and key j = i - r use: clamp(bucket(r) + span, 0, 2 span - 1). */
export function relativeRow(r: number, s: RelativeSpan): number {
  const b = s.buckets > 0 ? logBucketPosition(r, s.buckets, s.maxRelative) : r;
  return Math.min(Math.max(b + s.span, 0), 2 * s.span - 1);
}

/**
 * relativeRow for r in [-reach, reach], where reach is the first distance from which the row stays
 * at its clamp on both sides (so clamping r to [-reach, reach] first changes nothing).
 */
export function relativeRowTable(s: RelativeSpan): { reach: number; rows: number[] } {
  const top = 2 * s.span - 1;
  let reach = 0;
  while (relativeRow(reach, s) < top || relativeRow(-reach, s) > 0) {
    reach++;
    if (reach > 1 << 24)
      throw new Error(`relative positions: buckets ${s.buckets} with max_relative_positions ${s.maxRelative} never reach the span ${s.span}`);
  }
  const rows: number[] = [];
  for (let r = -reach; r <= reach; r++) rows.push(relativeRow(r, s));
  return { reach, rows };
}

/**
 * The relative-embedding rows of one forward pass (they depend on the sequence length S only), each
 * a 1-D int64 index into the relative embeddings: `down` for r = S, S-1, ..., -S and `up` for
 * r = -S, ..., S (2S + 1 rows each, dim `relr`), `first` for r = 0, -1, ..., 1 - S (the first query's).
 */
export interface RelativeRows {
  down: Value;
  up: Value;
  first: Value;
}

/** Clamps an int64 value to [lo, hi] elementwise. */
function clampInt(g: GraphBuilder, x: Value, lo: number, hi: number): Value {
  const l = g.scalarConst('int64', lo);
  const h = g.scalarConst('int64', hi);
  return g.where(g.less(x, l), l, g.where(g.greater(x, h), h, x));
}

/** The rows for sequences of length `seq` (a graph dim); 2S + 1 becomes dim `rowsDim`. */
export function relativeRows(g: GraphBuilder, c: ModelConfig, seq: Dim, rowsDim = 'relr'): RelativeRows {
  const { reach, rows } = relativeRowTable(relativeSpan(c));
  const table = g.constant(tensor('int64', [rows.length], rows), 'relative_rows');
  const lookup = (r: Value): Value => g.gather(table, g.add(clampInt(g, r, -reach, reach), g.scalarConst('int64', reach)), 0);
  const zero = g.scalarConst('int64', 0);
  const S = g.squeeze(g.dimTensor(seq), [0]);
  const r = g.addNode('Range', [g.sub(zero, S), g.add(S, g.scalarConst('int64', 1)), g.scalarConst('int64', 1)], {}, [
    { dtype: 'int64', shape: [rowsDim] },
  ])[0]!;
  g.defineSymbol(rowsDim, r, 0);
  return { up: lookup(r), down: lookup(g.sub(zero, r)), first: lookup(g.sub(zero, g.range(seq))) };
}

/**
 * The relative shift: x [..., S, 2S + 1] with x[..., a, u] belonging to offset u - S from a's
 * diagonal gives y [..., S, S], y[..., a, b] = x[..., a, S - a + b]. Cropped and reshaped, no gather:
 * x's rows laid end to end put y[a, b] at 2S a + S + b, so dropping the first S values leaves S rows
 * of 2S, whose first S columns are y. The gradient runs the same crops back as zero padding.
 */
export function relativeShift(g: GraphBuilder, x: Value, seq: Dim): Value {
  const lead = x.shape.slice(0, -2);
  const width = x.shape.at(-1)!;
  const S = g.dimTensor(seq);
  const zeros = (n: number): Value => g.ints(new Array<number>(n).fill(0));
  const flat = g.reshape(x, [...lead, dimProduct([seq, width])]);
  const n = lead.length;
  const dropFirst = crop(g, flat, g.concat([zeros(n), S, zeros(n + 1)], 0), [...lead, dimProduct([2, seq, seq])]);
  const rows = g.reshape(dropFirst, [...lead, seq, dimProduct([2, seq])]);
  return crop(g, rows, g.concat([zeros(2 * n + 3), S], 0), [...lead, seq, seq]);
}
