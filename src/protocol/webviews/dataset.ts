/**
 * The dataset preview's protocol: a file's rows, column profiles, label counts and token lengths;
 * analysing it again with other column roles, tokenizer or max_seq_length; training on it.
 */
import { page } from './base.js';
import { type ParamsOf, command, notification, number, optional, request, shape, string } from './ipc.js';

export interface ColumnProfile {
  name: string;
  kind: 'text' | 'integer' | 'number' | 'list' | 'empty';
  empty: number;
  distinct: number;
}

/**
 * The length histogram: in words (whitespace-separated, each CJK character one word) until a
 * tokenizer is chosen, then in tokens (special tokens included, before truncation) with the share
 * of rows longer than max_seq_length. Bucket upper bounds and counts.
 */
export interface LengthHistogram {
  unit: 'words' | 'tokens';
  buckets: number[];
  counts: number[];
  p50: number;
  p95: number;
  max: number;
  /** Tokens only: the limit rows are truncated to, and the share of rows over it. */
  maxSeqLength?: number;
  truncatedShare?: number;
  /** Tokens only: the tokenizer as the person chose it (Hub id or folder). */
  tokenizer?: string;
  /** Tokens only: the rows longer than max_seq_length and what each --long_text mode reads of them. */
  longText?: LongTextCounts;
}

export type LongTextMode = 'truncate' | 'head_tail' | 'sliding_window';

/** What one --long_text mode makes of the rows (core/data/stats.ts LongTextModeStats). */
export interface LongTextModeCounts {
  /** Model inputs: one per row, or one per chunk with sliding windows. */
  inputs: number;
  inputsPerRow: number;
  maxInputsPerRow: number;
  /** Share of all the rows' text tokens the model reads. */
  keptTokenShare: number;
  /** Share of the text tokens of the rows longer than max_seq_length the model reads. */
  keptTokenShareOfLongRows: number;
}

/** Rows longer than max_seq_length and what each --long_text mode keeps of them (core/data/stats.ts LongTextStats, as `finetune inspect` counts them). */
export interface LongTextCounts {
  maxLength: number;
  /** The sliding windows' overlap the counts assume (the one given, else max_seq_length / 4). */
  docStride: number;
  rowsOverLength: number;
  rowsOverLengthShare: number;
  modes: Record<LongTextMode, LongTextModeCounts>;
}

/** Something about the data a person should know before training, with how many rows and a few of them. */
export interface DatasetWarning {
  kind: 'one-label' | 'imbalance' | 'duplicates' | 'leakage' | 'truncated' | 'dropped' | 'empty-lines' | 'data';
  message: string;
  /** Rows concerned. */
  count?: number;
  /** A few of them (texts, or "label: rows"). */
  examples?: string[];
}

export interface DatasetPreviewState {
  file: string;
  columns: ColumnProfile[];
  /** First rows, as strings. */
  rows: string[][];
  totalRows: number;
  textColumn?: string;
  pairColumn?: string;
  labelColumn?: string;
  problemType?: string;
  labelCounts?: Record<string, number>;
  lengths?: LengthHistogram;
  warnings: DatasetWarning[];
  /** The file cannot be trained on as it is: what is wrong and what to do. */
  error?: string;
}

/** Analyses the file again with these roles, tokenizer, max_seq_length (and doc_stride for the sliding windows' count). */
export const Analyze = request(
  'analyze',
  {
    textColumn: optional(string()),
    pairColumn: optional(string()),
    labelColumn: optional(string()),
    tokenizer: optional(string()),
    maxSeqLength: optional(number({ min: 2 })),
    docStride: optional(number({ min: 0 })),
  },
  shape<DatasetPreviewState>(),
);

export type AnalyzeParams = ParamsOf<typeof Analyze>;

/** The model picker, for a tokenizer: the Hub id or folder chosen (pulled when it is a Hub model), or null. */
export const PickTokenizer = request('pickTokenizer', {}, shape<string | null>());

/** "Train on this file": the sidebar takes the file. */
export const TrainOnThis = command('trainOnThis', {});

/** A new preview pushed by the host. */
export const Preview = notification('preview', shape<{ state: DatasetPreviewState }>());

export const datasetProtocol = page({
  page: 'dataset',
  state: shape<DatasetPreviewState>(),
  commands: { trainOnThis: TrainOnThis },
  requests: { analyze: Analyze, pickTokenizer: PickTokenizer },
  notifications: { preview: Preview },
});
export type DatasetProtocol = typeof datasetProtocol;
