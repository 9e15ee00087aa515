/**
 * A text (or pair) as the model reads it for prediction: its tokens, the model inputs its
 * long-text mode makes of them (one, or one per sliding-window chunk) and, for each position of an
 * input, which token of which text it holds (special tokens: none). Shared by the predictor and
 * the explanations, so both read a text the way training did.
 */
import { type Chunk, type LongTextOptions, planChunks, spanIds, tokensRead } from '../data/index.js';
import type { Encoding, Tokenizer } from '../tokenizer/index.js';

export interface ModelInput extends Encoding {
  /** Per position: [sequence (0 text, 1 pair), token index in that text], or null for a special token. */
  source: ([0 | 1, number] | null)[];
}

export interface TextInputs {
  /** Token ids of the text and of the pair (no special tokens). */
  a: number[];
  b: number[] | null;
  inputs: ModelInput[];
  /** How many of those tokens the inputs hold (each counted once). */
  tokensRead: number;
}

/** Positions of a chunk's tokens in their texts. */
function positions(spans: readonly (readonly [number, number])[]): number[] {
  return spans.flatMap(([x, y]) => Array.from({ length: y - x }, (_, i) => x + i));
}

/** The model input of one chunk, with the source of each position (special tokens found by building the input with markers). */
function chunkInput(tokenizer: Tokenizer, a: readonly number[], b: readonly number[] | null, chunk: Chunk): ModelInput {
  const pa = positions(chunk.a);
  const pb = b && chunk.b ? positions(chunk.b) : null;
  const enc = tokenizer.prepareForModel(spanIds(a, chunk.a), pb ? spanIds(b!, chunk.b!) : null, { truncation: false });
  // The same template over markers: -1 - k for the text's k-th kept token, -1e6 - k for the pair's.
  const marked = tokenizer.prepareForModel(
    pa.map((_, k) => -1 - k),
    pb ? pb.map((_, k) => -1e6 - k) : null,
    { truncation: false },
  ).inputIds;
  const source = marked.map((m): [0 | 1, number] | null => {
    if (m >= 0) return null;
    return m > -1e6 ? [0, pa[-1 - m]!] : [1, pb![-1e6 - m]!];
  });
  return { ...enc, source };
}

/** Content tokens one input holds: max length less the special tokens. */
export function inputBudget(tokenizer: Tokenizer, maxLength: number, pair: boolean): number {
  return maxLength - tokenizer.numSpecialTokensToAdd(pair);
}

/** A text (and pair) as model inputs under `longText`, at most `maxLength` tokens each. */
export function textInputs(tokenizer: Tokenizer, text: string, pair: string | null, maxLength: number, longText: LongTextOptions): TextInputs {
  // The tokenizer's own error when maxLength cannot hold the special tokens.
  tokenizer.prepareForModel([], pair === null ? null : [], { maxLength, truncation: true });
  const a = tokenizer.textToIds(text);
  const b = pair === null ? null : tokenizer.textToIds(pair);
  const plan = { ...longText, budget: inputBudget(tokenizer, maxLength, b !== null), side: tokenizer.truncationSide, maxLength };
  const chunks = planChunks(a.length, b ? b.length : null, plan);
  const read = tokensRead(chunks, 'a') + (b ? tokensRead(chunks, 'b') : 0);
  return { a, b, inputs: chunks.map((c) => chunkInput(tokenizer, a, b, c)), tokensRead: read };
}
