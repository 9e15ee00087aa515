/**
 * Dataset statistics for the preview and the run log: rows kept / dropped by reason, blank lines,
 * duplicates, overlap with training, label counts, and token-length percentiles (of the length
 * BEFORE truncation, special tokens included, so they help choose max_seq_length) with the share
 * of rows truncated at max_seq_length, and what each `--long_text` mode would make of the rows that
 * are longer (`longTextStats`).
 */
import type { EncodedDataset, EncodedSplit } from './encode.js';
import { LONG_TEXT_MODES, type LongTextMode, type LongTextOptions, defaultDocStride, planChunks, tokensRead } from './long-text.js';
import type { TruncationSide } from '../tokenizer/truncation.js';
import type { ClassificationData, DataSplit, DropCounts, SplitName } from './prepare.js';

export interface LengthStats {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** max_seq_length the split was encoded with. */
  maxLength: number;
  truncatedRows: number;
  /** truncatedRows / rows. */
  truncatedShare: number;
}

/** What one --long_text mode makes of a split. */
export interface LongTextModeStats {
  /** Model inputs: one per row, or one per chunk with sliding windows. */
  inputs: number;
  /** inputs / rows. */
  inputsPerRow: number;
  /** The most inputs one row needs. */
  maxInputsPerRow: number;
  /** Share of all the rows' text tokens the model reads (1: nothing left out). */
  keptTokenShare: number;
  /** Share of the text tokens of the rows longer than max_seq_length the model reads. */
  keptTokenShareOfLongRows: number;
}

/** Rows longer than max_seq_length and what each --long_text mode keeps of them. */
export interface LongTextStats {
  maxLength: number;
  /** The mode the split was encoded with. */
  mode: LongTextMode;
  /** The sliding windows' overlap (the one given, else the default). */
  docStride: number;
  /** Rows whose tokens (special tokens included) exceed max_seq_length. */
  rowsOverLength: number;
  rowsOverLengthShare: number;
  modes: Record<LongTextMode, LongTextModeStats>;
}

export interface TargetStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface SplitStats {
  split: SplitName;
  file: string;
  source: DataSplit['source'];
  /** Rows kept. */
  rows: number;
  /** Data rows read from the file (or given by the split). */
  readRows: number;
  /** Blank lines skipped in the file. */
  emptyRows: number;
  dropped: DropCounts;
  droppedTotal: number;
  /** Rows whose text (and pair) already occurred earlier in the split. */
  duplicates: number;
  /** Validation/test rows whose text (and pair) also occurs in training (leakage). */
  overlapWithTrain?: number;
  /** Single/multi-label: rows per label name (multi-label: rows carrying the label). */
  labelCounts?: Record<string, number>;
  /** Regression targets. */
  target?: TargetStats;
  tokens?: LengthStats;
  longText?: LongTextStats;
}

/** numpy.percentile's default ('linear') on sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function lengthStats(encoded: EncodedSplit): LengthStats {
  const full = Int32Array.from(encoded.fullLengths).sort();
  const n = full.length;
  let sum = 0;
  let truncated = 0;
  for (let i = 0; i < n; i++) {
    sum += full[i]!;
    if (full[i]! > encoded.maxLength) truncated++;
  }
  return {
    p50: percentile(full, 50),
    p90: percentile(full, 90),
    p95: percentile(full, 95),
    p99: percentile(full, 99),
    max: n > 0 ? full[n - 1]! : 0,
    mean: n > 0 ? sum / n : 0,
    maxLength: encoded.maxLength,
    truncatedRows: truncated,
    truncatedShare: n > 0 ? truncated / n : 0,
  };
}

/** Rows by their token counts, as --long_text plans them (an encoded split's layout, or a preview's own count). */
export interface LongTextRows {
  /** Content tokens (no special tokens) of each row's text, and of its pair. */
  textLengths: ArrayLike<number>;
  pairLengths: ArrayLike<number> | null;
  /** Each row's tokens with the special tokens (before truncation). */
  fullLengths: ArrayLike<number>;
  maxLength: number;
  /** Content tokens one input holds: max_seq_length less the special tokens. */
  budget: number;
  side: TruncationSide;
  /** The mode the rows are read with, and the sliding windows' overlap (default max_seq_length / 4). */
  longText: LongTextOptions;
}

/** What each --long_text mode makes of an encoded split (from its rows' token counts; nothing is tokenized again). */
export function longTextStats(encoded: EncodedSplit): LongTextStats {
  const l = encoded.layout;
  return longTextStatsOf({
    textLengths: l.textLengths,
    pairLengths: l.pairLengths,
    fullLengths: encoded.fullLengths,
    maxLength: encoded.maxLength,
    budget: l.budget,
    side: l.side,
    longText: l.longText,
  });
}

