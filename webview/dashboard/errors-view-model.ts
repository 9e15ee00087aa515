/**
 * The errors table and the reliability diagram, computed with no DOM (unit-tested in Node): rows
 * sorted by a column and filtered to a confusion-matrix cell, the caption that says what the table
 * holds (and what the cap left out), the reliability diagram's points and its summary line.
 */
import type { CalibrationEvent } from '../../src/core/contract/events.js';
import type { ErrorRow, ErrorTable } from '../../src/protocol/webviews/dashboard.js';
import { count, percent } from '../format.js';

export type SortKey = 'line' | 'text' | 'label' | 'predicted' | 'score';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** The rows of one confusion-matrix cell: given label (the matrix's row) and predicted label (its column). */
export interface CellFilter {
  label: string;
  predicted: string;
}

/** Sorting by a column the first time: scores high to low (confident mistakes first), the rest A to Z / top to bottom. */
export function firstDir(key: SortKey): Sort['dir'] {
  return key === 'score' ? 'desc' : 'asc';
}

/** Clicking a column's header: the same column flips, another starts in its first direction. */
export function nextSort(current: Sort | undefined, key: SortKey): Sort {
  return current?.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: firstDir(key) };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The rows in the column's order (ties in file order); undefined keeps the host's order (worst first). */
export function sortRows(rows: readonly ErrorRow[], sort: Sort | undefined): ErrorRow[] {
  if (!sort) return [...rows];
  const sign = sort.dir === 'asc' ? 1 : -1;
  const { key } = sort;
  return [...rows].sort((a, b) => {
    const d = key === 'line' || key === 'score' ? a[key] - b[key] : collator.compare(a[key], b[key]);
    return sign * d || a.line - b.line;
  });
}

/** The rows of a confusion cell (a diagonal cell: the right predictions of that label among those shown). */
export function filterRows(rows: readonly ErrorRow[], f: CellFilter | undefined): ErrorRow[] {
  return f ? rows.filter((r) => r.label === f.label && r.predicted === f.predicted) : [...rows];
}

/** What the table holds, in a sentence: the counts, the cap, the filter. */
export function errorsCaption(t: ErrorTable, shown: number, f: CellFilter | undefined): string {
  const parts = [`${count(t.wrong)} wrong of ${count(t.total)} rows (${percent(t.total ? t.wrong / t.total : 0)})`];
  if (t.abstained) parts.push(`${count(t.abstained)} abstained`);
  let caption = `${parts.join(', ')}. `;
  caption +=
    t.leftOut > 0
      ? `Showing the ${count(t.wrong + t.abstained - t.leftOut)} most confident mistakes (${count(t.leftOut)} more in eval_predictions.csv)`
      : 'Showing every mistake';
  caption += t.unsure ? ` and the ${count(t.unsure)} least confident right predictions.` : '.';
  if (f) caption += ` Filtered to ${f.label} → ${f.predicted}: ${count(shown)} row${shown === 1 ? '' : 's'}.`;
  return caption;
}

/** A row's predicted cell: the label, or that the model abstained. */
export function predictedText(r: ErrorRow): string {
  return r.kind === 'abstained' ? 'abstained' : r.predicted;
}

export interface ReliabilityPoint {
  x: number;
  y: number;
  /** Predictions in the bin. */
  n: number;
}

export interface ReliabilityView {
  title: string;
  before: ReliabilityPoint[];
  after: ReliabilityPoint[];
  /** T, ECE and NLL before → after. */
  summary: string;
  /** The abstain rule, when the model has one. */
  abstain: string;
}

/** The reliability diagram of a calibration: each non-empty bin at (mean confidence, accuracy), before and after the temperature. */
export function reliabilityView(e: CalibrationEvent): ReliabilityView {
  const points = (bins: CalibrationEvent['before']['bins']): ReliabilityPoint[] =>
    bins.filter((b) => b.count > 0).map((b) => ({ x: b.confidence, y: b.accuracy, n: b.count }));
  const n = e.before.bins.reduce((a, b) => a + b.count, 0);
  const split = e.split === 'eval' ? 'validation' : 'test';
  const f = (x: number): string => x.toFixed(4);
  const a = e.abstain;
  return {
    title: `Reliability — ${split} set, ${count(n)} predictions`,
    before: points(e.before.bins),
    after: points(e.after.bins),
    summary: `T = ${e.temperature.toFixed(3)} · ECE ${f(e.before.ece)} → ${f(e.after.ece)} · NLL ${f(e.before.nll)} → ${f(e.after.nll)}`,
    abstain: a
      ? `Abstains below ${percent(a.threshold)} confidence: precision ${percent(a.precision)} (target ${percent(a.target_precision, 0)}) on the ${percent(a.coverage, 0)} of rows it answers.`
      : '',
  };
}
