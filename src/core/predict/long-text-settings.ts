/**
 * How a model reads long texts when it predicts: the flags given, else what the model was trained
 * with (the `long_text`, `doc_stride`, `chunk_aggregation` and `max_seq_length` of the training_args.json
 * Finetune writes into every saved model and checkpoint), else truncation at 128 tokens. So a model
 * trained with sliding windows predicts with them in `finetune predict`, `explain`, the predict box
 * and classify selection without being told again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChunkAggregation, LONG_TEXT_MODES, type LongTextMode, type LongTextOptions } from '../data/index.js';

export interface LongTextSettings {
  longText: LongTextOptions;
  aggregation: ChunkAggregation;
  /** max_seq_length. */
  maxLength: number;
}

/** The settings as flags name them (null: not given). */
export interface LongTextFlags {
  long_text?: LongTextMode | null;
  doc_stride?: number | null;
  chunk_aggregation?: ChunkAggregation | null;
  max_seq_length?: number | null;
}

const DEFAULT_MAX_LENGTH = 128;

/** The long-text flags of a model folder's training_args.json ({} when it has none or they are not Finetune's). */
export async function trainedLongTextFlags(dir: string): Promise<LongTextFlags> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'training_args.json'), 'utf8'));
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const out: LongTextFlags = {};
  if (LONG_TEXT_MODES.includes(r.long_text as LongTextMode)) out.long_text = r.long_text as LongTextMode;
  if (Number.isInteger(r.doc_stride) && (r.doc_stride as number) >= 0) out.doc_stride = r.doc_stride as number;
  if (r.chunk_aggregation === 'mean' || r.chunk_aggregation === 'max') out.chunk_aggregation = r.chunk_aggregation;
  if (Number.isInteger(r.max_seq_length) && (r.max_seq_length as number) > 1) out.max_seq_length = r.max_seq_length as number;
  return out;
}

/** `given` where set, else `trained`, else the defaults (truncate, mean, 128). */
export function longTextSettings(given: LongTextFlags, trained: LongTextFlags = {}): LongTextSettings {
  const pick = <K extends keyof LongTextFlags>(k: K): LongTextFlags[K] => given[k] ?? trained[k] ?? undefined;
  const maxLength = pick('max_seq_length') ?? DEFAULT_MAX_LENGTH;
  // A trained stride too wide for a shorter max_seq_length given now gives way to the default.
  const stride = pick('doc_stride');
  const fits = stride !== undefined && stride !== null && stride * 2 < maxLength;
  return {
    longText: { mode: pick('long_text') ?? 'truncate', ...(fits ? { docStride: stride } : {}) },
    aggregation: pick('chunk_aggregation') ?? 'mean',
    maxLength,
  };
}
