/**
 * The data table's column widths: each column's share follows its typical cell length, so a text
 * column gets the room and a label column of "spam"/"ham" does not take half the table.
 */

/** Cells of the first rows looked at. */
const SAMPLE = 200;
/** A column's share in characters: at least a short label's, at most a long sentence's. */
const MIN_SHARE = 4;
const MAX_SHARE = 60;
/** Columns with cells this long get the wider minimum. */
const WIDE_FROM = 20;

/** Each column's share of the width: the median length of its first cells (its header counted), in [4, 60] characters. */
export function columnShares(columns: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const sample = rows.slice(0, SAMPLE);
  return columns.map((name, j) => {
    const lengths = [name.length, ...sample.map((r) => [...(r[j] ?? '')].length)].sort((a, b) => a - b);
    return Math.min(MAX_SHARE, Math.max(MIN_SHARE, lengths[Math.floor(lengths.length / 2)]!));
  });
}

/** The grid template (the row-number column, then each column's share with its minimum width) and the row's minimum width. */
export function gridColumns(shares: readonly number[]): { template: string; minWidth: string } {
  const mins = shares.map((s) => (s >= WIDE_FROM ? 10 : 6));
  return {
    template: ['4em', ...shares.map((s, j) => `minmax(${mins[j]}em, ${s}fr)`)].join(' '),
    minWidth: `${4 + mins.reduce((a, b) => a + b, 0)}em`,
  };
}
