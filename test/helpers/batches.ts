/** Synthetic padded batches for engine tests. */
import type { Batch } from '../../src/core/step/engine.js';
import type { Tokenizer } from '../../src/core/tokenizer/index.js';
import { rng } from './gradcheck.js';

export interface SyntheticBatchOptions {
  batch: number;
  seq: number;
  vocab: number;
  numLabels: number;
  seed?: number;
  /** Pad some rows (attention mask 0 at the end). */
  ragged?: boolean;
  labelKind?: 'single' | 'multi' | 'regression';
  tokenTypes?: boolean;
}

export function syntheticBatch(o: SyntheticBatchOptions): Batch {
  const rand = rng(o.seed ?? 3);
  const n = o.batch * o.seq;
  const inputIds = new BigInt64Array(n);
  const attentionMask = new BigInt64Array(n);
  const tokenTypeIds = new BigInt64Array(n);
  for (let b = 0; b < o.batch; b++) {
    const len = o.ragged ? Math.max(2, o.seq - (b % 3)) : o.seq;
    for (let s = 0; s < o.seq; s++) {
      const i = b * o.seq + s;
      const real = s < len;
      inputIds[i] = real ? BigInt(s === 0 ? 1 : 2 + Math.floor(rand() * (o.vocab - 2))) : 0n;
      attentionMask[i] = real ? 1n : 0n;
      tokenTypeIds[i] = o.tokenTypes && real && s >= len / 2 ? 1n : 0n;
    }
  }
  let labels: BigInt64Array | Float32Array;
  if ((o.labelKind ?? 'single') === 'single') labels = BigInt64Array.from({ length: o.batch }, () => BigInt(Math.floor(rand() * o.numLabels)));
  else if (o.labelKind === 'multi') labels = Float32Array.from({ length: o.batch * o.numLabels }, () => (rand() < 0.5 ? 1 : 0));
  else labels = Float32Array.from({ length: o.batch }, () => rand() * 4 - 2);
  return { batch: o.batch, seq: o.seq, inputIds, attentionMask, tokenTypeIds, labels };
}

/**
 * Labelled sentences tokenized into one padded batch (each row to `maxLength` tokens, padded to the
 * longest); `tokenTypes` adds all-zero token_type_ids (BERT, DeBERTa).
 */
export function sentenceBatch(tok: Tokenizer, rows: readonly { text: string; label?: number }[], maxLength: number, tokenTypes = false): Batch {
  const enc = rows.map((r) => tok.encode(r.text, null, { maxLength }));
  const seq = Math.max(...enc.map((e) => e.inputIds.length));
  const n = rows.length * seq;
  const inputIds = new BigInt64Array(n).fill(BigInt(tok.padTokenId));
  const attentionMask = new BigInt64Array(n);
  enc.forEach((e, b) =>
    e.inputIds.forEach((id, s) => {
      inputIds[b * seq + s] = BigInt(id);
      attentionMask[b * seq + s] = 1n;
    }),
  );
  const labels = BigInt64Array.from(rows, (r) => BigInt(r.label ?? 0));
  return { batch: rows.length, seq, inputIds, attentionMask, ...(tokenTypes ? { tokenTypeIds: new BigInt64Array(n) } : {}), labels };
}
