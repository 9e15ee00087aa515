/**
 * What run_classification.py does with `datasets` before tokenizing: read the train (and
 * validation / test) files, pick the text column(s) and the label column, drop rows with an empty
 * text or label (counted by reason), detect the task, build the sorted label list, map labels to
 * ids, and carve validation/test out of the train file when they have no file of their own.
 */
import { DETECT_ROWS, LABEL_NAMES, detectColumns, headerLooksLikeData, labelColumnByName } from './columns.js';
import { DataError, didYouMean, quoteList, show } from './errors.js';
import {
  detectLabelKind,
  isMissing,
  labelKey,
  type LabelColumnKind,
  type LabelSort,
  labelToId,
  multiLabelKeys,
  type ProblemType,
  regressionValue,
  singleClassError,
  sortLabels,
  type TaskOption,
  unseenLabelError,
} from './labels.js';
import { readTable, type ReadOptions, resolveFormat, type Table, whereRow } from './read.js';
import { randomSplit, type SplitIndices, stratifiedSplit } from './split.js';

export type SplitName = 'train' | 'validation' | 'test';
export type ColumnSpec = string | number;

export type SplitLabels =
  { kind: 'single'; ids: Int32Array } | { kind: 'multi'; numLabels: number; multiHot: Uint8Array } | { kind: 'regression'; values: Float32Array };

export interface SkippedRow {
  /** Index among the file's data rows. */
  index: number;
  /** Source line (or JSON record). */
  line: number;
  reason: string;
}

export interface DropCounts {
  /** The text (or, for pairs, either text) is empty. */
  emptyText: number;
  /** The label is empty (or -1 in an integer label column). */
  emptyLabel: number;
}

export interface DataSplit {
  name: SplitName;
  /** The file the rows came from. */
  file: string;
  /** 'file': read from its own file; 'train-split': carved out of the train file. */
  source: 'file' | 'train-split';
  rowUnit: 'line' | 'record';
  texts: string[];
  /** Second texts of sentence pairs, or null. */
  pairs: string[] | null;
  /** null: the split has no labels (a test file to predict). */
  labels: SplitLabels | null;
  /** Source line (or JSON record) of every row. */
  rowNumbers: number[];
  /** Index of every row among the file's data rows (0-based, blank lines not counted). */
  rowIndices: number[];
  /** Rows of the file left out, with the reason (a file to predict answers every row, these included). */
  skipped: SkippedRow[];
  /** Test files with some labels: 1 where the row has one (metrics use those rows; every row is predicted). */
  labelled?: Uint8Array;
  /** Data rows read from the file (before dropping); for a carved split, the rows it got. */
  readRows: number;
  /** Blank lines skipped in the file. */
  emptyLines: number;
  dropped: DropCounts;
}

export interface DataOptions extends ReadOptions {
  trainFile: string;
  validationFile?: string;
  testFile?: string;
  /** Text column(s); several are joined with `textColumnDelimiter` (empty parts left out).
   * Default: "sentence", else "text", else sentence1 + sentence2 as a pair, else the one column
   * that is not the label. Numbers select columns by position (0-based). */
  textColumns?: ColumnSpec | ColumnSpec[];
  /** The second text of sentence pairs (GLUE MRPC: "#2 String"). */
  pairColumn?: ColumnSpec;
  /** Default " " (run_classification.py's `text_column_delimiter`). */
  textColumnDelimiter?: string;
  /** Default "label", else "labels", else the one column that is not text. */
  labelColumn?: ColumnSpec;
  /** Default 'auto': from the train labels (integers/strings: single-label, floats: regression, lists: multi-label). */
  task?: TaskOption;
  /** With task 'auto': numeric labels make classes, never regression (run_classification.py's --do_regression false). */
  noRegression?: boolean;
  /** Multi-label: labels in one string separated by this ("," or "|"). */
  labelDelimiter?: string;
  /** Default 'natural': integer labels numerically, others by code point. */
  labelSort?: LabelSort;
  /** A fixed label order (a model's id2label); any other label is an error. */
  labelList?: readonly string[];
  /** Percent of the train file kept for validation when there is no validation file. */
  validationSplitPercentage?: number;
  /** Percent of the train file kept for test when there is no test file. */
  testSplitPercentage?: number;
  /** Seed of the split (default 42). */
  seed?: number;
  /** Stratify single-label splits by class (default true). */
  stratify?: boolean;
  maxTrainSamples?: number;
  maxEvalSamples?: number;
  maxPredictSamples?: number;
}

