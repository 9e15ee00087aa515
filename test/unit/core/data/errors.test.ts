// Malformed inputs: every one is a DataError whose message names the file, and the row and/or
// column where there is one, and says what to do.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type DataOptions, loadClassificationData, readTable } from '../../../../src/core/data/index.js';
import { type ExpectedError, expectDataError, TempFiles } from './helpers.js';

const tmp = new TempFiles();
after(() => tmp.cleanup());

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

interface Case {
  name: string;
  /** Files to write: name -> content. The first one is the train file unless `options` says otherwise. */
  files: Record<string, string | Uint8Array>;
  options?: (f: Record<string, string>) => Partial<DataOptions>;
  want: (f: Record<string, string>) => ExpectedError;
}

const cases: Case[] = [
  {
    name: 'ragged row: more fields than the header',
    files: { 'more.csv': 'label,text\n1,fine\n0,too,many\n1,ok\n' },
    want: (f) => ({ code: 'ragged-row', file: f['more.csv']!, row: 3, includes: ['line 3', 'expected 2 columns', 'found 3', 'quotes'] }),
  },
  {
    name: 'ragged row: fewer fields than the header',
    files: { 'fewer.csv': 'id,label,text\n1,1,fine\n2,0\n' },
    want: (f) => ({ code: 'ragged-row', file: f['fewer.csv']!, row: 3, includes: ['line 3', 'expected 3 columns', 'found 2'] }),
  },
  {
    name: 'ragged row after a quoted field with newlines: the line number counts them',
    files: { 'multi.csv': 'label,text\n1,"one\ntwo\nthree"\n0,x,y\n' },
    want: (f) => ({ code: 'ragged-row', file: f['multi.csv']!, row: 5, includes: ['line 5'] }),
  },
  {
    name: 'ragged TSV row (tab inside a field)',
    files: { 'rag.tsv': 'label\ttext\n1\tfine\n0\tbroken\tfield\n' },
    want: (f) => ({ code: 'ragged-row', file: f['rag.tsv']!, row: 3, includes: ['line 3', 'found 3', 'tab'] }),
  },
  {
    name: 'invalid UTF-8 byte',
    files: { 'bad.csv': bytes('label,text\n1,ok\n0,bad ', [0xff], ' byte\n') },
    want: (f) => ({ code: 'invalid-utf8', file: f['bad.csv']!, row: 3, includes: ['not valid UTF-8', 'line 3', '0xff', 'Save the file as UTF-8'] }),
  },
  {
    name: 'GBK-encoded Chinese (an Excel export)',
    files: { 'gbk.csv': bytes('label,review\n1,', [0xba, 0xc3, 0xb3, 0xd4], '\n') },
    want: (f) => ({ code: 'invalid-utf8', file: f['gbk.csv']!, row: 2, includes: ['GBK'] }),
  },
  {
    name: 'UTF-16 file',
    files: { 'utf16.csv': bytes([0xff, 0xfe], 'l\u0000a\u0000') },
    want: (f) => ({ code: 'invalid-utf8', file: f['utf16.csv']!, includes: ['UTF-16'] }),
  },
  {
    name: 'missing text column, with a suggestion',
    files: { 'cols.csv': 'label,review_text\n1,a\n0,b\n' },
    options: () => ({ textColumns: 'review_txt' }),
    want: (f) => ({
      code: 'missing-column',
      file: f['cols.csv']!,
      column: 'review_txt',
      includes: ['no text column "review_txt"', '"label", "review_text"', 'Did you mean "review_text"?'],
    }),
  },
  {
    name: 'missing label column, no close name',
    files: { 'nolabel.csv': 'sentence,score_a,score_b\nx,1,2\n' },
    options: () => ({ labelColumn: 'category' }),
    want: (f) => ({
      code: 'missing-column',
      file: f['nolabel.csv']!,
      column: 'category',
      includes: ['no label column "category"', '"sentence", "score_a", "score_b"'],
    }),
  },
  {
    name: 'header-less file, column index out of range',
    files: { 'idx.tsv': 'ham\thello\nspam\twin now\n' },
    options: () => ({ hasHeader: false, textColumns: 2, labelColumn: 0 }),
    want: (f) => ({ code: 'missing-column', file: f['idx.tsv']!, column: '2', includes: ['position 2', '2 columns'] }),
  },
  {
    name: 'a single class',
    files: { 'one.csv': 'label,text\npos,a\npos,b\npos,c\n' },
    want: (f) => ({ code: 'single-class', file: f['one.csv']!, column: 'label', includes: ['only one value ("pos")', '3 rows', 'at least two classes'] }),
  },
  {
    name: 'empty file',
    files: { 'empty.csv': '' },
    want: (f) => ({ code: 'empty-file', file: f['empty.csv']!, includes: ['is empty'] }),
  },
  {
    name: 'header-only file',
    files: { 'header.csv': 'label,text\n' },
    want: (f) => ({ code: 'empty-file', file: f['header.csv']!, includes: ['no data rows', 'label,text'] }),
  },
  {
    name: 'every row dropped for an empty text',
    files: { 'blank.csv': 'label,text\n1,\n0,   \n' },
    want: (f) => ({ code: 'empty-file', file: f['blank.csv']!, includes: ['no train rows left', '2 with an empty text'] }),
  },
  {
    name: 'validation label unseen in training',
    files: { 'train.csv': 'label,text\npos,a\nneg,b\n', 'val.csv': 'label,text\npos,c\nneutral,d\n' },
    options: (f) => ({ trainFile: f['train.csv']!, validationFile: f['val.csv']! }),
    want: (f) => ({ code: 'unseen-label', file: f['val.csv']!, row: 3, column: 'label', includes: ['line 3', '"neutral"', '"neg", "pos"'] }),
  },
  {
    name: 'test label unseen in training (multi-label)',
    files: {
      'mtrain.jsonl': '{"text":"a","labels":["x","y"]}\n{"text":"b","labels":["y"]}\n',
      'mtest.jsonl': '{"text":"c","labels":["x"]}\n{"text":"d","labels":["z"]}\n',
    },
    options: (f) => ({ trainFile: f['mtrain.jsonl']!, testFile: f['mtest.jsonl']!, labelColumn: 'labels' }),
    want: (f) => ({ code: 'unseen-label', file: f['mtest.jsonl']!, row: 2, includes: ['line 2', '"z"'] }),
  },
  {
    name: 'non-numeric regression label',
    files: { 'reg.csv': 'label,text\n0.5,a\n1.25,b\nhigh,c\n' },
    options: () => ({ task: 'regression' }),
    want: (f) => ({ code: 'bad-label', file: f['reg.csv']!, row: 4, column: 'label', includes: ['line 4', '"high"', 'not a number'] }),
  },
  {
    name: 'non-numeric regression label in the validation file (task detected from training)',
    files: { 'rtrain.csv': 'label,text\n0.5,a\n1.25,b\n', 'rval.csv': 'label,text\n2.5,c\nn/a,d\n' },
    options: (f) => ({ trainFile: f['rtrain.csv']!, validationFile: f['rval.csv']! }),
    want: (f) => ({ code: 'bad-label', file: f['rval.csv']!, row: 3, includes: ['line 3', '"n/a"'] }),
  },
  {
    name: 'bad JSON (syntax error on line 3)',
    files: { 'bad.json': '[\n  {"text": "a", "label": 1},\n  {"text": "b" "label": 0}\n]\n' },
    want: (f) => ({ code: 'bad-json', file: f['bad.json']!, row: 3, includes: ['line 3', 'not valid JSON'] }),
  },
  {
    name: 'JSON that is not an array',
    files: { 'num.json': '42\n' },
    want: (f) => ({ code: 'json-shape', file: f['num.json']!, includes: ['expected a JSON array of objects', 'a number'] }),
  },
  {
    name: 'JSON object without an array of records',
    files: { 'obj.json': '{"meta": {"n": 2}, "rows": 5}' },
    want: (f) => ({ code: 'json-shape', file: f['obj.json']!, includes: ['"meta", "rows"', 'no array of records'] }),
  },
  {
    name: 'JSON array holding a non-object',
    files: { 'arr.json': '[{"text": "a", "label": 1}, ["b", 0]]' },
    want: (f) => ({ code: 'json-shape', file: f['arr.json']!, row: 2, includes: ['record 2', 'an array'] }),
  },
  {
    name: 'JSON field that is not there',
    files: { 'field.json': '{"train": [{"text": "a", "label": 1}]}' },
    options: () => ({ jsonField: 'data' }),
    want: (f) => ({ code: 'json-shape', file: f['field.json']!, includes: ['no field "data"', '"train"'] }),
  },
  {
    name: 'JSONL with a bad line',
    files: { 'bad.jsonl': '{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n{"text": "c", "label": }\n' },
    want: (f) => ({ code: 'bad-json', file: f['bad.jsonl']!, row: 3, includes: ['line 3', 'one complete JSON object'] }),
  },
  {
    name: 'JSONL line that is not an object',
    files: { 'arr.jsonl': '{"text": "a", "label": 1}\n\n[1, 2]\n' },
    want: (f) => ({ code: 'json-shape', file: f['arr.jsonl']!, row: 3, includes: ['line 3', 'an array'] }),
  },
  {
    name: 'unclosed quote',
    files: { 'quote.csv': 'label,text\n1,fine\n0,"never closed\n1,more\n' },
    want: (f) => ({ code: 'bad-csv', file: f['quote.csv']!, row: 3, includes: ['line 3', 'never closed'] }),
  },
  {
    name: 'a JSON text cell holding an object',
    files: { 'obj.jsonl': '{"text": "fine", "label": 1}\n{"text": {"a": 1}, "label": 0}\n' },
    want: (f) => ({ code: 'bad-text', file: f['obj.jsonl']!, row: 2, column: 'text', includes: ['line 2', 'an object'] }),
  },
  {
    name: 'unknown extension',
    files: { 'data.txt': 'label,text\n1,a\n' },
    want: (f) => ({ code: 'unknown-format', file: f['data.txt']!, includes: ['".txt"', '.csv, .tsv, .json or .jsonl'] }),
  },
  {
    name: 'train label outside a given label list',
    files: { 'list.csv': 'label,text\npos,a\nneg,b\nmeh,c\n' },
    options: () => ({ labelList: ['neg', 'pos'] }),
    want: (f) => ({ code: 'bad-label', file: f['list.csv']!, row: 4, includes: ['"meh"', 'label list'] }),
  },
  {
    name: 'split percentages out of range',
    files: { 'pct.csv': 'label,text\n1,a\n0,b\n' },
    options: () => ({ validationSplitPercentage: 120 }),
    want: (f) => ({ code: 'bad-option', file: f['pct.csv']!, includes: ['validationSplitPercentage', '120'] }),
  },
];