/** What each --long_text mode makes of rows with these token counts. */
export function longTextStatsOf(r: LongTextRows): LongTextStats {
  const n = r.textLengths.length;
  const docStride = r.longText.docStride ?? defaultDocStride(r.maxLength);
  let over = 0;
  for (let i = 0; i < n; i++) if (r.fullLengths[i]! > r.maxLength) over++;
  const modes = {} as Record<LongTextMode, LongTextModeStats>;
  for (const mode of LONG_TEXT_MODES) {
    const plan = { mode, docStride, budget: r.budget, side: r.side, maxLength: r.maxLength };
    let inputs = 0;
    let most = 0;
    const tokens = { all: 0, read: 0, longAll: 0, longRead: 0 };
    for (let i = 0; i < n; i++) {
      const lenB = r.pairLengths ? r.pairLengths[i]! : null;
      const chunks = planChunks(r.textLengths[i]!, lenB, plan);
      inputs += chunks.length;
      most = Math.max(most, chunks.length);
      const all = r.textLengths[i]! + (lenB ?? 0);
      const read = tokensRead(chunks, 'a') + (lenB === null ? 0 : tokensRead(chunks, 'b'));
      tokens.all += all;
      tokens.read += read;
      if (r.fullLengths[i]! > r.maxLength) {
        tokens.longAll += all;
        tokens.longRead += read;
      }
    }
    modes[mode] = {
      inputs,
      inputsPerRow: n > 0 ? inputs / n : 0,
      maxInputsPerRow: most,
      keptTokenShare: tokens.all > 0 ? tokens.read / tokens.all : 1,
      keptTokenShareOfLongRows: tokens.longAll > 0 ? tokens.longRead / tokens.longAll : 1,
    };
  }
  return { maxLength: r.maxLength, mode: r.longText.mode, docStride, rowsOverLength: over, rowsOverLengthShare: n > 0 ? over / n : 0, modes };
}

const key = (s: DataSplit, i: number): string => (s.pairs ? `${s.texts[i]}\u0000${s.pairs[i]}` : s.texts[i]!);

export function splitStats(split: DataSplit, labels: readonly string[], encoded?: EncodedSplit, train?: DataSplit): SplitStats {
  const n = split.texts.length;
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    const k = key(split, i);
    if (seen.has(k)) duplicates++;
    else seen.add(k);
  }
  const out: SplitStats = {
    split: split.name,
    file: split.file,
    source: split.source,
    rows: n,
    readRows: split.readRows,
    emptyRows: split.emptyLines,
    dropped: { ...split.dropped },
    droppedTotal: split.dropped.emptyText + split.dropped.emptyLabel,
    duplicates,
  };
  if (train && train !== split) {
    const trainKeys = new Set<string>();
    for (let i = 0; i < train.texts.length; i++) trainKeys.add(key(train, i));
    let overlap = 0;
    for (let i = 0; i < n; i++) if (trainKeys.has(key(split, i))) overlap++;
    out.overlapWithTrain = overlap;
  }
  const l = split.labels;
  if (l?.kind === 'single' || l?.kind === 'multi') {
    const counts = new Array<number>(labels.length).fill(0);
    if (l.kind === 'single') for (const id of l.ids) counts[id]!++;
    else for (let i = 0; i < l.multiHot.length; i++) if (l.multiHot[i]) counts[i % l.numLabels]!++;
    out.labelCounts = Object.fromEntries(labels.map((name, i) => [name, counts[i]!]));
  } else if (l?.kind === 'regression' && n > 0) {
    let min = Infinity;
    let max = -Infinity;
    let mean = 0;
    let m2 = 0;
    l.values.forEach((x, i) => {
      min = Math.min(min, x);
      max = Math.max(max, x);
      const d = x - mean;
      mean += d / (i + 1);
      m2 += d * (x - mean);
    });
    out.target = { min, max, mean, std: Math.sqrt(m2 / n) };
  }
  if (encoded) {
    out.tokens = lengthStats(encoded);
    out.longText = longTextStats(encoded);
  }
  return out;
}

export interface DatasetStats {
  train: SplitStats;
  validation?: SplitStats;
  test?: SplitStats;
}

export function datasetStats(data: ClassificationData, encoded?: EncodedDataset): DatasetStats {
  const out: DatasetStats = { train: splitStats(data.train, data.labels, encoded?.train) };
  if (data.validation) out.validation = splitStats(data.validation, data.labels, encoded?.validation, data.train);
  if (data.test) out.test = splitStats(data.test, data.labels, encoded?.test, data.train);
  return out;
}