export interface ClassificationData {
  problemType: ProblemType;
  /** Label names in id order (id2label); empty for regression. */
  labels: string[];
  /** Model outputs: number of labels, 1 for regression. */
  numLabels: number;
  label2id: Record<string, number>;
  id2label: Record<string, string>;
  columns: { text: string[]; pair?: string; label?: string };
  train: DataSplit;
  validation?: DataSplit;
  test?: DataSplit;
  warnings: string[];
}

function resolveColumn(table: Table, spec: ColumnSpec, role: string): number {
  const { columns, file } = table;
  if (typeof spec === 'number') {
    if (Number.isInteger(spec) && spec >= 0 && spec < columns.length) return spec;
    throw new DataError(
      'missing-column',
      file,
      `${file}: no ${role} column at position ${spec}; the file has ${columns.length} columns (positions 0 to ${columns.length - 1}: ${quoteList(columns)}).`,
      { column: String(spec) },
    );
  }
  const i = columns.indexOf(spec);
  if (i >= 0) return i;
  const close = didYouMean(spec, columns);
  throw new DataError(
    'missing-column',
    file,
    `${file}: no ${role} column ${show(spec)}. The columns are ${quoteList(columns)}.` +
      (close !== undefined ? ` Did you mean ${show(close)}?` : ' Choose one of them.'),
    { column: spec },
  );
}

function toText(table: Table, row: number, col: number): string {
  const v = table.rows[row]![col];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new DataError(
    'bad-text',
    table.file,
    `${table.file}, ${whereRow(table, row)}: the text column ${show(table.columns[col])} holds ${Array.isArray(v) ? 'an array' : 'an object'} (${show(v)}), not text. Choose a text column.`,
    { row: table.rowNumbers[row], column: table.columns[col] },
  );
}

interface ColumnChoice {
  text: ColumnSpec[];
  pair?: ColumnSpec;
  label?: ColumnSpec;
}

/** The columns to use, from the options and the train file's header and first rows (data/columns.ts). */
function chooseColumns(train: Table, o: DataOptions): ColumnChoice {
  const cols = train.columns;
  const nameOf = (c: ColumnSpec | undefined): string | undefined => (typeof c === 'number' ? cols[c] : c);
  const givenText = o.textColumns === undefined ? undefined : Array.isArray(o.textColumns) ? o.textColumns : [o.textColumns];
  const given = {
    ...(givenText?.length ? { text: nameOf(givenText[0]) } : {}),
    ...(o.pairColumn !== undefined ? { pair: nameOf(o.pairColumn) } : {}),
    ...(o.labelColumn !== undefined ? { label: nameOf(o.labelColumn) } : {}),
  };
  const exclude = (givenText ?? []).map(nameOf).filter((c): c is string => c !== undefined);
  const found = detectColumns(cols, train.rows.slice(0, DETECT_ROWS), given, exclude);
  const text: ColumnSpec[] | undefined = givenText ?? (found.text !== undefined ? [found.text] : undefined);
  const pair = o.pairColumn ?? (givenText ? undefined : found.pair);
  const label = o.labelColumn ?? found.label;
  if (text === undefined || text.length === 0) {
    throw new DataError(
      'missing-column',
      train.file,
      `${train.file}: choose the text column(s) with --text_column_names; none of the columns ${quoteList(cols)} looks like text.`,
    );
  }
  if (label === undefined) {
    throw new DataError(
      'missing-column',
      train.file,
      `${train.file}: choose the label column with --label_column_name; no column is named like one (${LABEL_NAMES.slice(0, 5).join(', ')}, ...) and none of ${quoteList(cols)} looks like labels.`,
    );
  }
  return { text, pair, label };
}