describe('malformed inputs are DataErrors naming file / row / column', () => {
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    test(c.name, async () => {
      const paths: Record<string, string> = {};
      for (const [name, content] of Object.entries(c.files)) paths[name] = tmp.write(name, content);
      const first = Object.values(paths)[0]!;
      const options: DataOptions = { trainFile: first, ...c.options?.(paths) };
      await expectDataError(() => loadClassificationData(options), c.want(paths));
    });
  }

  test('a missing file', async () => {
    const p = `${tmp.dir}/nope.csv`;
    await expectDataError(() => readTable(p), { code: 'file-not-found', file: p, includes: ['no such file'] });
  });

  test('invalid UTF-8 past the first 1 MiB chunk: the line is still right', async () => {
    const line = 'label,text\n';
    const body = '1,abcdefghij\n'.repeat(100_000); // 1.3 MB, 100,001 lines so far
    const p = tmp.write('late.csv', bytes(line, body, '0,x', [0xc3, 0x28], '\n'));
    await expectDataError(() => readTable(p), { code: 'invalid-utf8', file: p, row: 100_002, includes: ['line 100002'] });
  });

  test('a multi-byte character split across chunks is fine', async () => {
    // Put "é" (0xc3 0xa9) so that its first byte is the last of the first 1 MiB chunk.
    const head = 'label,text\n';
    const fill = 'a'.repeat((1 << 20) - head.length - 3);
    const p = tmp.write('split.csv', `${head}1,${fill}é\n0,b\n`);
    const t = await readTable(p);
    assert.equal(t.rows.length, 2);
    assert.ok((t.rows[0]![1] as string).endsWith('aé'));
  });
});
