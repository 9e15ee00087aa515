/**
 * The dataset preview's figures, from the file's cells with no model or tokenizer needed (pure, so
 * unit-tested): lengths in words, a length histogram, label counts, and the warnings a person
 * should read before training — one label, imbalance, duplicates, train/validation leakage, rows
 * longer than max_seq_length — each with its count and a few examples.
 */
import type { DatasetWarning, LengthHistogram } from '../protocol/webviews/dataset.js';

/** CJK ideographs, kana and hangul: each character counts as a word (those scripts put no spaces between words). */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/gu;

/** Words of a text: runs of non-space characters, each CJK character one word. */
export function wordCount(text: string): number {
  let cjk = 0;
  const rest = text.replace(CJK, () => (cjk++, ' '));
  const words = rest.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return cjk + words;
}

/** numpy.percentile's default ('linear') on sorted values; 0 for none. */
function percentile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * About 24 equal buckets from 1 to the longest, reaching `limit` when it is no more than twice the
 * longest (so the limit falls on the chart; a limit far past every row would leave the bars a sliver).
 */
export function histogram(lengths: readonly number[], unit: LengthHistogram['unit'], limit?: number): LengthHistogram {
  const sorted = [...lengths].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] ?? 0;
  const top = Math.max(limit !== undefined && limit <= 2 * max ? limit : 0, max, 1);
  const width = Math.max(1, Math.ceil(top / 24));
  const buckets: number[] = [];
  for (let b = width; b < top + width; b += width) buckets.push(b);
  const counts = new Array<number>(buckets.length).fill(0);
  for (const len of sorted) counts[Math.min(buckets.length - 1, Math.max(0, Math.floor((len - 1) / width)))]!++;
  const out: LengthHistogram = { unit, buckets, counts, p50: Math.round(percentile(sorted, 50)), p95: Math.round(percentile(sorted, 95)), max };
  if (limit !== undefined) {
    out.maxSeqLength = limit;
    out.truncatedShare = sorted.length ? sorted.filter((l) => l > limit).length / sorted.length : 0;
  }
  return out;
}

/** Rows per label value (empty labels left out), most frequent first. */
export function countLabels(labels: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const l of labels) if (l.trim() !== '') counts.set(l.trim(), (counts.get(l.trim()) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true })));
}

/** A text as an example in a warning: one line, at most 80 characters. */
export function example(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

const EXAMPLES = 3;

/** One label only, or labels so imbalanced that accuracy says little. */
export function labelWarnings(counts: Record<string, number>, labelColumn: string, rows: number): DatasetWarning[] {
  const entries = Object.entries(counts);
  if (entries.length === 1) {
    const [only, n] = entries[0]!;
    return [
      {
        kind: 'one-label',
        message: `Every row has the label "${only}" in the column "${labelColumn}": a classifier needs rows of at least two labels. If this file is part of a larger one, use the whole file; otherwise check that "${labelColumn}" is the label column.`,
        count: n,
        examples: [`${only}: ${n} of ${rows} rows`],
      },
    ];
  }
  if (entries.length < 2) return [];
  const [top, topN] = entries[0]!;
  const [low, lowN] = entries[entries.length - 1]!;
  if (lowN === 0 || topN / lowN < 3) return [];
  return [
    {
      kind: 'imbalance',
      message: `Labels are imbalanced: "${top}" has ${(topN / lowN).toFixed(1)}× the rows of "${low}". Watch F1 rather than accuracy, and consider class weights (Advanced → Class weights: auto).`,
      count: lowN,
      examples: entries.slice(0, EXAMPLES).map(([k, v]) => `${k}: ${v} rows`),
    },
  ];
}

/** Rows whose text (and pair) repeats an earlier row's. */
export function duplicateWarning(keys: readonly string[], shown: readonly string[]): DatasetWarning | undefined {
  const seen = new Set<string>();
  const examples: string[] = [];
  let n = 0;
  keys.forEach((k, i) => {
    if (!seen.has(k)) return void seen.add(k);
    n++;
    if (examples.length < EXAMPLES && !examples.includes(example(shown[i]!))) examples.push(example(shown[i]!));
  });
  if (n === 0) return undefined;
  return {
    kind: 'duplicates',
    message: `${n} rows repeat an earlier row's text: they weigh more in training, and a random validation split puts copies on both sides.`,
    count: n,
    examples,
  };
}

/** Validation rows whose text (and pair) also occurs in the training rows: evaluation scores them as if unseen. */
export function leakageWarning(
  trainKeys: readonly string[],
  validationKeys: readonly string[],
  shown: readonly string[],
  where: string,
): DatasetWarning | undefined {
  const train = new Set(trainKeys);
  const examples: string[] = [];
  let n = 0;
  validationKeys.forEach((k, i) => {
    if (!train.has(k)) return;
    n++;
    if (examples.length < EXAMPLES) examples.push(example(shown[i]!));
  });
  if (n === 0) return undefined;
  return {
    kind: 'leakage',
    message: `${n} of ${validationKeys.length} validation rows (${where}) also occur in the training rows: the evaluation scores them as if unseen, so it reads high. Remove the duplicates first.`,
    count: n,
    examples,
  };
}

/** Rows longer than max_seq_length in tokens: their end is cut off. */
export function truncationWarning(lengths: readonly number[], texts: readonly string[], maxSeqLength: number): DatasetWarning | undefined {
  const over = lengths.map((l, i) => [l, i] as const).filter(([l]) => l > maxSeqLength);
  if (over.length === 0) return undefined;
  over.sort((a, b) => b[0] - a[0]);
  return {
    kind: 'truncated',
    message: `${over.length} rows (${((100 * over.length) / lengths.length).toFixed(1)}%) are longer than max_seq_length ${maxSeqLength} tokens: their end is cut off. If the end matters, raise max_seq_length (memory and time grow with it) or read them another way: long_text head_tail or sliding_window in the training form (what each reads: under the token lengths).`,
    count: over.length,
    examples: over.slice(0, EXAMPLES).map(([l, i]) => `${l} tokens: ${example(texts[i]!)}`),
  };
}