interface Extracted {
  table: Table;
  texts: string[];
  pairs: string[] | null;
  /** Raw label values of the kept rows, or null (no label column: unlabelled test file). */
  raw: unknown[] | null;
  rows: number[];
  dropped: DropCounts;
  skipped: SkippedRow[];
  labelColumn?: string;
}

/** Texts (joined), pairs and raw labels of a table; rows with an empty text are dropped. */
function extract(table: Table, choice: ColumnChoice, o: DataOptions, labelRequired: boolean): Extracted {
  const textCols = choice.text.map((c) => resolveColumn(table, c, 'text'));
  const pairCol = choice.pair === undefined ? -1 : resolveColumn(table, choice.pair, 'pair (second text)');
  let labelCol = -1;
  if (choice.label !== undefined) {
    if (labelRequired) labelCol = resolveColumn(table, choice.label, 'label');
    else {
      // A test file may lack the label column (rows to predict).
      labelCol = typeof choice.label === 'number' ? (choice.label < table.columns.length ? choice.label : -1) : table.columns.indexOf(choice.label);
    }
  }
  const delim = o.textColumnDelimiter ?? ' ';
  const out: Extracted = {
    table,
    texts: [],
    pairs: pairCol >= 0 ? [] : null,
    raw: labelCol >= 0 ? [] : null,
    rows: [],
    dropped: { emptyText: 0, emptyLabel: 0 },
    skipped: [],
    labelColumn: labelCol >= 0 ? table.columns[labelCol] : undefined,
  };
  for (let r = 0; r < table.rows.length; r++) {
    let text: string;
    if (textCols.length === 1) text = toText(table, r, textCols[0]!);
    else {
      const parts: string[] = [];
      for (const c of textCols) {
        const t = toText(table, r, c);
        if (t.trim() !== '') parts.push(t);
      }
      text = parts.join(delim);
    }
    const pair = pairCol >= 0 ? toText(table, r, pairCol) : '';
    if (text.trim() === '' || (pairCol >= 0 && pair.trim() === '')) {
      out.dropped.emptyText++;
      out.skipped.push({ index: r, line: table.rowNumbers[r]!, reason: pairCol >= 0 && text.trim() !== '' ? 'empty second text' : 'empty text' });
      continue;
    }
    out.texts.push(text);
    out.pairs?.push(pair);
    out.raw?.push(table.rows[r]![labelCol]);
    out.rows.push(r);
  }
  return out;
}

function keep(e: Extracted, mask: boolean[], reason?: string): void {
  const n = mask.length;
  let w = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) {
      if (reason) e.skipped.push({ index: e.rows[i]!, line: e.table.rowNumbers[e.rows[i]!]!, reason });
      continue;
    }
    e.texts[w] = e.texts[i]!;
    if (e.pairs) e.pairs[w] = e.pairs[i]!;
    if (e.raw) e.raw[w] = e.raw[i];
    e.rows[w] = e.rows[i]!;
    w++;
  }
  e.texts.length = w;
  if (e.pairs) e.pairs.length = w;
  if (e.raw) e.raw.length = w;
  e.rows.length = w;
}

interface LabelContext {
  kind: LabelColumnKind;
  labelDelimiter?: string;
  label2id?: Map<string, number>;
  labels?: string[];
}

/** Whether a raw label counts as "no label". */
function noLabel(v: unknown, ctx: LabelContext): boolean {
  if (isMissing(v)) return true;
  if (ctx.kind.problemType === 'single_label_classification' && ctx.kind.integer) {
    return (typeof v === 'number' && v === -1) || (typeof v === 'string' && v.trim() === '-1');
  }
  if (ctx.kind.problemType === 'multi_label_classification' && typeof v === 'string' && ctx.labelDelimiter !== undefined) {
    return v.split(ctx.labelDelimiter).every((p) => p.trim() === '');
  }
  return false;
}

