/**
 * Dataset preview analysis (runs in the worker: reading a big file and tokenizing it must not
 * block the extension host): the first rows, column profiles, column roles by the one rule the
 * CLI uses (detectColumns), label counts and lengths straight from the cells (so the charts show
 * something even when the file cannot be trained on as it is), lengths in words until a tokenizer
 * is chosen, then in tokens; and the warnings with counts and examples.
 */
import { DETECT_ROWS, DataError, type ColumnRoles, type Table, detectColumns, loadClassificationData, longTextStatsOf, readTable } from '../core/data/index.js';
import { Tokenizer } from '../core/tokenizer/index.js';
import type { ColumnProfile, DatasetPreviewState, DatasetWarning } from '../protocol/webview.js';
import type { AnalyzeRequest } from '../protocol/worker.js';
import { countLabels, duplicateWarning, histogram, labelWarnings, leakageWarning, truncationWarning, wordCount } from './preview-stats.js';

export type AnalyzeOptions = AnalyzeRequest;

export interface AnalyzeDeps {
  /** A tokenizer given as a Hub id or folder → the folder (Hub ids are pulled into the cache). */
  resolveTokenizer?: (nameOrPath: string) => Promise<string>;
}

/** The validation share the preview checks for leakage: the form's default (validation_split_percentage 10). */
const PREVIEW_VALIDATION_PERCENT = 10;

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

/** The cells of the role columns, for rows with a text (and pair). */
interface RoleCells {
  texts: string[];
  pairs: string[] | null;
  labels: string[] | null;
  /** Text + pair: what duplicates and leakage compare. */
  keys: string[];
}

function roleCells(table: Table, roles: ColumnRoles): RoleCells {
  const col = (name: string | undefined): number => (name === undefined ? -1 : table.columns.indexOf(name));
  const [t, p, l] = [col(roles.text), col(roles.pair), col(roles.label)];
  const kept = table.rows.filter((r) => t >= 0 && cell(r[t]).trim() !== '' && (p < 0 || cell(r[p]).trim() !== ''));
  const texts = kept.map((r) => cell(r[t]));
  const pairs = p >= 0 ? kept.map((r) => cell(r[p])) : null;
  return {
    texts,
    pairs,
    labels: l >= 0 ? kept.map((r) => cell(r[l])) : null,
    keys: texts.map((x, i) => (pairs ? `${x}\u0000${pairs[i]}` : x)),
  };
}

function baseState(o: AnalyzeOptions, table: Table): DatasetPreviewState {
  const state: DatasetPreviewState = {
    file: o.file,
    columns: table.columns.map((name, c) =>
      profile(
        name,
        table.rows.map((r) => r[c]),
      ),
    ),
    rows: table.rows.slice(0, o.previewRows ?? 200).map((r) => table.columns.map((_, c) => cell(r[c]))),
    totalRows: table.rows.length,
    warnings: [],
  };
  if (table.emptyLines > 0) state.warnings.push({ kind: 'empty-lines', message: `${table.emptyLines} empty lines are skipped.`, count: table.emptyLines });
  return state;
}

/** Lengths in tokens with the chosen tokenizer (special tokens included, before truncation), else in words. */
async function lengths(state: DatasetPreviewState, cells: RoleCells, o: AnalyzeOptions, deps: AnalyzeDeps): Promise<void> {
  if (cells.texts.length === 0) return;
  if (!o.tokenizer) {
    state.lengths = histogram(
      cells.texts.map((t, i) => wordCount(t) + (cells.pairs ? wordCount(cells.pairs[i]!) : 0)),
      'words',
    );
    return;
  }
  const folder = deps.resolveTokenizer ? await deps.resolveTokenizer(o.tokenizer) : o.tokenizer;
  const tok = await Tokenizer.fromFolder(folder);
  const maxSeqLength = o.maxSeqLength ?? 128;
  // content tokens of each text and pair, as the encoder plans its inputs (special tokens added once per input)
  const textLengths = cells.texts.map((t) => tok.textToIds(t).length);
  const pairLengths = cells.pairs ? cells.pairs.map((t) => tok.textToIds(t).length) : null;
  const specials = tok.numSpecialTokensToAdd(pairLengths !== null);
  const full = textLengths.map((n, i) => n + (pairLengths?.[i] ?? 0) + specials);
  const longText = longTextStatsOf({
    textLengths,
    pairLengths,
    fullLengths: full,
    maxLength: maxSeqLength,
    budget: Math.max(0, maxSeqLength - specials),
    side: tok.truncationSide,
    longText: { mode: 'truncate', ...(o.docStride !== undefined && o.docStride * 2 < maxSeqLength ? { docStride: o.docStride } : {}) },
  });
  const { mode: _mode, ...counts } = longText;
  state.lengths = { ...histogram(full, 'tokens', maxSeqLength), tokenizer: o.tokenizer, longText: counts };
  const over = truncationWarning(full, cells.texts, maxSeqLength);
  if (over) state.warnings.push(over);
}

