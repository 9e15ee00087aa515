/**
 * Dataset preview analysis (runs in the worker: reading a big file and tokenizing it must not
 * block the extension host): the first rows, column profiles, suggested roles, label counts,
 * token-length histogram for a tokenizer, and warnings (imbalance, duplicates, empty rows).
 */
import { DETECT_ROWS, datasetStats, detectColumns, encodeDataset, loadClassificationData, readTable } from '../core/data/index.js';
import { Tokenizer } from '../core/tokenizer/index.js';
import type { ColumnProfile, DatasetPreviewState } from '../protocol/webview.js';
import type { AnalyzeRequest } from '../protocol/worker.js';

export type AnalyzeOptions = AnalyzeRequest;

function profile(name: string, values: unknown[]): ColumnProfile {
  let empty = 0;
  let ints = 0;
  let nums = 0;
  let lists = 0;
  const distinct = new Set<string>();
  for (const v of values) {
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      empty++;
      continue;
    }
    if (Array.isArray(v)) lists++;
    const s = typeof v === 'string' ? v.trim() : JSON.stringify(v);
    if (distinct.size < 10_000) distinct.add(s);
    const n = typeof v === 'number' ? v : Number(s);
    if (s !== '' && Number.isFinite(n)) {
      nums++;
      if (Number.isInteger(n)) ints++;
    }
  }
  const filled = values.length - empty;
  const kind: ColumnProfile['kind'] = filled === 0 ? 'empty' : lists === filled ? 'list' : ints === filled ? 'integer' : nums === filled ? 'number' : 'text';
  return { name, kind, empty, distinct: distinct.size };
}

const cell = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

export async function analyzeDataset(o: AnalyzeOptions): Promise<DatasetPreviewState> {
  const table = await readTable(o.file);
  const columns = table.columns.map((name, c) =>
    profile(
      name,
      table.rows.map((r) => r[c]),
    ),
  );
  const state: DatasetPreviewState = {
    file: o.file,
    columns,
    rows: table.rows.slice(0, o.previewRows ?? 200).map((r) => table.columns.map((_, c) => cell(r[c]))),
    totalRows: table.rows.length,
    warnings: [],
  };
  if (table.emptyLines > 0) state.warnings.push(`${table.emptyLines} empty lines are skipped`);
  // Roles by the rule the CLI and the training form use; shown even when the data cannot be prepared.
  const given = {
    ...(o.textColumn ? { text: o.textColumn } : {}),
    ...(o.pairColumn ? { pair: o.pairColumn } : {}),
    ...(o.labelColumn ? { label: o.labelColumn } : {}),
  };
  const roles = detectColumns(table.columns, table.rows.slice(0, DETECT_ROWS), given);
  if (roles.text) state.textColumn = roles.text;
  if (roles.pair) state.pairColumn = roles.pair;
  if (roles.label) state.labelColumn = roles.label;
  try {
    const data = await loadClassificationData({
      trainFile: o.file,
      ...(roles.text ? { textColumns: [roles.text] } : {}),
      ...(roles.pair ? { pairColumn: roles.pair } : {}),
      ...(roles.label ? { labelColumn: roles.label } : {}),
    });
    state.textColumn = data.columns.text[0];
    if (data.columns.pair) state.pairColumn = data.columns.pair;
    if (data.columns.label) state.labelColumn = data.columns.label;
    state.problemType = data.problemType;
    const tok = o.tokenizer ? await Tokenizer.fromFolder(o.tokenizer) : undefined;
    const maxSeqLength = o.maxSeqLength ?? 128;
    const encoded = tok ? await encodeDataset(data, tok, { maxSeqLength }) : undefined;
    const stats = datasetStats(data, encoded).train;
    if (stats.labelCounts) state.labelCounts = stats.labelCounts;
    const dropped = stats.dropped.emptyText + stats.dropped.emptyLabel;
    if (dropped > 0)
      state.warnings.push(`${dropped} rows have an empty text or label and are dropped (${stats.dropped.emptyText} text, ${stats.dropped.emptyLabel} label)`);
    if (stats.duplicates > 0) state.warnings.push(`${stats.duplicates} rows repeat an earlier row's text`);
    if (stats.labelCounts) {
      const counts = Object.values(stats.labelCounts);
      const max = Math.max(...counts);
      const min = Math.min(...counts);
      if (min > 0 && max / min >= 3)
        state.warnings.push(`labels are imbalanced (${max}:${min}); consider --class_weights auto and watch F1 rather than accuracy`);
    }
    for (const w of data.warnings) state.warnings.push(w);
    if (encoded && tok && stats.tokens) {
      const full = encoded.train.fullLengths;
      const top = Math.max(maxSeqLength, stats.tokens.max);
      const width = Math.max(1, Math.ceil(top / 24));
      const buckets: number[] = [];
      for (let b = width; b < top + width; b += width) buckets.push(b);
      const counts = new Array<number>(buckets.length).fill(0);
      for (const len of full) counts[Math.min(buckets.length - 1, Math.floor((len - 1) / width))]!++;
      state.lengths = {
        buckets,
        counts,
        maxSeqLength,
        truncatedShare: stats.tokens.truncatedShare,
        p50: stats.tokens.p50,
        p95: stats.tokens.p95,
        max: stats.tokens.max,
        tokenizer: o.tokenizer!,
      };
      if (stats.tokens.truncatedShare > 0.05)
        state.warnings.push(`${(100 * stats.tokens.truncatedShare).toFixed(1)}% of rows are longer than max_seq_length ${maxSeqLength} and will be truncated`);
    }
  } catch (e) {
    state.error = (e as Error).message;
  }
  return state;
}
