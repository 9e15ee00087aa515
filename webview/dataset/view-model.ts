/**
 * What the dataset preview shows, computed from the host's preview state with no DOM (unit-tested
 * in Node): the column roles, the summaries under the charts, the histogram's labels, where
 * max_seq_length falls on it, and the analyze request the roles form makes.
 */
import type { AnalyzeParams, DatasetPreviewState, DatasetWarning, LengthHistogram, LongTextCounts, LongTextMode } from '../../src/protocol/webviews/dataset.js';
import { count, percent } from '../format.js';

export interface Roles {
  text: string;
  pair: string;
  label: string;
}

/** What the roles form holds: the roles, and the tokenizer, max_seq_length and doc_stride as typed. */
export interface RolesForm extends Roles {
  tokenizer: string;
  maxSeqLength: string;
  /** The sliding windows' overlap for the long-text counts ('' or absent: max_seq_length / 4). */
  docStride?: string;
}

/** The roles the host chose (else the first column for the text and the last for the label). */
export function pickRoles(s: DatasetPreviewState): Roles {
  const has = (c: string | undefined): c is string => !!c && s.columns.some((p) => p.name === c);
  return {
    text: has(s.textColumn) ? s.textColumn : (s.columns[0]?.name ?? ''),
    pair: has(s.pairColumn) ? s.pairColumn : '',
    label: has(s.labelColumn) ? s.labelColumn : (s.columns[s.columns.length - 1]?.name ?? ''),
  };
}

/** A column's role in the table ('' for none). */
export function columnRole(name: string, r: Roles): string {
  return name === r.text ? 'text' : name === r.pair ? 'pair' : name === r.label ? 'label' : '';
}

/** The analyze request for the form: empty fields left out, max_seq_length only when it is a number >= 2, doc_stride when >= 0. */
export function analyzeParams(f: RolesForm): AnalyzeParams {
  const n = Number(f.maxSeqLength);
  const stride = Number(f.docStride ?? '');
  return {
    ...(f.docStride?.trim() && Number.isFinite(stride) && stride >= 0 ? { docStride: Math.floor(stride) } : {}),
    ...(f.text ? { textColumn: f.text } : {}),
    ...(f.pair ? { pairColumn: f.pair } : {}),
    ...(f.label ? { labelColumn: f.label } : {}),
    ...(f.tokenizer.trim() ? { tokenizer: f.tokenizer.trim() } : {}),
    ...(f.maxSeqLength.trim() && Number.isFinite(n) && n >= 2 ? { maxSeqLength: Math.floor(n) } : {}),
  };
}

export function fileInfo(s: DatasetPreviewState): string {
  return [`${count(s.totalRows)} rows`, `${s.columns.length} columns`, s.problemType].filter(Boolean).join(' · ');
}

export function rowsTitle(s: DatasetPreviewState): string {
  return s.rows.length < s.totalRows ? `Rows (first ${count(s.rows.length)} of ${count(s.totalRows)})` : `Rows (${count(s.rows.length)})`;
}

/** The label distribution's summary, or what to do when there is none to draw. */
export function labelSummary(s: DatasetPreviewState): string {
  const counts = Object.entries(s.labelCounts ?? {});
  if (!counts.length) {
    if (s.problemType === 'regression') return 'Regression: the label is a number (no classes to count).';
    return s.labelColumn
      ? `The label column "${s.labelColumn}" has no values: choose the column that holds each row's class.`
      : "No label column yet: choose the column that holds each row's class in Label column above.";
  }
  const total = counts.reduce((a, [, v]) => a + v, 0);
  if (counts.length === 1) return `Only one label ("${counts[0]![0]}", ${count(total)} rows): a classifier needs at least two.`;
  const shares = counts
    .map(([k, v]) => `${k} ${percent(total ? v / total : 0)}`)
    .slice(0, 12)
    .join(' · ');
  return `${counts.length} labels · ${shares}${counts.length > 12 ? ' · …' : ''}`;
}

