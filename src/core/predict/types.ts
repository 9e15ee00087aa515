/** What a prediction returns, and how a call may ask to read its texts. */
import type { ChunkAggregation, LongTextMode } from '../data/index.js';

export interface LabelScore {
  label: string;
  score: number;
}

/** How to read the texts of one call (default: the predictor's settings). */
export interface PredictOptions {
  /** max_seq_length. */
  maxLength?: number;
  longText?: LongTextMode;
  docStride?: number;
  aggregation?: ChunkAggregation;
}

/** One text's prediction with what the model read of it. */
export interface TextPrediction {
  /** Every label with its probability, most likely first (regression: one `value`). */
  scores: LabelScore[];
  /** Model inputs the text was read as: 1, or the sliding-window chunks. */
  chunks: number;
  /** Tokens of the text (and pair), special tokens not counted. */
  tokens: number;
  /** How many of them the model read (fewer when truncated or head + tail). */
  tokensRead: number;
}