/** What training would do with the file: task, dropped rows, the data module's warnings, leakage into a validation split. */
async function trainingView(state: DatasetPreviewState, o: AnalyzeOptions, roles: ColumnRoles, cells: RoleCells): Promise<void> {
  try {
    const data = await loadClassificationData({
      trainFile: o.file,
      ...(roles.text ? { textColumns: [roles.text] } : {}),
      ...(roles.pair ? { pairColumn: roles.pair } : {}),
      ...(roles.label ? { labelColumn: roles.label } : {}),
      validationSplitPercentage: PREVIEW_VALIDATION_PERCENT,
    });
    state.problemType = data.problemType;
    const { emptyText, emptyLabel } = data.train.dropped;
    if (emptyText + emptyLabel > 0)
      state.warnings.push({
        kind: 'dropped',
        message: `${emptyText + emptyLabel} rows have an empty text or label and are left out (${emptyText} text, ${emptyLabel} label).`,
        count: emptyText + emptyLabel,
      });
    for (const w of data.warnings) state.warnings.push({ kind: 'data', message: w });
    const v = data.validation;
    if (v) {
      const key = (s: typeof v, i: number): string => (s.pairs ? `${s.texts[i]}\u0000${s.pairs[i]}` : s.texts[i]!);
      const leak = leakageWarning(
        data.train.texts.map((_, i) => key(data.train, i)),
        v.texts.map((_, i) => key(v, i)),
        v.texts,
        `the form's ${PREVIEW_VALIDATION_PERCENT}% split`,
      );
      if (leak) state.warnings.push(leak);
    }
  } catch (e) {
    // The one-label warning says it with the counts; other problems stop training: say so.
    if (!(e instanceof DataError && e.code === 'single-class' && state.warnings.some((w) => w.kind === 'one-label'))) state.error = (e as Error).message;
  }
  if (!state.problemType && cells.labels === null) state.warnings.push(noLabelWarning(state));
}

function noLabelWarning(state: DatasetPreviewState): DatasetWarning {
  return {
    kind: 'data',
    message: `No label column: choose the column that holds each row's class (the columns are ${state.columns.map((c) => `"${c.name}"`).join(', ')}).`,
  };
}

export async function analyzeDataset(o: AnalyzeOptions, deps: AnalyzeDeps = {}): Promise<DatasetPreviewState> {
  const table = await readTable(o.file);
  const state = baseState(o, table);
  const given = {
    ...(o.textColumn ? { text: o.textColumn } : {}),
    ...(o.pairColumn ? { pair: o.pairColumn } : {}),
    ...(o.labelColumn ? { label: o.labelColumn } : {}),
  };
  const roles = detectColumns(table.columns, table.rows.slice(0, DETECT_ROWS), given);
  if (roles.text) state.textColumn = roles.text;
  if (roles.pair) state.pairColumn = roles.pair;
  if (roles.label) state.labelColumn = roles.label;
  const cells = roleCells(table, roles);
  if (cells.labels && roles.label) {
    state.labelCounts = countLabels(cells.labels);
    state.warnings.push(...labelWarnings(state.labelCounts, roles.label, cells.labels.length));
  }
  const dup = duplicateWarning(cells.keys, cells.texts);
  if (dup) state.warnings.push(dup);
  try {
    await lengths(state, cells, o, deps);
  } catch (e) {
    state.warnings.push({ kind: 'data', message: `Tokenizer ${o.tokenizer}: ${(e as Error).message} (lengths are shown in words).` });
    const { tokenizer: _unused, ...words } = o;
    await lengths(state, cells, words, deps);
  }
  await trainingView(state, o, roles, cells);
  if (state.problemType === 'regression') {
    delete state.labelCounts;
    state.warnings = state.warnings.filter((w) => w.kind !== 'imbalance' && w.kind !== 'one-label');
  }
  return state;
}