/** Label ids / targets of an extracted split; the label list must be known (not for regression). */
function toLabels(e: Extracted, ctx: LabelContext, split: SplitName): SplitLabels {
  const { table } = e;
  const column = e.labelColumn ?? '';
  const n = e.texts.length;
  const raw = e.raw!;
  const where = (i: number): string => whereRow(table, e.rows[i]!);
  const rowNo = (i: number): number => table.rowNumbers[e.rows[i]!]!;
  const pt = ctx.kind.problemType;
  if (pt === 'regression') {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = regressionValue(raw[i]);
      if (x === undefined) {
        throw new DataError(
          'bad-label',
          table.file,
          `${table.file}, ${where(i)}: the label ${show(raw[i])} (column ${show(column)}) is not a number; regression needs a numeric target in every row. ` +
            'Fix the value, or choose single-label classification.',
          { row: rowNo(i), column },
        );
      }
      values[i] = x;
    }
    return { kind: 'regression', values };
  }
  const l2i = ctx.label2id!;
  const known = ctx.labels!;
  const fail = (i: number, label: string): DataError =>
    split === 'train'
      ? new DataError(
          'bad-label',
          table.file,
          `${table.file}, ${where(i)}: the label ${show(label)} (column ${show(column)}) is not in the given label list ${quoteList(known)}. Fix the label or the label list.`,
          { row: rowNo(i), column },
        )
      : unseenLabelError(table.file, where(i), rowNo(i), column, label, known);
  if (pt === 'multi_label_classification') {
    const c = known.length;
    const multiHot = new Uint8Array(n * c);
    for (let i = 0; i < n; i++) {
      for (const k of multiLabelKeys(raw[i], ctx.labelDelimiter)) {
        const id = l2i.get(k);
        if (id === undefined) throw fail(i, k);
        multiHot[i * c + id] = 1;
      }
    }
    return { kind: 'multi', numLabels: c, multiHot };
  }
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = labelKey(raw[i], ctx.kind.integer);
    const id = l2i.get(k);
    if (id === undefined) throw fail(i, k);
    ids[i] = id;
  }
  return { kind: 'single', ids };
}

/**
 * A test file's labels when every row is to be predicted: the labels the rows have, a placeholder
 * where a row has none (-1, NaN, no labels) and, when some are missing, the mask of labelled rows.
 */
function testLabels(e: Extracted, ctx: LabelContext): { labels: SplitLabels; labelled?: Uint8Array } {
  const mask = e.raw!.map((v) => !noLabel(v, ctx));
  if (mask.every(Boolean)) return { labels: toLabels(e, ctx, 'test') };
  const idx = mask.flatMap((m, i) => (m ? [i] : []));
  const pick = <T>(xs: T[]): T[] => idx.map((i) => xs[i]!);
  const sub: Extracted = { ...e, texts: pick(e.texts), pairs: e.pairs ? pick(e.pairs) : null, raw: idx.map((i) => e.raw![i]), rows: pick(e.rows) };
  const some = toLabels(sub, ctx, 'test');
  const n = e.texts.length;
  let labels: SplitLabels;
  if (some.kind === 'single') {
    const ids = new Int32Array(n).fill(-1);
    idx.forEach((i, k) => (ids[i] = some.ids[k]!));
    labels = { kind: 'single', ids };
  } else if (some.kind === 'regression') {
    const values = new Float32Array(n).fill(NaN);
    idx.forEach((i, k) => (values[i] = some.values[k]!));
    labels = { kind: 'regression', values };
  } else {
    const c = some.numLabels;
    const multiHot = new Uint8Array(n * c);
    idx.forEach((i, k) => multiHot.set(some.multiHot.subarray(k * c, (k + 1) * c), i * c));
    labels = { kind: 'multi', numLabels: c, multiHot };
  }
  return { labels, labelled: Uint8Array.from(mask, Number) };
}

/** The rows of a split that carry a label (all of them unless it is a partly labelled test file). */
export function labelledRows(s: DataSplit): number[] | undefined {
  if (!s.labelled) return undefined;
  return [...s.labelled.keys()].filter((i) => s.labelled![i] === 1);
}