/** The histogram's bucket labels: ≤16, 17–32, ... (buckets one wide: 1, 2, 3, ...). */
export function lengthLabels(l: LengthHistogram | undefined): string[] {
  if (!l) return [];
  return l.buckets.map((b, i) => {
    const lo = i === 0 ? 1 : l.buckets[i - 1]! + 1;
    return lo === b ? String(b) : i === 0 ? `≤${b}` : `${lo}–${b}`;
  });
}

/** The length chart's title: words until a tokenizer is chosen. */
export function lengthTitle(l: LengthHistogram | undefined): string {
  if (!l) return 'Text lengths';
  return l.unit === 'tokens' ? `Token lengths (${l.tokenizer ?? 'tokenizer'})` : 'Text lengths in words';
}

export function lengthSummary(l: LengthHistogram | undefined): string {
  if (!l) return 'No text column yet: choose the column that holds the text in Text column above.';
  const figures = `median ${l.p50} · p95 ${l.p95} · longest ${l.max}`;
  if (l.unit === 'words') return `${figures} words. Choose the model’s tokenizer above to see tokens and how many rows max_seq_length cuts.`;
  return `max_seq_length ${l.maxSeqLength}: ${percent(l.truncatedShare ?? 0)} of rows truncated · ${figures} tokens`;
}

/** A bucket whose rows are all longer than max_seq_length (drawn red: they get truncated). */
export function truncatedBucket(l: LengthHistogram | undefined, i: number): boolean {
  const lo = i > 0 ? (l?.buckets[i - 1] ?? 0) : 0;
  return !!l && l.maxSeqLength !== undefined && lo >= l.maxSeqLength;
}

/**
 * Where max_seq_length falls on the histogram, in bucket slots: the bucket it falls in and how far
 * into it (0..1); past the last bucket, the end of the last one. None for lengths in words.
 */
export function maxLengthSlot(l: LengthHistogram): { index: number; frac: number; beyond?: true } | undefined {
  const limit = l.maxSeqLength;
  if (limit === undefined) return undefined;
  const k = l.buckets.findIndex((b) => b >= limit);
  if (k < 0) return { index: l.buckets.length - 1, frac: 1, ...(limit > l.buckets[l.buckets.length - 1]! ? { beyond: true as const } : {}) };
  const lo = k > 0 ? l.buckets[k - 1]! : 0;
  const hi = l.buckets[k]!;
  return { index: k, frac: hi > lo ? (limit - lo) / (hi - lo) : 1 };
}

/** A warning as the list shows it: the message, and its examples (each on its own line). */
export function warningLines(w: DatasetWarning): { message: string; examples: string[] } {
  return { message: w.message, examples: w.examples ?? [] };
}

/** The line above the long-text table: how many rows are longer than max_seq_length ('' before a tokenizer is chosen). */
export function longTextSummary(l: LongTextCounts | undefined): string {
  if (!l) return '';
  if (l.rowsOverLength === 0) return `No row is longer than max_seq_length ${l.maxLength}: every long_text mode reads every token.`;
  return `${count(l.rowsOverLength)} rows (${percent(l.rowsOverLengthShare)}) are longer than max_seq_length ${l.maxLength}. What each long_text mode reads of them, and the model inputs it makes of all the rows (training and prediction time grow with them):`;
}

export interface LongTextRow {
  mode: LongTextMode;
  reads: string;
  inputs: string;
}

/** One row per --long_text mode: what it reads of the long rows, and the model inputs of all the rows. */
export function longTextRows(l: LongTextCounts): LongTextRow[] {
  const m = l.modes;
  const kept = (mode: LongTextMode, which: string): string => `${percent(m[mode].keptTokenShareOfLongRows, 0)} of their tokens (${which})`;
  const one = (mode: LongTextMode): string => `${count(m[mode].inputs)} (one per row)`;
  const sw = m.sliding_window;
  return [
    { mode: 'truncate', reads: kept('truncate', 'the first'), inputs: one('truncate') },
    { mode: 'head_tail', reads: kept('head_tail', 'the first and the last'), inputs: one('head_tail') },
    {
      mode: 'sliding_window',
      reads: `all of them, in chunks overlapping by ${l.docStride} tokens (doc_stride)`,
      inputs: `${count(sw.inputs)} (${sw.inputsPerRow.toFixed(2)} per row, at most ${sw.maxInputsPerRow})`,
    },
  ];
}
