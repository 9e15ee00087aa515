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

/** Token-length histogram for the chosen tokenizer: bucket upper bounds and counts. */
export interface TokenLengths {
  buckets: number[];
  counts: number[];
  maxSeqLength: number;
  truncatedShare: number;
  p50: number;
  p95: number;
  max: number;
  tokenizer: string;
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
  lengths?: TokenLengths;
  warnings: string[];
  error?: string;
}

/** Analyses the file again with these roles, tokenizer and max_seq_length. */
export const Analyze = request(
  'analyze',
  {
    textColumn: optional(string()),
    pairColumn: optional(string()),
    labelColumn: optional(string()),
    tokenizer: optional(string()),
    maxSeqLength: optional(number({ min: 2 })),
  },
  shape<DatasetPreviewState>(),
);

export type AnalyzeParams = ParamsOf<typeof Analyze>;

/** "Train on this file": the sidebar takes the file. */
export const TrainOnThis = command('trainOnThis', {});

/** A new preview pushed by the host. */
export const Preview = notification('preview', shape<{ state: DatasetPreviewState }>());

export const datasetProtocol = page({
  page: 'dataset',
  state: shape<DatasetPreviewState>(),
  commands: { trainOnThis: TrainOnThis },
  requests: { analyze: Analyze },
  notifications: { preview: Preview },
});
export type DatasetProtocol = typeof datasetProtocol;
