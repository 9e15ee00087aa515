// One row's label rewritten in place as a minimal text edit, in every format: the edited file reads
// back with the new label at that row and every other byte the same; stale requests are refused.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type LabelEditRequest, applyEdit, labelEdit } from '../../../../src/core/data/edit-label.js';
import { DataError, readTable } from '../../../../src/core/data/index.js';
import { TempFiles } from './helpers.js';

const tmp = new TempFiles();
after(() => tmp.cleanup());

interface Case {
  name: string;
  file: string;
  text: string;
  request: Omit<LabelEditRequest, 'file' | 'format'>;
  /** The edited file. */
  want: string;
  /** The row (0-based) whose label changed, and the label column, to read back. */
  row: number;
  column: string;
  label: unknown;
}

const cases: Case[] = [
  {
    name: 'CSV: a row after a quoted multi-line text',
    file: 'a.csv',
    text: 'text,label\n"two\nlines",pos\nplain,neg\n',
    request: { line: 4, labelColumn: 'label', newLabel: 'pos', expected: 'neg' },
    want: 'text,label\n"two\nlines",pos\nplain,pos\n',
    row: 1,
    column: 'label',
    label: 'pos',
  },
  {
    name: 'CSV: the multi-line row itself, label first',
    file: 'b.csv',
    text: 'label,text\nneg,"x\ny"\npos,z\n',
    request: { line: 2, labelColumn: 'label', newLabel: 'a, b' },
    want: 'label,text\n"a, b","x\ny"\npos,z\n',
    row: 0,
    column: 'label',
    label: 'a, b',
  },
  {
    name: 'CSV: a quoted label stays quoted; CRLF line ends',
    file: 'c.csv',
    text: 'text,label\r\nhi,"neg"\r\nho,"pos"\r\n',
    request: { line: 3, labelColumn: 'label', newLabel: 'neg', expected: 'pos' },
    want: 'text,label\r\nhi,"neg"\r\nho,"neg"\r\n',
    row: 1,
    column: 'label',
    label: 'neg',
  },
  {
    name: 'CSV: semicolons sniffed, blank line before the row',
    file: 'd.csv',
    text: 'text;label\na;1\n\nb;0\n',
    request: { line: 4, labelColumn: 'label', newLabel: 1 },
    want: 'text;label\na;1\n\nb;1\n',
    row: 1,
    column: 'label',
    label: '1',
  },
  {
    name: 'TSV: quotes are plain characters',
    file: 'e.tsv',
    text: 'label\ttext\n0\t"quoted" text\n1\tother\n',
    request: { line: 2, labelColumn: 'label', newLabel: '1', expected: '0' },
    want: 'label\ttext\n1\t"quoted" text\n1\tother\n',
    row: 0,
    column: 'label',
    label: '1',
  },
  {
    name: 'TSV without a header: the column by position',
    file: 'f.tsv',
    text: 'ham\thello\nspam\twin now\n',
    request: { line: 2, labelColumn: 0, newLabel: 'ham', hasHeader: false },
    want: 'ham\thello\nham\twin now\n',
    row: 1,
    column: '0',
    label: 'ham',
  },
  {
    name: 'JSONL: a string label',
    file: 'g.jsonl',
    text: '{"text": "a", "label": "x"}\n\n{"label": "y", "text": "b"}\n',
    request: { line: 3, labelColumn: 'label', newLabel: 'x', expected: 'y' },
    want: '{"text": "a", "label": "x"}\n\n{"label": "x", "text": "b"}\n',
    row: 1,
    column: 'label',
    label: 'x',
  },
  {
    name: 'JSONL: a number stays a number',
    file: 'h.jsonl',
    text: '{"text": "a", "label": 0}\n{"text": "b", "label": 1}\n',
    request: { line: 1, labelColumn: 'label', newLabel: '1', expected: '0' },
    want: '{"text": "a", "label": 1}\n{"text": "b", "label": 1}\n',
    row: 0,
    column: 'label',
    label: 1,
  },
  {
    name: 'JSON: a pretty-printed array',
    file: 'i.json',
    text: '[\n  {\n    "text": "a",\n    "label": "neg"\n  },\n  {\n    "text": "b",\n    "label": "neg"\n  }\n]\n',
    request: { line: 6, index: 1, labelColumn: 'label', newLabel: 'pos', expected: 'neg' },
    want: '[\n  {\n    "text": "a",\n    "label": "neg"\n  },\n  {\n    "text": "b",\n    "label": "pos"\n  }\n]\n',
    row: 1,
    column: 'label',
    label: 'pos',
  },
  {
    name: 'JSON: records on one line, told apart by index',
    file: 'j.json',
    text: '[{"text": "a", "label": "neg"}, {"text": "b", "label": "neg"}]',
    request: { line: 1, index: 1, labelColumn: 'label', newLabel: 'pos' },
    want: '[{"text": "a", "label": "neg"}, {"text": "b", "label": "pos"}]',
    row: 1,
    column: 'label',
    label: 'pos',
  },
  {
    name: 'JSON: records under a field; a list label (multi-label)',
    file: 'k.json',
    text: '{"version": 1, "data": [\n{"text": "a", "labels": ["x"]},\n{"text": "b", "labels": ["y"]}\n]}',
    request: { line: 3, index: 1, labelColumn: 'labels', newLabel: ['x', 'y'], expected: 'y' },
    want: '{"version": 1, "data": [\n{"text": "a", "labels": ["x"]},\n{"text": "b", "labels": ["x","y"]}\n]}',
    row: 1,
    column: 'labels',
    label: ['x', 'y'],
  },
  {
    name: 'JSON: a dict of columns',
    file: 'l.json',
    text: '{"text": [\n"a",\n"b"\n], "label": [0, 0]}',
    request: { line: 3, index: 1, labelColumn: 'label', newLabel: 1, expected: '0' },
    want: '{"text": [\n"a",\n"b"\n], "label": [0, 1]}',
    row: 1,
    column: 'label',
    label: 1,
  },
];

