/**
 * DeBERTa-v2's relative positions, as transformers' `build_relative_position` and
 * `make_log_bucket_position` compute them, and the index tensors the disentangled attention gathers
 * with.
 *
 * Query i and key j are r = i - j apart. With position_buckets > 0, |r| above half the buckets is
 * log-bucketed (in float32, as transformers computes it); the row of the relative embeddings both
 * terms use is clamp(bucket(r) + span, 0, 2 span - 1), span = position_buckets (else
 * max_relative_positions). c2p: q_i . pos_key[row(i - j)]; p2c: k_j . pos_query[row(i - j)] (the
 * transposed gather of transformers' p2c equals this: bucket(-r) = -bucket(r)).
 *
 * Only the rows that sequences of the batch's length can reach are projected: row(r) is monotone in
 * r, so the rows of r in [-(S-1), S-1] are the window [row(1-S), row(S-1)], at most min(2S - 1,
 * 2 span) rows. The attention gathers from the window with indices row(i - j) - row(1-S).
 */
import type { Dim, GraphBuilder, Value } from '../../engine/graph.js';
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

/** The index tensors of one forward pass (they depend on the sequence length only). */
export interface RelativeIndex {
  /** [window] int64: the relative-embedding rows the batch's length reaches, lowest first. */
  window: Value;
  /** [seq, seq] int64: row(i - j) - first window row. */
  index: Value;
}

/** Clamps an int64 value to [lo, hi] elementwise. */
function clampInt(g: GraphBuilder, x: Value, lo: number, hi: number): Value {
  const l = g.scalarConst('int64', lo);
  const h = g.scalarConst('int64', hi);
  return g.where(g.less(x, l), l, g.where(g.greater(x, h), h, x));
}

/** Builds the window and the index for sequences of length `seq` (a graph dim); the window's length becomes dim `windowDim`. */
export function relativeIndex(g: GraphBuilder, c: ModelConfig, seq: Dim, windowDim = 'relwin'): RelativeIndex {
  const { reach, rows } = relativeRowTable(relativeSpan(c));
  const table = g.constant(tensor('int64', [rows.length], rows), 'relative_rows');
  const lookup = (r: Value): Value => g.gather(table, g.add(clampInt(g, r, -reach, reach), g.scalarConst('int64', reach)), 0);
  const one = g.scalarConst('int64', 1);
  const last = g.sub(g.squeeze(g.dimTensor(seq), [0]), one); // S - 1
  const first = lookup(g.sub(g.scalarConst('int64', 0), last));
  const window = g.addNode('Range', [first, g.add(lookup(last), one), one], {}, [{ dtype: 'int64', shape: [windowDim] }])[0]!;
  g.defineSymbol(windowDim, window, 0);
  const pos = g.range(seq);
  const r = g.sub(g.unsqueeze(pos, [1]), g.unsqueeze(pos, [0]));
  return { window, index: g.sub(lookup(r), first) };
}
