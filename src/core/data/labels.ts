/**
 * Labels as run_classification.py reads them: the task from the train labels' type (integers or
 * strings: single-label; floats: regression; lists: multi-label), the label list from the train
 * split, sorted, and label ids from it.
 *
 * Where HF is ambiguous or unfriendly this module decides (see the report in index.ts):
 *  - integer labels sort numerically ("natural", as run_glue.py); run_classification.py sorts
 *    them as strings ("10" before "2"), available as `labelSort: 'lexicographic'`;
 *  - a validation/test label the train split lacks is an error (HF adds it with a warning);
 *  - -1 in an integer label column means "no label" (GLUE test files), as in HF.
 */
import type { ProblemType } from '../model/config.js';
import { DataError, quoteList, show } from './errors.js';

export type { ProblemType };
export type TaskOption = 'auto' | ProblemType;
export type LabelSort = 'natural' | 'lexicographic';

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isMissing(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (typeof v === 'number' && Number.isNaN(v));
}

function looksLikeJsonList(s: string): boolean {
  const t = s.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return false;
  try {
    return Array.isArray(JSON.parse(t));
  } catch {
    return false;
  }
}

/** What the train labels look like, as HF's dtype inference would see them. */
export interface LabelColumnKind {
  problemType: ProblemType;
  /** Every non-missing value is an integer (so -1 means "no label" and keys are canonical integers). */
  integer: boolean;
}

/** Task auto-detection (`task: 'auto'`) from the train split's raw label values. */
export function detectLabelKind(values: readonly unknown[], task: TaskOption = 'auto', labelDelimiter?: string): LabelColumnKind {
  let allNumeric = true;
  let allInteger = true;
  let anyList = false;
  let allListText = true;
  let seen = 0;
  for (const v of values) {
    if (isMissing(v)) continue;
    seen++;
    if (Array.isArray(v)) {
      anyList = true;
      allNumeric = false;
      allInteger = false;
      continue;
    }
    if (typeof v === 'number') {
      allListText = false;
      if (!Number.isInteger(v)) allInteger = false;
      continue;
    }
    if (typeof v === 'string') {
      const t = v.trim();
      if (allListText && !looksLikeJsonList(t)) allListText = false;
      if (INT.test(t)) continue;
      allInteger = false;
      if (!FLOAT.test(t)) allNumeric = false;
      continue;
    }
    allListText = false;
    allNumeric = false;
    allInteger = false;
  }
  if (seen === 0) allListText = false;
  const integer = seen > 0 && allNumeric && allInteger;
  if (task !== 'auto') return { problemType: task, integer: task === 'single_label_classification' && integer };
  if (labelDelimiter !== undefined || anyList || allListText) return { problemType: 'multi_label_classification', integer: false };
  if (seen > 0 && allNumeric && !allInteger) return { problemType: 'regression', integer: false };
  return { problemType: 'single_label_classification', integer };
}

/** The label of a value as a string key (Python's str() of what pandas/pyarrow would hold). */
export function labelKey(v: unknown, integer: boolean): string {
  if (typeof v === 'string') {
    const t = v.trim();
    if (integer && INT.test(t)) return BigInt(t).toString();
    return t;
  }
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** Multi-label keys of one value: a list, a JSON list in a string, or a delimited string. */
export function multiLabelKeys(v: unknown, labelDelimiter?: string): string[] {
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string') {
    const t = v.trim();
    if (labelDelimiter === undefined && looksLikeJsonList(t)) items = JSON.parse(t) as unknown[];
    else if (labelDelimiter !== undefined) items = t.split(labelDelimiter);
    else items = [t];
  } else items = [v];
  const out: string[] = [];
  for (const item of items) {
    if (isMissing(item)) continue;
    const k = labelKey(item, false);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** Parses a regression target; undefined when it is not a finite number. */
export function regressionValue(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (!FLOAT.test(t)) return undefined;
    const x = Number(t);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}

/** Compares strings by Unicode code point, as Python's sort does. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The sorted label list (id order). */
export function sortLabels(keys: Iterable<string>, sort: LabelSort = 'natural'): string[] {
  const list = [...new Set(keys)];
  if (sort === 'natural' && list.length > 0 && list.every((k) => INT.test(k))) {
    return list.sort((a, b) => {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  return list.sort(compareCodePoints);
}

/** label2id as HF configs hold it. */
export function labelToId(labels: readonly string[]): Map<string, number> {
  return new Map(labels.map((l, i) => [l, i]));
}

export function singleClassError(file: string, column: string, label: string, rows: number): DataError {
  return new DataError(
    'single-class',
    file,
    `${file}: the label column ${show(column)} has only one value (${show(label)}) in ${rows} rows; a classifier needs at least two classes. ` +
      'Check that the right column is chosen as the label, or use the regression task for numeric targets.',
    { column },
  );
}

export function unseenLabelError(file: string, where: string, row: number, column: string, label: string, known: readonly string[]): DataError {
  return new DataError(
    'unseen-label',
    file,
    `${file}, ${where}: the label ${show(label)} (column ${show(column)}) does not occur in the training data, whose labels are ${quoteList(known)}. ` +
      'Fix the label, add training rows with it, or remove the row.',
    { row, column },
  );
}
