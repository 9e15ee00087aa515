// Readers: CSV (BOM, quoted newlines, blank lines, delimiter sniffing, pandas-style header names),
// TSV (quotes are plain characters, header-less), JSON (array, {"data": [...]}, columns, JSON Lines
// in a .json), JSONL; row numbers kept for messages; the UTF-8 validator.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dedupeHeader, firstInvalidUtf8, formatFromName, readTable } from '../../../../src/core/data/index.js';
import { fixture, TempFiles } from './helpers.js';

const tmp = new TempFiles();
after(() => tmp.cleanup());

describe('CSV / TSV', () => {
  test('BOM, quoted newline, escaped quotes, blank line; every row keeps its source line', async () => {
    const t = await readTable(fixture('reviews.csv'));
    assert.deepEqual(t.columns, ['label', 'text']); // not "\ufefflabel"
    assert.equal(t.format, 'csv');
    assert.deepEqual(t.rows[0], ['pos', 'Great food,\nfast delivery']);
    assert.deepEqual(t.rows[2], ['neutral', 'It was "ok"']);
    assert.deepEqual(t.rowNumbers, [2, 4, 6, 7, 8, 9, 10]);
    assert.equal(t.emptyLines, 1);
  });

  test('TSV: quotes are plain characters by default (GLUE MRPC)', async () => {
    const t = await readTable(fixture('mrpc_sample.tsv'));
    assert.deepEqual(t.columns, ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String']);
    assert.equal(t.rows.length, 5);
    assert.equal(t.rows[1]![3], '"We will not raise taxes," the mayor said .');
  });

  test("TSV with quote: '\"' reads quoted fields with tabs and newlines", async () => {
    const p = tmp.write('q.tsv', 'label\ttext\n1\t"a\tb\nc"\n0\td\n');
    const t = await readTable(p, { quote: '"' });
    assert.deepEqual(t.rows, [
      ['1', 'a\tb\nc'],
      ['0', 'd'],
    ]);
    assert.deepEqual(t.rowNumbers, [2, 4]);
  });

  test('header-less: columns are named by position', async () => {
    const p = tmp.write('sms.tsv', 'ham\tGo until jurong point\nspam\tFree entry "now"\n');
    const t = await readTable(p, { hasHeader: false });
    assert.deepEqual(t.columns, ['0', '1']);
    assert.deepEqual(t.rows[1], ['spam', 'Free entry "now"']);
    assert.deepEqual(t.rowNumbers, [1, 2]);
  });

  test('a semicolon-separated .csv (European Excel) is sniffed from the header', async () => {
    const p = tmp.write('semi.csv', 'label;text\n1;"a, b"\n0;c\n');
    const t = await readTable(p);
    assert.equal(t.delimiter, ';');
    assert.deepEqual(t.rows, [
      ['1', 'a, b'],
      ['0', 'c'],
    ]);
  });

  test('CRLF line ends', async () => {
    const p = tmp.write('crlf.csv', 'label,text\r\n1,"x\r\ny"\r\n0,z\r\n');
    const t = await readTable(p);
    assert.deepEqual(t.rows, [
      ['1', 'x\r\ny'],
      ['0', 'z'],
    ]);
    assert.deepEqual(t.rowNumbers, [2, 4]);
  });

  test('header names as pandas makes them: blanks "Unnamed: i", repeats ".1"', () => {
    assert.deepEqual(dedupeHeader(['', 'text', 'text', 'label', 'text']), ['Unnamed: 0', 'text', 'text.1', 'label', 'text.2']);
  });

  test('maxRows stops early (previews)', async () => {
    const p = tmp.write('many.csv', `label,text\n${'1,a\n'.repeat(1000)}`);
    const t = await readTable(p, { maxRows: 10 });
    assert.equal(t.rows.length, 10);
  });

  test('format from the extension, or given', async () => {
    assert.equal(formatFromName('a/b.CSV'), 'csv');
    assert.equal(formatFromName('x.tab'), 'tsv');
    assert.equal(formatFromName('x.ndjson'), 'jsonl');
    assert.equal(formatFromName('x.txt'), undefined);
    const p = tmp.write('data.txt', 'label\ttext\n1\ta\n');
    const t = await readTable(p, { format: 'tsv' });
    assert.deepEqual(t.rows, [['1', 'a']]);
  });
});

describe('JSON / JSON Lines', () => {
  test('{"data": [...]} is found without naming the field (HF `field`)', async () => {
    const t = await readTable(fixture('stsb.json'));
    assert.deepEqual(t.columns, ['sentence1', 'sentence2', 'score']);
    assert.equal(t.rows.length, 5);
    assert.equal(t.rows[2]![2], 3.75);
    // the editor's line of each record's opening brace
    assert.equal(t.rowUnit, 'line');
    assert.deepEqual(t.rowNumbers, [4, 5, 6, 7, 8]);
  });

  const lineCases: { name: string; text: string; options?: { jsonField?: string }; lines: number[] }[] = [
    { name: 'an array, one record a line', text: '[\n {"text": "a", "label": 1},\n {"text": "b", "label": 0}\n]\n', lines: [2, 3] },
    {
      name: 'an array of pretty-printed records (strings holding braces, brackets and escaped quotes)',
      text: '[\n  {\n    "text": "x {[\\"",\n    "label": 1\n  },\n  {\n    "text": "y",\n    "label": 0\n  }\n]',
      lines: [2, 6],
    },
    { name: 'records on one line', text: '[{"text": "a", "label": 1}, {"text": "b", "label": 0}]', lines: [1, 1] },
    { name: 'CRLF line ends', text: '[\r\n{"text": "a", "label": 1},\r\n\r\n{"text": "b", "label": 0}]', lines: [2, 4] },
    {
      name: 'a named field among others',
      text: '{"dev": [\n{"text": "z", "label": 1}],\n "train": [\n\n {"text": "a", "label": 1},\n {"text": "b", "label": 0}]}',
      options: { jsonField: 'train' },
      lines: [5, 6],
    },
    { name: "a dict of columns: the first column's value", text: '{"text": [\n"a",\n"b"\n], "label": [1, 0]}', lines: [2, 3] },
    { name: 'a single record', text: '\n\n{"text": "a", "label": 1}', lines: [3] },
  ];
  for (const c of lineCases) {
    test(`JSON line numbers: ${c.name}`, async () => {
      const t = await readTable(tmp.write('lines-case.json', c.text), c.options ?? {});
      assert.equal(t.rowUnit, 'line');
      assert.deepEqual(t.rowNumbers, c.lines);
    });
  }

  test('jsonField picks one of several arrays', async () => {
    const p = tmp.write(
      'two.json',
      JSON.stringify({
        train: [{ text: 'a', label: 0 }],
        dev: [
          { text: 'b', label: 1 },
          { text: 'c', label: 0 },
        ],
      }),
    );
    const t = await readTable(p, { jsonField: 'dev' });
    assert.equal(t.rows.length, 2);
  });

  test('an array of objects with differing keys: union of keys, missing values undefined', async () => {
    const p = tmp.write('arr.json', '[{"text": "a", "label": 1}, {"label": 0, "text": "b", "extra": true}, {"text": "c"}]');
    const t = await readTable(p);
    assert.deepEqual(t.columns, ['text', 'label', 'extra']);
    assert.equal(t.rows[2]![0], 'c');
    assert.equal(t.rows[2]![1], undefined);
    assert.equal(t.rows[0]![2], undefined);
    assert.deepEqual(t.rows[1], ['b', 0, true]);
  });

  test('a dict of columns', async () => {
    const p = tmp.write('cols.json', '{"text": ["a", "b"], "label": [1, 0]}');
    const t = await readTable(p);
    assert.deepEqual(t.rows, [
      ['a', 1],
      ['b', 0],
    ]);
  });

  test('JSON Lines in a .json file (HF reads both)', async () => {
    const p = tmp.write('lines.json', '{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n');
    const t = await readTable(p);
    assert.equal(t.rows.length, 2);
    assert.equal(t.rowUnit, 'line');
  });

  test('JSONL: blank lines counted, lists kept', async () => {
    const t = await readTable(fixture('topics.jsonl'));
    assert.deepEqual(t.columns, ['text', 'labels']);
    assert.equal(t.rows.length, 5);
    assert.equal(t.emptyLines, 1);
    assert.deepEqual(t.rowNumbers, [1, 2, 4, 5, 6]);
    assert.deepEqual(t.rows[0]![1], ['finance', 'politics']);
  });

  test('JSONL with a BOM and CRLF', async () => {
    const p = tmp.write('bom.jsonl', '\ufeff{"text": "a", "label": 1}\r\n{"text": "b", "label": 0}\r\n');
    const t = await readTable(p);
    assert.deepEqual(t.rows, [
      ['a', 1],
      ['b', 0],
    ]);
  });
});

describe('UTF-8 validation', () => {
  const table: { bytes: number[]; bad: number; note: string }[] = [
    { bytes: [0x61, 0x62], bad: -1, note: 'ASCII' },
    { bytes: [0xe4, 0xbd, 0xa0], bad: -1, note: '你' },
    { bytes: [0xf0, 0x9f, 0x98, 0x80], bad: -1, note: 'emoji' },
    { bytes: [0x61, 0x80], bad: 1, note: 'stray continuation byte' },
    { bytes: [0xc0, 0xaf], bad: 0, note: 'overlong' },
    { bytes: [0xed, 0xa0, 0x80], bad: 0, note: 'surrogate' },
    { bytes: [0xf4, 0x90, 0x80, 0x80], bad: 0, note: 'above U+10FFFF' },
    { bytes: [0x61, 0xe4, 0xbd], bad: 1, note: 'cut at the end' },
    { bytes: [0xe4, 0x61, 0x61], bad: 0, note: 'lead byte without continuation' },
  ];
  for (const row of table) {
    test(row.note, () => assert.equal(firstInvalidUtf8(Uint8Array.from(row.bytes)), row.bad));
  }
});

describe('size and cancellation', () => {
  // Speed is measured by benchmarks, not asserted here; this checks that a large file reads whole.
  test('100,000 rows (quoted fields with commas and escaped quotes) read with their line numbers', async () => {
    const rows: string[] = ['label,text'];
    for (let i = 0; i < 100_000; i++) rows.push(`${i % 3},"review number ${i}: the food was fine, delivery ""fast"" and the rider polite"`);
    const p = tmp.write('100k.csv', `${rows.join('\n')}\n`);
    const t = await readTable(p);
    assert.equal(t.rows.length, 100_000);
    assert.equal(t.rowNumbers[99_999], 100_001);
    assert.equal(t.rows[99_999]![1], 'review number 99999: the food was fine, delivery "fast" and the rider polite');
  });

  test('an aborted signal stops reading', async () => {
    const p = tmp.write('abort.csv', 'label,text\n1,a\n');
    await assert.rejects(() => readTable(p, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});