describe('labelEdit', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const format = (/\.(\w+)$/.exec(c.file)![1] as LabelEditRequest['format']) ?? 'csv';
      const e = labelEdit(c.text, { ...c.request, file: c.file, format });
      const edited = applyEdit(c.text, e);
      assert.equal(edited, c.want);
      // the range is where the offsets are
      const lines = c.text.split('\n');
      const offsetOf = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((a, l) => a + l.length + 1, 0) + p.character;
      assert.deepEqual([offsetOf(e.range.start), offsetOf(e.range.end)], [e.start, e.end]);
      // read back: the new label at the row, the other rows as they were
      const before = await readTable(tmp.write(`before-${c.file}`, c.text), c.request.hasHeader === false ? { hasHeader: false } : {});
      const after = await readTable(tmp.write(`after-${c.file}`, edited), c.request.hasHeader === false ? { hasHeader: false } : {});
      const col = after.columns.indexOf(c.column);
      assert.deepEqual(after.rows[c.row]![col], c.label);
      assert.deepEqual(after.rowNumbers, before.rowNumbers);
      after.rows.forEach((r, i) => i !== c.row && assert.deepEqual(r, before.rows[i]));
    });
  }

  const refusals: { name: string; file: string; text: string; request: Omit<LabelEditRequest, 'file' | 'format'>; includes: string }[] = [
    {
      name: 'the label is no longer the expected one',
      file: 'x.csv',
      text: 'text,label\na,pos\n',
      request: { line: 2, labelColumn: 'label', newLabel: 'neg', expected: 'neg' },
      includes: 'the label is "pos", not "neg"',
    },
    {
      name: 'the header line',
      file: 'x.csv',
      text: 'text,label\na,pos\n',
      request: { line: 1, labelColumn: 'label', newLabel: 'neg' },
      includes: 'not a data row',
    },
    {
      name: 'past the end',
      file: 'x.jsonl',
      text: '{"text": "a", "label": 1}\n',
      request: { line: 9, labelColumn: 'label', newLabel: 0 },
      includes: 'fewer lines',
    },
    {
      name: 'a tab in a TSV label',
      file: 'x.tsv',
      text: 'text\tlabel\na\tb\n',
      request: { line: 2, labelColumn: 'label', newLabel: 'c\td' },
      includes: 'cannot quote',
    },
    {
      name: 'an unknown column',
      file: 'x.csv',
      text: 'text,label\na,b\n',
      request: { line: 2, labelColumn: 'tag', newLabel: 'c' },
      includes: 'no label column "tag"',
    },
    {
      name: 'a JSON record that starts elsewhere',
      file: 'x.json',
      text: '[\n{"text": "a", "label": 1}\n]',
      request: { line: 1, index: 0, labelColumn: 'label', newLabel: 0 },
      includes: 'no record 0 starts there',
    },
  ];
  for (const c of refusals) {
    test(`refused: ${c.name}`, () => {
      const format = /\.(\w+)$/.exec(c.file)![1] as LabelEditRequest['format'];
      assert.throws(
        () => labelEdit(c.text, { ...c.request, file: c.file, format }),
        (e: unknown) => e instanceof DataError && e.code === 'stale-row' && e.message.includes(c.includes) && e.message.startsWith(c.file),
      );
    });
  }
});
