/**
 * Documents longer than max_seq_length: which of a row's tokens the model reads, as one input or as
 * several (`--long_text`):
 *  - 'truncate' (the default, as transformers): the first max_seq_length tokens (longest_first for
 *    pairs; the tokenizer's truncation side);
 *  - 'head_tail' (Sun et al. 2019, "How to Fine-Tune BERT for Text Classification?", whose best
 *    variant keeps 128 head + 382 tail tokens of 512): the same budget per text as 'truncate', filled
 *    with the text's first and last tokens in the ratio 128 : 382;
 *  - 'sliding_window': chunks of max_seq_length overlapping by doc_stride tokens (HF tokenizers'
 *    `return_overflowing_tokens` with `stride`), so every token is read; for pairs the window slides
 *    over the second text and each chunk repeats the first text (its first tokens, up to half the
 *    budget, when both do not fit). A chunk is a training row with its document's label; evaluation
 *    and prediction aggregate the chunks' probabilities per document (`aggregateDocuments`).
 *
 * A plan works on token positions (content tokens, no special tokens), so the same plan cuts the ids
 * (encode.ts), counts what each mode keeps (stats.ts) and maps a chunk's tokens back to the document
 * (explanations).
 */
import { truncateIds, type TruncationSide } from '../tokenizer/truncation.js';

export type LongTextMode = 'truncate' | 'head_tail' | 'sliding_window';
export type ChunkAggregation = 'mean' | 'max';
export const LONG_TEXT_MODES: readonly LongTextMode[] = ['truncate', 'head_tail', 'sliding_window'];

export interface LongTextOptions {
  mode: LongTextMode;
  /** sliding_window: tokens each chunk shares with the one before (default `defaultDocStride`). */
  docStride?: number;
}

/** [start, end) token positions of one text. */
export type Span = readonly [number, number];

/** One model input: the spans of the first text (and of the pair) it holds, in order. */
export interface Chunk {
  a: Span[];
  b: Span[] | null;
}

/** Sun et al.'s head share: 128 of the 510 content tokens of a 512-token input. */
export const HEAD_SHARE = 128 / 510;

/** The default overlap of sliding windows: a quarter of max_seq_length (run_qa.py: 128 of 384). */
export function defaultDocStride(maxLength: number): number {
  return Math.floor(maxLength / 4);
}

/** Head and tail sizes that fill `budget` content tokens (at least one token of head when budget > 1). */
export function headTailSizes(budget: number): { head: number; tail: number } {
  if (budget <= 1) return { head: budget, tail: 0 };
  const head = Math.max(1, Math.round(budget * HEAD_SHARE));
  return { head, tail: budget - head };
}

/** The positions `keep` tokens of an n-token text: head + tail when it is longer. */
function headTail(n: number, keep: number): Span[] {
  if (n <= keep) return n > 0 ? [[0, n]] : [];
  const { head, tail } = headTailSizes(keep);
  return tail > 0
    ? [
        [0, head],
        [n - tail, n],
      ]
    : [[0, head]];
}

/** Window starts over n tokens: width w, each window sharing `stride` tokens with the one before. */
export function windowStarts(n: number, w: number, stride: number): number[] {
  const starts = [0];
  const step = w - stride;
  if (step < 1) throw new RangeError(`doc_stride ${stride} must be less than the window of ${w} tokens`);
  while (starts[starts.length - 1]! + w < n) starts.push(starts[starts.length - 1]! + step);
  return starts;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** What `truncate` keeps of each text (truncateIds on positions: the tokenizer's own rule, side included). */
function truncated(lenA: number, lenB: number | null, budget: number, side: TruncationSide): Chunk {
  const cut = truncateIds(range(lenA), lenB === null ? null : range(lenB), budget, 'longest_first', side);
  const span = (kept: number[]): Span[] => (kept.length ? [[kept[0]!, kept[kept.length - 1]! + 1]] : []);
  return { a: span(cut.a), b: cut.b === null ? null : span(cut.b) };
}

export interface PlanOptions extends LongTextOptions {
  /** Content tokens an input holds: max_seq_length less the special tokens (of a pair, when there is one). */
  budget: number;
  /** The tokenizer's truncation side (truncate mode). Default 'right'. */
  side?: TruncationSide;
  /** max_seq_length, for the default doc_stride. */
  maxLength: number;
}

/** The model inputs of one row whose texts have lenA (and lenB) content tokens. */
export function planChunks(lenA: number, lenB: number | null, o: PlanOptions): Chunk[] {
  const total = lenA + (lenB ?? 0);
  if (total <= o.budget || o.mode === 'truncate' || o.budget < 2) return [truncated(lenA, lenB, o.budget, o.side ?? 'right')];
  if (o.mode === 'head_tail') {
    // The budget of each text as truncate gives it (right side), filled with its head and tail.
    const per = truncated(lenA, lenB, o.budget, 'right');
    const size = (s: Span[]): number => s.reduce((n, [x, y]) => n + y - x, 0);
    return [{ a: headTail(lenA, size(per.a)), b: lenB === null ? null : headTail(lenB, size(per.b!)) }];
  }
  const stride = o.docStride ?? defaultDocStride(o.maxLength);
  if (lenB === null) return windowStarts(lenA, o.budget, stride).map((s) => ({ a: [[s, Math.min(s + o.budget, lenA)]], b: null }));
  // Pairs: the first text in every chunk (up to half the budget, more when the pair is short), the window over the second.
  const keepA = Math.min(lenA, Math.max(Math.floor(o.budget / 2), o.budget - lenB));
  const w = o.budget - keepA;
  const a: Span[] = keepA > 0 ? [[0, keepA]] : [];
  if (lenB <= w) return [{ a, b: [[0, lenB]] }];
  return windowStarts(lenB, w, Math.min(stride, Math.floor(w / 2))).map((s) => ({ a, b: [[s, Math.min(s + w, lenB)]] }));
}

/** The ids of a chunk's spans. */
export function spanIds(ids: readonly number[], spans: readonly Span[]): number[] {
  if (spans.length === 1) return ids.slice(spans[0]![0], spans[0]![1]);
  return spans.flatMap(([x, y]) => ids.slice(x, y));
}

/** Distinct document tokens the chunks read (chunks of one text overlap only in their windows). */
export function tokensRead(chunks: readonly Chunk[], which: 'a' | 'b'): number {
  const seen: Span[] = [];
  for (const c of chunks) for (const s of c[which] ?? []) seen.push(s);
  seen.sort((x, y) => x[0] - y[0]);
  let n = 0;
  let end = 0;
  for (const [x, y] of seen) {
    const from = Math.max(x, end);
    if (y > from) n += y - from;
    end = Math.max(end, y);
  }
  return n;
}