function makeSplit(name: SplitName, e: Extracted, labels: SplitLabels | null, readRows: number): DataSplit {
  return {
    name,
    file: e.table.file,
    source: 'file',
    rowUnit: e.table.rowUnit,
    texts: e.texts,
    pairs: e.pairs,
    labels,
    rowNumbers: e.rows.map((r) => e.table.rowNumbers[r]!),
    rowIndices: [...e.rows],
    skipped: [...e.skipped].sort((a, b) => a.index - b.index),
    readRows,
    emptyLines: e.table.emptyLines,
    dropped: e.dropped,
  };
}

/** Rows `idx` of a split (a new split; labels copied). */
export function selectRows(s: DataSplit, idx: readonly number[], name: SplitName = s.name): DataSplit {
  let labels: SplitLabels | null = null;
  if (s.labels?.kind === 'single') labels = { kind: 'single', ids: Int32Array.from(idx, (i) => (s.labels as { ids: Int32Array }).ids[i]!) };
  else if (s.labels?.kind === 'regression') {
    const v = s.labels.values;
    labels = { kind: 'regression', values: Float32Array.from(idx, (i) => v[i]!) };
  } else if (s.labels?.kind === 'multi') {
    const { numLabels: c, multiHot } = s.labels;
    const m = new Uint8Array(idx.length * c);
    idx.forEach((i, k) => m.set(multiHot.subarray(i * c, (i + 1) * c), k * c));
    labels = { kind: 'multi', numLabels: c, multiHot: m };
  }
  return {
    ...s,
    name,
    texts: idx.map((i) => s.texts[i]!),
    pairs: s.pairs ? idx.map((i) => s.pairs![i]!) : null,
    labels,
    rowNumbers: idx.map((i) => s.rowNumbers[i]!),
    rowIndices: idx.map((i) => s.rowIndices[i]!),
    ...(s.labelled ? { labelled: Uint8Array.from(idx, (i) => s.labelled![i]!) } : {}),
  };
}

function checkPercent(file: string, name: string, p: number | undefined): number {
  if (p === undefined) return 0;
  if (!Number.isFinite(p) || p < 0 || p >= 100) {
    throw new DataError('bad-option', file, `${file}: ${name} must be a percentage from 0 to 99 (got ${p}).`);
  }
  return p / 100;
}

function noRowsLeft(name: SplitName, e: Extracted): DataError {
  const { file } = e.table;
  return new DataError(
    'empty-file',
    file,
    `${file}: no ${name} rows left after dropping ${e.dropped.emptyText} with an empty text and ${e.dropped.emptyLabel} with an empty label` +
      ` (of ${e.table.rows.length}). Check the text and label columns.`,
  );
}

function limit(s: DataSplit | undefined, max: number | undefined): DataSplit | undefined {
  if (!s || max === undefined || max >= s.texts.length) return s;
  const out = selectRows(
    s,
    Array.from({ length: Math.max(0, Math.floor(max)) }, (_, i) => i),
  );
  const last = out.rowIndices[out.rowIndices.length - 1] ?? -1;
  return { ...out, skipped: out.skipped.filter((r) => r.index < last) };
}

/** The shares of the train file split off for validation and test (0 where a file is given), checked. */
function splitFractions(o: DataOptions): { valFrac: number; testFrac: number } {
  const valFrac = checkPercent(o.trainFile, 'validationSplitPercentage', o.validationFile ? undefined : o.validationSplitPercentage);
  const testFrac = checkPercent(o.trainFile, 'testSplitPercentage', o.testFile ? undefined : o.testSplitPercentage);
  if (valFrac + testFrac >= 1) {
    throw new DataError(
      'bad-option',
      o.trainFile,
      `${o.trainFile}: the validation and test percentages add up to ${(valFrac + testFrac) * 100}%; leave some rows for training.`,
    );
  }
  if (o.labelDelimiter === '') throw new DataError('bad-option', o.trainFile, `${o.trainFile}: the label delimiter must not be empty.`);
  return { valFrac, testFrac };
}

/** Drops the rows without a label (counted in `dropped.emptyLabel`). */
function dropEmptyLabels(e: Extracted, ctx: LabelContext): void {
  const mask = e.raw!.map((v) => !noLabel(v, ctx));
  const dropped = mask.filter((m) => !m).length;
  if (dropped > 0) {
    e.dropped.emptyLabel += dropped;
    keep(e, mask);
  }
}

