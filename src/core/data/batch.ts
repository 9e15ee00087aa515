/**
 * Collation (transformers' DataCollatorWithPadding): rows padded on the right to the batch's
 * longest row with the tokenizer's pad id, attention mask 0 on padding, token types 0 on padding,
 * labels as the engine's `Batch` wants them (int64 class ids, float32 multi-hot [B*C], float32
 * targets [B]).
 */
import type { Batch } from '../step/engine.js';
import type { EncodedSplit } from './encode.js';

export interface CollateOptions {
  /** Round the padded length up to a multiple of this (DataCollatorWithPadding's pad_to_multiple_of). */
  padToMultipleOf?: number;
  /** Pad every batch to this length (run_classification.py's pad_to_max_length); rows are never longer. */
  padTo?: number;
}

/** A collated batch with the split rows it holds (in batch order). */
export interface IndexedBatch extends Batch {
  indices: number[];
}

export function collate(split: EncodedSplit, indices: readonly number[], options: CollateOptions = {}): IndexedBatch {
  const b = indices.length;
  let seq = 0;
  for (const i of indices) seq = Math.max(seq, split.length(i));
  if (options.padTo !== undefined) seq = Math.max(seq, options.padTo);
  const m = options.padToMultipleOf;
  if (m !== undefined && m > 1) seq = Math.ceil(seq / m) * m;
  const inputIds = new BigInt64Array(b * seq).fill(BigInt(split.padTokenId));
  const attentionMask = new BigInt64Array(b * seq);
  const tokenTypeIds = new BigInt64Array(b * seq);
  const { offsets, inputIds: ids, tokenTypeIds: types } = split;
  for (let r = 0; r < b; r++) {
    const i = indices[r]!;
    const start = offsets[i]!;
    const len = offsets[i + 1]! - start;
    const base = r * seq;
    for (let k = 0; k < len; k++) {
      inputIds[base + k] = BigInt(ids[start + k]!);
      attentionMask[base + k] = 1n;
      tokenTypeIds[base + k] = BigInt(types[start + k]!);
    }
  }
  const out: IndexedBatch = { batch: b, seq, inputIds, attentionMask, tokenTypeIds, indices: [...indices] };
  const l = split.labels;
  if (l?.kind === 'single') out.labels = BigInt64Array.from(indices, (i) => BigInt(l.ids[i]!));
  else if (l?.kind === 'regression') out.labels = Float32Array.from(indices, (i) => l.values[i]!);
  else if (l?.kind === 'multi') {
    const c = l.numLabels;
    const hot = new Float32Array(b * c);
    indices.forEach((i, r) => {
      for (let k = 0; k < c; k++) hot[r * c + k] = l.multiHot[i * c + k]!;
    });
    out.labels = hot;
  }
  return out;
}
