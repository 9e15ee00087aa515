/**
 * Truncation of token id lists, as Hugging Face does it. Tokenizers.js (our backend) has none, and
 * Transformers.js' just cuts the finished sequence (dropping the final [SEP]), so this is ours.
 *
 * Two flavours, chosen by `parity`:
 *  - 'fast' = Rust `tokenizers` `truncate_encodings` (what `AutoTokenizer` gives: BertTokenizerFast
 *    etc., and therefore what run_glue / run_classification / the Trainer examples use);
 *  - 'slow' = Python `PreTrainedTokenizerBase.truncate_sequences` (BertTokenizer & co.).
 * They agree except in edge cases:
 *  - longest_first, both sequences too long, odd budget: fast gives the extra token to the
 *    sequence that was longer (to B on a tie); slow removes one token at a time from the longer
 *    (from B on a tie), which leaves the extra token on A. E.g. A=10, B=20, budget 15:
 *    fast (7, 8), slow (8, 7);
 *  - a sequence too short to remove enough from (only_first / only_second, or longest_first on a
 *    single sequence): fast raises, slow logs an error and does not truncate at all;
 *  - only_second without a pair: fast raises, slow does not truncate.
 */
import { TokenizerError } from './errors.js';
import type { Parity } from './postprocess.js';

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';
export type TruncationSide = 'right' | 'left';

export interface Truncated {
  a: number[];
  b: number[] | null;
}

function keep(ids: readonly number[], n: number, side: TruncationSide): number[] {
  if (n >= ids.length) return ids.slice();
  if (n <= 0) return [];
  return side === 'right' ? ids.slice(0, n) : ids.slice(ids.length - n);
}

/**
 * Truncates `a` (and `b`) so that `a.length + b.length <= budget`, where `budget` is max_length
 * minus the number of special tokens the post-processor will add.
 */
export function truncateIds(
  a: readonly number[],
  b: readonly number[] | null,
  budget: number,
  strategy: TruncationStrategy,
  side: TruncationSide = 'right',
  parity: Parity = 'fast',
): Truncated {
  return parity === 'fast' ? truncateFast(a, b, budget, strategy, side) : truncateSlow(a, b, budget, strategy, side);
}

function truncateFast(a: readonly number[], b: readonly number[] | null, budget: number, strategy: TruncationStrategy, side: TruncationSide): Truncated {
  if (budget === 0) return { a: [], b: b ? [] : null };
  const total = a.length + (b ? b.length : 0);
  if (total <= budget) return { a: a.slice(), b: b ? b.slice() : null };
  const toRemove = total - budget;
  if (strategy === 'longest_first') {
    if (!b) return { a: keep(a, budget, side), b: null };
    let n1 = a.length;
    let n2 = b.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
    if (n1 + n2 > budget) {
      n1 = Math.floor(budget / 2);
      n2 = n1 + (budget % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    return { a: keep(a, n1, side), b: keep(b, n2, side) };
  }
  if (strategy === 'only_second' && !b) {
    throw new TokenizerError(
      'truncation',
      `Truncation error: Second sequence not provided (only_second truncation needs a text pair; ${total} tokens exceed the ${budget} left after special tokens).`,
    );
  }
  const target = strategy === 'only_first' ? a : (b as readonly number[]);
  if (target.length <= toRemove) {
    throw new TokenizerError(
      'truncation',
      `Truncation error: Sequence to truncate too short to respect the provided max_length ` +
        `(${strategy}: ${toRemove} tokens must go but the ${strategy === 'only_first' ? 'first' : 'second'} sequence has ${target.length}).`,
    );
  }
  const cut = keep(target, target.length - toRemove, side);
  return strategy === 'only_first' ? { a: cut, b: b ? b.slice() : null } : { a: a.slice(), b: cut };
}

function truncateSlow(a: readonly number[], b: readonly number[] | null, budget: number, strategy: TruncationStrategy, side: TruncationSide): Truncated {
  const total = a.length + (b ? b.length : 0);
  const toRemove = total - budget;
  if (toRemove <= 0) return { a: a.slice(), b: b ? b.slice() : null };
  if (strategy === 'only_first' || (strategy === 'longest_first' && !b)) {
    // Python logs an error and leaves the ids untouched when it cannot remove enough.
    if (a.length <= toRemove) return { a: a.slice(), b: b ? b.slice() : null };
    return { a: keep(a, a.length - toRemove, side), b: b ? b.slice() : null };
  }
  if (strategy === 'longest_first' && b) {
    // One token at a time from the longer sequence (from B when they are equally long).
    let na = a.length;
    let nb = b.length;
    for (let i = 0; i < toRemove; i++) {
      if (na > nb) na--;
      else nb--;
    }
    return { a: keep(a, na, side), b: keep(b, nb, side) };
  }
  if (strategy === 'only_second' && b) {
    if (b.length <= toRemove) return { a: a.slice(), b: b.slice() };
    return { a: a.slice(), b: keep(b, b.length - toRemove, side) };
  }
  return { a: a.slice(), b: b ? b.slice() : null };
}