/** The label names of a classification: --label_list as given, or the training labels sorted. */
function chooseLabels(train: Extracted, ctx: LabelContext, o: DataOptions): string[] {
  const keys = new Set<string>();
  if (ctx.kind.problemType === 'multi_label_classification') for (const v of train.raw!) for (const k of multiLabelKeys(v, o.labelDelimiter)) keys.add(k);
  else for (const v of train.raw!) keys.add(labelKey(v, ctx.kind.integer));
  let labels: string[];
  if (o.labelList) {
    labels = [...o.labelList];
    if (new Set(labels).size !== labels.length)
      throw new DataError('bad-option', o.trainFile, `${o.trainFile}: the label list ${quoteList(labels)} has repeats.`);
  } else labels = sortLabels(keys, o.labelSort);
  if (labels.length < 2) throw singleClassError(o.trainFile, train.labelColumn!, labels[0] ?? '', train.texts.length);
  return labels;
}

/** A validation or test file: validation rows need labels; a test file's labels are optional, per row. */
async function readOtherSplit(name: 'validation' | 'test', file: string, choice: ColumnChoice, ctx: LabelContext, o: DataOptions): Promise<DataSplit> {
  const table = await readTable(file, o);
  const e = extract(table, choice, o, name === 'validation');
  let labels: SplitLabels | null = null;
  let labelled: Uint8Array | undefined;
  if (e.raw) {
    const anyLabel = e.raw.some((v) => !noLabel(v, ctx));
    if (name === 'test' && anyLabel) ({ labels, labelled } = testLabels(e, ctx));
    else if (name === 'validation' || anyLabel) {
      dropEmptyLabels(e, ctx);
      if (e.texts.length === 0) throw noRowsLeft(name, e);
      labels = toLabels(e, ctx, name);
    } else e.raw = null;
  }
  if (e.texts.length === 0) throw noRowsLeft(name, e);
  return { ...makeSplit(name, e, labels, table.rows.length), ...(labelled ? { labelled } : {}) };
}

/** Splits validation / test rows off the training rows (stratified by label for single-label data). */
function splitOffTrain(
  trainSplit: DataSplit,
  trainLabels: SplitLabels,
  ctx: LabelContext,
  f: { valFrac: number; testFrac: number },
  o: DataOptions,
  warnings: string[],
): { train: DataSplit; validation?: DataSplit; test?: DataSplit } {
  const seed = o.seed ?? 42;
  const n = trainSplit.texts.length;
  const shares = { validation: f.valFrac, test: f.testFrac };
  let idx: SplitIndices;
  if (trainLabels.kind === 'single' && (o.stratify ?? true)) {
    idx = stratifiedSplit(trainLabels.ids, ctx.labels!.length, shares, seed);
    const counts = new Array<number>(ctx.labels!.length).fill(0);
    for (const id of trainLabels.ids) counts[id]!++;
    const single = ctx.labels!.filter((_, i) => counts[i] === 1);
    if (single.length > 0) warnings.push(`labels with a single row stay in training only: ${quoteList(single)}`);
  } else idx = randomSplit(n, shares, seed);
  if (idx.train.length === 0) throw new DataError('bad-option', o.trainFile, `${o.trainFile}: the split leaves no training rows (${n} rows in all).`);
  if ((f.valFrac > 0 && idx.validation.length === 0) || (f.testFrac > 0 && idx.test.length === 0)) {
    throw new DataError(
      'bad-option',
      o.trainFile,
      `${o.trainFile}: too few rows (${n}) to split off validation/test rows while keeping every class in training; add rows or give a validation file.`,
    );
  }
  const carve = (name: SplitName, rows: number[]): DataSplit => ({
    ...selectRows(trainSplit, rows, name),
    source: 'train-split',
    readRows: rows.length,
    emptyLines: 0,
    dropped: { emptyText: 0, emptyLabel: 0 },
    skipped: [],
  });
  return {
    train: selectRows(trainSplit, idx.train, 'train'),
    ...(f.valFrac > 0 ? { validation: carve('validation', idx.validation) } : {}),
    ...(f.testFrac > 0 ? { test: carve('test', idx.test) } : {}),
  };
}

