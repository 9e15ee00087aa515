/**
 * The Label Issues view's data, with no vscode (unit-tested): the flagged rows of a
 * label_issues.csv, what a row's label is now in the file's text (still the given one, already the
 * suggested one, or something else: the row changed), the edit that relabels it
 * (core/data/edit-label.ts), lines kept in step with edits to the document, and the key a "reviewed"
 * mark is kept under (file + line + a hash of the text: not in the data file).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { LabelIssuesEvent } from '../../core/contract/events.js';
import { type LabelEdit, type LabelEditRequest, labelEdit, readTable, resolveFormat } from '../../core/data/index.js';

/** A flagged row of label_issues.csv. */
export interface LabelIssue {
  /** 1 = most suspect. */
  rank: number;
  /** 0-based data row. */
  index: number;
  /** 1-based line where the row starts, as label_issues.csv says (the file as find-label-errors read it). */
  line: number;
  text: string;
  pair?: string;
  given: string;
  suggested: string;
  /** Lower = more suspect (label_issues.csv's label_quality). */
  quality: number;
  /** The out-of-sample probability of each label. */
  probs: Record<string, number>;
}

/** Where a row stands: flagged; relabelled to the suggestion; changed otherwise since the table (the view drops it). */
export type LabelNow = 'given' | 'suggested' | 'changed';

/** The flagged rows (is_label_issue true), most suspect first, of a parsed label_issues.csv. */
export function flaggedIssues(table: { columns: readonly string[]; rows: readonly (readonly unknown[])[] }, labels: readonly string[]): LabelIssue[] {
  const at = (name: string): number => table.columns.indexOf(name);
  const cell = (r: readonly unknown[], name: string): string => {
    const i = at(name);
    return i >= 0 && r[i] !== undefined && r[i] !== null ? String(r[i]) : '';
  };
  const out: LabelIssue[] = [];
  for (const r of table.rows) {
    if (cell(r, 'is_label_issue') !== 'true') continue;
    out.push({
      rank: Number(cell(r, 'rank')),
      index: Number(cell(r, 'index')),
      line: Number(cell(r, 'line')),
      text: cell(r, 'text'),
      ...(at('text_pair') >= 0 ? { pair: cell(r, 'text_pair') } : {}),
      given: cell(r, 'given_label'),
      suggested: cell(r, 'suggested_label'),
      quality: Number(cell(r, 'label_quality')),
      probs: Object.fromEntries(labels.map((l) => [l, Number(cell(r, `p(${l})`))])),
    });
  }
  return out.sort((a, b) => a.rank - b.rank);
}

/** Reads the flagged rows of the label_issues.csv a `label-issues` event announced. */
export async function readIssues(e: LabelIssuesEvent): Promise<LabelIssue[]> {
  return flaggedIssues(await readTable(e.path, { format: 'csv' }), e.labels);
}

/** The request that gives the row at `line` the label `to`, guarded by the label it should hold now. */
export function editRequest(e: LabelIssuesEvent, issue: LabelIssue, line: number, to: string, expected: string): LabelEditRequest {
  return {
    file: basename(e.dataFile),
    format: resolveFormat(e.dataFile),
    line,
    index: issue.index,
    labelColumn: e.hasHeader ? e.labelColumn : Number(e.labelColumn),
    newLabel: to,
    expected,
    hasHeader: e.hasHeader,
  };
}

/** The edit that relabels the row (at its current `line`) as suggested; throws the core's stale-row error when it no longer holds the given label. */
export function relabelEdit(text: string, e: LabelIssuesEvent, issue: LabelIssue, line: number): LabelEdit {
  return labelEdit(text, editRequest(e, issue, line, issue.suggested, issue.given));
}

/** What the row at `line` holds now, and the span of its label cell (to mark it in the editor). */
export function labelNow(text: string, e: LabelIssuesEvent, issue: LabelIssue, line: number): { now: LabelNow; cell?: LabelEdit['range'] } {
  for (const [now, expected, to] of [
    ['given', issue.given, issue.suggested],
    ['suggested', issue.suggested, issue.given],
  ] as const) {
    try {
      return { now, cell: labelEdit(text, editRequest(e, issue, line, to, expected)).range };
    } catch {
      // not this label (or not a row there any more)
    }
  }
  return { now: 'changed' };
}

/** A stable short hash of a row's text. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The key a "reviewed" mark is kept under: the file, the row's line in label_issues.csv, its text's hash. */
export function reviewKey(file: string, line: number, text: string): string {
  return `${file}\u0000${line}\u0000${textHash(text)}`;
}

/** One content change of a document (0-based lines; `end` as the change's range had it before), and the text put there. */
export interface LineChange {
  start: { line: number; character: number };
  end: { line: number; character: number };
  text: string;
}

/**
 * A row's line after a change: rows entirely below it move by the lines it added or removed; a row
 * the change touched (between its first line and the line where its label ends) is `touched` and
 * must be checked again. `line` is 1-based, `lastLine` the 0-based line where its label cell ends.
 */
export function shiftRow(line: number, lastLine: number, c: LineChange): { line: number; lastLine: number; touched: boolean } {
  const first = line - 1;
  const delta = c.text.split('\n').length - 1 - (c.end.line - c.start.line);
  if (c.end.line < first || (c.end.line === first && c.end.character === 0)) return { line: line + delta, lastLine: lastLine + delta, touched: false };
  if (c.start.line > lastLine) return { line, lastLine, touched: false };
  return { line, lastLine: Math.max(first, lastLine + delta), touched: true };
}
