/** The Label Issues view's data: flagged rows of label_issues.csv, a row's label now, the relabel edit, lines kept in step with edits, review keys. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LabelIssuesEvent } from '../../../../src/core/contract/events.js';
import { applyEdit } from '../../../../src/core/data/index.js';
import {
  type LabelIssue,
  type LineChange,
  flaggedIssues,
  labelNow,
  relabelEdit,
  reviewKey,
  shiftRow,
  textHash,
} from '../../../../src/extension/label-issues/issues.js';

const event = (dataFile: string, over: Partial<LabelIssuesEvent> = {}): LabelIssuesEvent => ({
  type: 'label-issues',
  path: '/o/label_issues.csv',
  dataFile,
  labelColumn: 'label',
  hasHeader: true,
  labels: ['neg', 'pos'],
  rows: 4,
  issues: 2,
  rankedBy: 'self_confidence',
  folds: 2,
  cvAccuracy: 0.75,
  ...over,
});

const issue = (line: number, index: number, given: string, suggested: string, text = 't'): LabelIssue => ({
  rank: 1,
  index,
  line,
  text,
  given,
  suggested,
  quality: 0.1,
  probs: {},
});

describe('flaggedIssues', () => {
  test('only the flagged rows, by rank, with their probabilities', () => {
    const columns = ['rank', 'index', 'line', 'text', 'given_label', 'suggested_label', 'label_quality', 'is_label_issue', 'p(neg)', 'p(pos)', 'fold'];
    const rows = [
      ['2', '3', '5', 'bad food', 'pos', 'neg', '0.2', 'true', '0.8', '0.2', '1'],
      ['1', '0', '2', 'great', 'neg', 'pos', '0.05', 'true', '0.05', '0.95', '2'],
      ['3', '1', '3', 'ok', 'pos', 'pos', '0.6', 'false', '0.4', '0.6', '1'],
    ];
    assert.deepEqual(flaggedIssues({ columns, rows }, ['neg', 'pos']), [
      { rank: 1, index: 0, line: 2, text: 'great', given: 'neg', suggested: 'pos', quality: 0.05, probs: { neg: 0.05, pos: 0.95 } },
      { rank: 2, index: 3, line: 5, text: 'bad food', given: 'pos', suggested: 'neg', quality: 0.2, probs: { neg: 0.8, pos: 0.2 } },
    ]);
  });
});

describe('labelNow and relabelEdit', () => {
  const csv = 'text,label\ngreat,neg\n"two\nlines",pos\nfine,pos\n';
  const table: [string, string, LabelIssuesEvent, LabelIssue, number, { now: string; cellLine?: number }][] = [
    ['CSV: still the given label', csv, event('/d/a.csv'), issue(2, 0, 'neg', 'pos'), 2, { now: 'given', cellLine: 1 }],
    ['CSV: relabelled already', csv.replace('great,neg', 'great,pos'), event('/d/a.csv'), issue(2, 0, 'neg', 'pos'), 2, { now: 'suggested', cellLine: 1 }],
    ['CSV: a multi-line row, label on its second line', csv, event('/d/a.csv'), issue(3, 1, 'pos', 'neg'), 3, { now: 'given', cellLine: 3 }],
    ['CSV: the row changed', csv.replace('great,neg', 'great,meh'), event('/d/a.csv'), issue(2, 0, 'neg', 'pos'), 2, { now: 'changed' }],
    ['CSV: the line is gone', csv, event('/d/a.csv'), issue(2, 0, 'neg', 'pos'), 40, { now: 'changed' }],
    [
      'CSV without a header: the label column by position',
      'great,neg\nfine,pos\n',
      event('/d/b.csv', { labelColumn: '1', hasHeader: false }),
      issue(1, 0, 'neg', 'pos'),
      1,
      { now: 'given', cellLine: 0 },
    ],
    [
      'JSON Lines',
      '{"text": "great", "label": "neg"}\n{"text": "x", "label": "pos"}\n',
      event('/d/c.jsonl'),
      issue(2, 1, 'pos', 'neg'),
      2,
      { now: 'given', cellLine: 1 },
    ],
    [
      'JSON array: the record by index',
      '[\n  {"text": "great", "label": "neg"},\n  {"text": "x", "label": "pos"}\n]\n',
      event('/d/d.json'),
      issue(3, 1, 'pos', 'neg'),
      3,
      { now: 'given', cellLine: 2 },
    ],
  ];
  for (const [name, text, e, iss, line, want] of table) {
    test(name, () => {
      const r = labelNow(text, e, iss, line);
      assert.equal(r.now, want.now);
      assert.equal(r.cell?.start.line, want.cellLine);
    });
  }
  test('the relabel edit rewrites the label cell only, and back again', () => {
    const e = event('/d/a.csv');
    const edit = relabelEdit(csv, e, issue(3, 1, 'pos', 'neg'), 3);
    const after = applyEdit(csv, edit);
    assert.equal(after, 'text,label\ngreat,neg\n"two\nlines",neg\nfine,pos\n');
    assert.deepEqual(edit.range, { start: { line: 3, character: 7 }, end: { line: 3, character: 10 } });
    assert.equal(labelNow(after, e, issue(3, 1, 'pos', 'neg'), 3).now, 'suggested');
    assert.throws(
      () => relabelEdit(after, e, issue(3, 1, 'pos', 'neg'), 3),
      /line 3: the label is "neg", not "pos"\. The file changed since the table was made/,
    );
  });
});

describe('shiftRow', () => {
  const at = (line: number, character: number): { line: number; character: number } => ({ line, character });
  const change = (s: [number, number], e: [number, number], text: string): LineChange => ({ start: at(...s), end: at(...e), text });
  // a row starting on line 10 (0-based 9) whose label ends on 0-based line 10 (a two-line row)
  const table: [string, LineChange, { line: number; lastLine: number; touched: boolean }][] = [
    ['a line added above', change([2, 0], [2, 0], 'new\n'), { line: 11, lastLine: 11, touched: false }],
    ['two lines removed above', change([2, 0], [4, 0], ''), { line: 8, lastLine: 8, touched: false }],
    ['a line inserted right before the row', change([9, 0], [9, 0], 'new\n'), { line: 11, lastLine: 11, touched: false }],
    ['typing on a line above (no line break)', change([5, 3], [5, 3], 'abc'), { line: 10, lastLine: 10, touched: false }],
    ['an edit below the row', change([11, 0], [11, 2], ''), { line: 10, lastLine: 10, touched: false }],
    ['the label changed (same line count)', change([10, 7], [10, 10], 'neg'), { line: 10, lastLine: 10, touched: true }],
    ['a line break typed inside the row', change([9, 3], [9, 3], '\n'), { line: 10, lastLine: 11, touched: true }],
    ['the row deleted with the line above', change([8, 0], [11, 0], ''), { line: 10, lastLine: 9, touched: true }],
  ];
  for (const [name, c, want] of table) test(name, () => assert.deepEqual(shiftRow(10, 10, c), want));
});

describe('reviewKey', () => {
  test('file, line and a hash of the text: another text or line is another key', () => {
    const k = reviewKey('/d/a.csv', 12, 'great food');
    assert.equal(k, `/d/a.csv\u000012\u0000${textHash('great food')}`);
    assert.match(textHash('great food'), /^[0-9a-f]{16}$/);
    assert.notEqual(k, reviewKey('/d/a.csv', 12, 'great food!'));
    assert.notEqual(k, reviewKey('/d/a.csv', 13, 'great food'));
    assert.notEqual(k, reviewKey('/d/b.csv', 12, 'great food'));
  });
});