/** Reads and prepares the data of a classification run (see the module comment). */
export async function loadClassificationData(o: DataOptions): Promise<ClassificationData> {
  const warnings: string[] = [];
  const fractions = splitFractions(o);
  const trainTable = await readTable(o.trainFile, o);
  if ((o.hasHeader ?? true) && ['csv', 'tsv'].includes(resolveFormat(o.trainFile, o.format))) {
    const why = headerLooksLikeData(trainTable.columns, trainTable.rows.slice(0, DETECT_ROWS));
    if (why) warnings.push(`${o.trainFile}: the first line is read as the header, but ${why}; if the file has no header row, pass --no_header`);
  }
  const choice = chooseColumns(trainTable, o);
  const train = extract(trainTable, choice, o, true);
  let kind = detectLabelKind(train.raw!, o.task ?? 'auto', o.labelDelimiter);
  if (kind.problemType === 'regression' && o.noRegression && (o.task ?? 'auto') === 'auto') kind = detectLabelKind(train.raw!, 'single_label_classification');
  const ctx: LabelContext = { kind, labelDelimiter: o.labelDelimiter };
  dropEmptyLabels(train, ctx);
  if (train.texts.length === 0) throw noRowsLeft('train', train);
  if (kind.problemType !== 'regression') {
    ctx.labels = chooseLabels(train, ctx, o);
    ctx.label2id = labelToId(ctx.labels);
  }

  const trainLabels = toLabels(train, ctx, 'train');
  let trainSplit = makeSplit('train', train, trainLabels, trainTable.rows.length);
  let validation = o.validationFile ? await readOtherSplit('validation', o.validationFile, choice, ctx, o) : undefined;
  let test = o.testFile ? await readOtherSplit('test', o.testFile, choice, ctx, o) : undefined;
  if (fractions.valFrac > 0 || fractions.testFrac > 0) {
    const split = splitOffTrain(trainSplit, trainLabels, ctx, fractions, o, warnings);
    trainSplit = split.train;
    validation = split.validation ?? validation;
    test = split.test ?? test;
  }

  const problemType = kind.problemType;
  const labels = ctx.labels ?? [];
  const trainOut = limit(trainSplit, o.maxTrainSamples)!;
  if (problemType === 'single_label_classification' && trainOut.labels?.kind === 'single') {
    const present = new Set(trainOut.labels.ids);
    const missing = labels.filter((_, i) => !present.has(i));
    if (missing.length > 0) warnings.push(`labels with no training row: ${quoteList(missing)}`);
  }
  return {
    problemType,
    labels,
    numLabels: problemType === 'regression' ? 1 : labels.length,
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    columns: {
      text: choice.text.map((c) => (typeof c === 'number' ? trainTable.columns[c]! : c)),
      pair: choice.pair === undefined ? undefined : typeof choice.pair === 'number' ? trainTable.columns[choice.pair] : choice.pair,
      label: train.labelColumn!,
    },
    train: trainOut,
    validation: limit(validation, o.maxEvalSamples),
    test: limit(test, o.maxPredictSamples),
    warnings,
  };
}

export interface ModelDataOptions extends Omit<DataOptions, 'trainFile' | 'validationFile' | 'testFile' | 'labelList' | 'task'> {
  /** The file to evaluate on or predict. */
  file: string;
  name: 'validation' | 'test';
  /** The trained model's problem type and labels (id2label order). */
  problemType: ProblemType;
  labels: readonly string[];
}

/**
 * One file read for a trained model, with no training file: evaluation (labels required, mapped
 * to the model's ids; an unknown label is an error) or prediction (labels optional). The split is
 * returned as `validation` or `test`; `train` holds the same rows (nothing trains on them).
 */
