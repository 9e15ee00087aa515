/**
 * Explanations as the extension shows them (the predict box, Classify Selection's hover): what the
 * worker sends — a word-level view of core/predict/explain.ts's Explanation (Integrated Gradients),
 * with what the model read of the text and the time it took — and the words both ends make of it.
 * No Node, no DOM.
 */

export type LongTextMode = 'truncate' | 'head_tail' | 'sliding_window';

/** What the model read of one text (and pair): as it was trained to read long texts (its training_args.json). */
export interface TextReading {
  mode: LongTextMode;
  aggregation: 'mean' | 'max';
  /** max_seq_length (special tokens included). */
  maxLength: number;
  /** Model inputs: 1, or the sliding-window chunks. */
  chunks: number;
  /** Tokens of the text (and pair), special tokens not counted. */
  tokens: number;
  /** How many of them the model read (fewer when truncated or head + tail). */
  tokensRead: number;
}

/** A word of the text (sequence 0) or of the pair (1): its character span and the sum of its tokens' attributions. */
export interface WordAttribution {
  text: string;
  start: number;
  end: number;
  sequence: 0 | 1;
  attribution: number;
}

/** A character span of the text (0) or pair (1). */
export interface TextSpan {
  sequence: 0 | 1;
  start: number;
  end: number;
}

export interface TextExplanation {
  text: string;
  pair?: string;
  /** The label explained, and its probability (regression: "value" and the value). */
  label: string;
  /** A regression model: the words raise or lower its value. */
  regression?: boolean;
  score: number;
  words: WordAttribution[];
  /** Parts of the texts the model did not read (truncation, head + tail): not attributed. */
  unread: TextSpan[];
  /** The label's logit on the text minus on the baseline; delta = sum of the attributions - logit_gap. */
  logit_gap: number;
  delta: number;
  steps: number;
  /** Model inputs explained (sliding windows with mean aggregation: every chunk; max: the one chunk). */
  chunks: number;
  read: TextReading;
  /** Wall time of the explanation in the worker. */
  seconds: number;
}

/** The two directions as words: toward / against a label; a regression model's words raise / lower its value. */
export function directions(e: Pick<TextExplanation, 'label' | 'regression'>): { for: string; against: string } {
  return e.regression ? { for: 'raises the value', against: 'lowers the value' } : { for: `toward ${e.label}`, against: `against ${e.label}` };
}

/** An attribution as a person reads it: +0.412, −0.050 (a true minus sign). */
export function signed(a: number, digits = 3): string {
  const s = Math.abs(a).toFixed(digits);
  return `${a < 0 && Number(s) !== 0 ? '−' : '+'}${s}`;
}

/** The words pushing most toward the label (`n`, largest first) and most against it (`against`, most negative first). */
export function topWords(words: readonly WordAttribution[], n = 5, against = 3): { for: WordAttribution[]; against: WordAttribution[] } {
  return {
    for: words
      .filter((w) => w.attribution > 0)
      .sort((a, b) => b.attribution - a.attribution)
      .slice(0, n),
    against: words
      .filter((w) => w.attribution < 0)
      .sort((a, b) => a.attribution - b.attribution)
      .slice(0, against),
  };
}

/**
 * How the model read a text, when it matters ('' for a text read whole in one input):
 * "read in 3 chunks of 128 tokens (sliding_window, mean of the chunks)", "read 128 of 300 tokens (truncate)".
 */
export function readingNote(r: TextReading | undefined): string {
  if (!r) return '';
  if (r.chunks > 1) return `read in ${r.chunks} chunks of ${r.maxLength} tokens (${r.mode}, ${r.aggregation} of the chunks)`;
  if (r.tokensRead < r.tokens) {
    const which = r.mode === 'head_tail' ? 'its first and last tokens, ' : '';
    return `read ${which}${r.tokensRead} of ${r.tokens} tokens (${r.mode} at max_seq_length ${r.maxLength})`;
  }
  return '';
}

/** The reading in a few words, after a score on one line: "3 chunks", "126 of 300 tokens" ('' for a text read whole). */
export function shortReading(r: TextReading | undefined): string {
  if (!r) return '';
  if (r.chunks > 1) return `${r.chunks} chunks`;
  return r.tokensRead < r.tokens ? `${r.tokensRead} of ${r.tokens} tokens` : '';
}

/** Integrated Gradients' completeness is off by more than 5% of the logit gap: more steps would help. */
export function needsMoreSteps(e: Pick<TextExplanation, 'delta' | 'logit_gap'>): boolean {
  return Math.abs(e.delta) > 0.05 * Math.abs(e.logit_gap) + 0.01;
}

/** The completeness check in words: "attributions sum to 2.310, the logit gap is 2.350 (delta −0.040; 32 steps)". */
export function completenessNote(e: Pick<TextExplanation, 'delta' | 'logit_gap' | 'steps'>): string {
  const sum = e.logit_gap + e.delta;
  return `attributions sum to ${sum.toFixed(3)}, the logit gap is ${e.logit_gap.toFixed(3)} (delta ${signed(e.delta)}; ${e.steps} steps)`;
}
