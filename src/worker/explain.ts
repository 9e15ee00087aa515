/**
 * Explanations for the predict box and Classify Selection's hover, in the worker (Integrated
 * Gradients runs (steps + 1) forward and backward passes per model input: never on the extension
 * host's thread). The core's Explanation becomes what the extension shows: the words with their
 * attributions, the parts of the text the model did not read, how it read the text (the model's own
 * long-text settings: chunks, truncation) and the time it took.
 */
import { resolveProblemType } from '../core/model/config.js';
import type { Explanation } from '../core/predict/explain.js';
import type { LongTextSettings } from '../core/predict/long-text-settings.js';
import type { Predictor, TextPrediction } from '../core/predict/predictor.js';
import type { TextExplanation, TextReading, TextSpan } from '../protocol/explain.js';

/** How the model read one text: its settings and the prediction's counts. */
export function readingOf(p: Pick<TextPrediction, 'chunks' | 'tokens' | 'tokensRead'>, s: LongTextSettings): TextReading {
  return { mode: s.longText.mode, aggregation: s.aggregation, maxLength: s.maxLength, chunks: p.chunks, tokens: p.tokens, tokensRead: p.tokensRead };
}

/**
 * The spans of `text` outside the read tokens' offsets (in text order) that hold more than white
 * space: what truncation or head + tail left out. Nothing read of a non-blank text: all of it.
 */
export function unreadSpans(text: string, offsets: readonly (readonly [number, number])[], sequence: 0 | 1): TextSpan[] {
  const out: TextSpan[] = [];
  const gap = (start: number, end: number): void => {
    if (end > start && /\S/.test(text.slice(start, end))) out.push({ sequence, start, end });
  };
  let at = 0;
  for (const [start, end] of offsets) {
    gap(at, start);
    at = Math.max(at, end);
  }
  gap(at, text.length);
  return out;
}

/** The core's explanation as the extension shows it. */
export function explanationView(e: Explanation, read: TextReading, seconds: number, regression = false): TextExplanation {
  const offsetsOf = (seq: 0 | 1): [number, number][] => e.offsets.filter((_, i) => (e.sequence?.[i] ?? 0) === seq);
  const unread = [...unreadSpans(e.text, offsetsOf(0), 0), ...(e.pair !== undefined ? unreadSpans(e.pair, offsetsOf(1), 1) : [])];
  return {
    text: e.text,
    ...(e.pair !== undefined ? { pair: e.pair } : {}),
    label: e.label,
    ...(regression ? { regression: true } : {}),
    score: e.score,
    words: e.words.map((w) => ({ text: w.text, start: w.start, end: w.end, sequence: w.sequence, attribution: w.attribution })),
    unread,
    logit_gap: e.logit_gap,
    delta: e.delta,
    steps: e.steps,
    chunks: e.chunks,
    read,
    seconds,
  };
}

export interface ExplainRequest {
  text: string;
  pair?: string;
  label?: string;
  steps?: number;
}

/** Explains one text (and pair) with a loaded predictor, read as the model reads texts. */
export async function explainText(predictor: Predictor, r: ExplainRequest): Promise<TextExplanation> {
  const t0 = performance.now();
  const e = await predictor.explain(r.text, {
    ...(r.pair !== undefined ? { pair: r.pair } : {}),
    ...(r.label !== undefined ? { label: r.label } : {}),
    ...(r.steps !== undefined ? { steps: r.steps } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const [p] = await predictor.predictTexts([r.text], r.pair !== undefined ? [r.pair] : undefined);
  return explanationView(e, readingOf(p!, predictor.resolve()), seconds, resolveProblemType(predictor.config) === 'regression');
}