export async function loadSplitForModel(o: ModelDataOptions): Promise<ClassificationData> {
  const table = await readTable(o.file, o);
  // A file to predict may have no label column: only a label-like name makes one (not the values).
  const labelColumn = o.labelColumn ?? labelColumnByName(table.columns) ?? (o.name === 'test' ? '\u0000no label column' : undefined);
  const opts: DataOptions = { ...o, trainFile: o.file, labelColumn, task: o.problemType };
  const choice = chooseColumns(table, opts);
  const e = extract(table, choice, opts, o.name === 'validation');
  const integer = e.raw ? detectLabelKind(e.raw, o.problemType, o.labelDelimiter).integer : false;
  const ctx: LabelContext = { kind: { problemType: o.problemType, integer }, labelDelimiter: o.labelDelimiter };
  if (o.problemType !== 'regression') {
    ctx.labels = [...o.labels];
    ctx.label2id = labelToId(ctx.labels);
  }
  let labels: SplitLabels | null = null;
  let labelled: Uint8Array | undefined;
  if (e.raw && o.name === 'test' && e.raw.some((v) => !noLabel(v, ctx))) ({ labels, labelled } = testLabels(e, ctx));
  else if (e.raw && (o.name === 'validation' || e.raw.some((v) => !noLabel(v, ctx)))) {
    const mask = e.raw.map((v) => !noLabel(v, ctx));
    const dropped = mask.filter((m) => !m).length;
    if (dropped > 0) {
      e.dropped.emptyLabel += dropped;
      keep(e, mask);
    }
    if (e.texts.length === 0) throw noRowsLeft(o.name, e);
    labels = toLabels(e, ctx, o.name);
  }
  if (e.texts.length === 0) throw noRowsLeft(o.name, e);
  let split: DataSplit | undefined = { ...makeSplit(o.name, e, labels, table.rows.length), ...(labelled ? { labelled } : {}) };
  split = limit(split, o.name === 'validation' ? o.maxEvalSamples : o.maxPredictSamples)!;
  const names = ctx.labels ?? [];
  return {
    problemType: o.problemType,
    labels: names,
    numLabels: o.problemType === 'regression' ? 1 : names.length,
    label2id: Object.fromEntries(names.map((l, i) => [l, i])),
    id2label: Object.fromEntries(names.map((l, i) => [String(i), l])),
    columns: {
      text: choice.text.map((c) => (typeof c === 'number' ? table.columns[c]! : c)),
      pair: choice.pair === undefined ? undefined : typeof choice.pair === 'number' ? table.columns[choice.pair] : choice.pair,
      label: e.labelColumn,
    },
    train: split,
    [o.name]: split,
    warnings: [],
  };
}

/**
 * The data with another label list (a kept classification head's, in the model's id order): each
 * data label is renamed by `rename` (default: itself) and must be in `labels`. Labels of `labels` the
 * data lacks stay (the model keeps predicting them).
 */
export function relabelData(data: ClassificationData, labels: readonly string[], rename: ReadonlyMap<string, string> = new Map()): ClassificationData {
  if (data.problemType === 'regression') return data;
  const target = new Map(labels.map((l, i) => [l, i]));
  const idOf = data.labels.map((l) => {
    const id = target.get(rename.get(l) ?? l);
    if (id === undefined) throw new Error(`relabelData: the label ${JSON.stringify(l)} is not in ${JSON.stringify(labels)}`);
    return id;
  });
  const map = (s: DataSplit | undefined): DataSplit | undefined => {
    if (!s?.labels || s.labels.kind === 'regression') return s;
    if (s.labels.kind === 'single') return { ...s, labels: { kind: 'single', ids: s.labels.ids.map((id) => idOf[id]!) } };
    const { numLabels: c, multiHot } = s.labels;
    const n = multiHot.length / c;
    const out = new Uint8Array(n * labels.length);
    for (let r = 0; r < n; r++) for (let k = 0; k < c; k++) if (multiHot[r * c + k]) out[r * labels.length + idOf[k]!] = 1;
    return { ...s, labels: { kind: 'multi', numLabels: labels.length, multiHot: out } };
  };
  const names = [...labels];
  return {
    ...data,
    labels: names,
    numLabels: names.length,
    label2id: Object.fromEntries(names.map((l, i) => [l, i])),
    id2label: Object.fromEntries(names.map((l, i) => [String(i), l])),
    train: map(data.train)!,
    validation: map(data.validation),
    test: map(data.test),
  };
}
