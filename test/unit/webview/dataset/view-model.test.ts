/** What the dataset preview shows, and the analyze request its form makes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LengthHistogram } from '../../../../src/protocol/webview.js';
import {
  analyzeParams,
  columnRole,
  fileInfo,
  labelSummary,
  lengthLabels,
  longTextRows,
  longTextSummary,
  lengthSummary,
  lengthTitle,
  maxLengthSlot,
  pickRoles,
  rowsTitle,
  truncatedBucket,
} from '../../../../webview/dataset/view-model.js';
import { LONG_TEXT, datasetState } from '../../../helpers/webview-fixtures.js';

const LENGTHS: LengthHistogram = {
  unit: 'tokens',
  buckets: [16, 32, 64, 128],
  counts: [1, 2, 3, 4],
  maxSeqLength: 48,
  truncatedShare: 0.2,
  p50: 20,
  p95: 90,
  max: 120,
  tokenizer: 't',
};

describe('roles', () => {
  test("the host's roles, else the first and last columns", () => {
    assert.deepEqual(pickRoles(datasetState(3)), { text: 'review', pair: '', label: 'label' });
    assert.deepEqual(pickRoles(datasetState(3, { textColumn: 'gone', pairColumn: 'title', labelColumn: undefined })), {
      text: 'id',
      pair: 'title',
      label: 'label',
    });
    assert.deepEqual(pickRoles(datasetState(0, { columns: [] })), { text: '', pair: '', label: '' });
  });

  test('column roles in the table', () => {
    const r = { text: 'review', pair: 'title', label: 'label' };
    assert.deepEqual(
      ['id', 'review', 'title', 'label'].map((c) => columnRole(c, r)),
      ['', 'text', 'pair', 'label'],
    );
  });
});

describe('analyzeParams', () => {
  const table: [string, Parameters<typeof analyzeParams>[0], ReturnType<typeof analyzeParams>][] = [
    [
      'everything',
      { text: 'review', pair: 'title', label: 'label', tokenizer: ' hfl/rbt3 ', maxSeqLength: '64.7' },
      { textColumn: 'review', pairColumn: 'title', labelColumn: 'label', tokenizer: 'hfl/rbt3', maxSeqLength: 64 },
    ],
    ['empty fields left out', { text: 'review', pair: '', label: '', tokenizer: ' ', maxSeqLength: '' }, { textColumn: 'review' }],
    ['max_seq_length below 2 left out', { text: '', pair: '', label: '', tokenizer: '', maxSeqLength: '1' }, {}],
    ['max_seq_length not a number left out', { text: '', pair: '', label: '', tokenizer: '', maxSeqLength: 'x' }, {}],
    ['doc_stride', { text: '', pair: '', label: '', tokenizer: '', maxSeqLength: '', docStride: '16' }, { docStride: 16 }],
    ['doc_stride 0 is a stride', { text: '', pair: '', label: '', tokenizer: '', maxSeqLength: '', docStride: '0' }, { docStride: 0 }],
    ['doc_stride empty or negative left out', { text: '', pair: '', label: '', tokenizer: '', maxSeqLength: '', docStride: '-2' }, {}],
  ];
  for (const [name, form, want] of table) test(name, () => assert.deepEqual(analyzeParams(form), want));
});

describe('summaries', () => {
  test('file, rows, labels', () => {
    assert.equal(fileInfo(datasetState(3)), '12,000 rows · 4 columns · single_label_classification');
    assert.equal(fileInfo(datasetState(3, { problemType: undefined })), '12,000 rows · 4 columns');
    assert.equal(rowsTitle(datasetState(10_000)), 'Rows (first 10,000 of 12,000)');
    assert.equal(rowsTitle(datasetState(5, { totalRows: 5 })), 'Rows (5)');
    assert.equal(labelSummary(datasetState(3)), '2 labels · 0 33.3% · 1 66.7%');
    assert.equal(
      labelSummary(datasetState(3, { labelCounts: undefined, problemType: 'regression' })),
      'Regression: the label is a number (no classes to count).',
    );
    assert.match(labelSummary(datasetState(3, { labelCounts: {}, labelColumn: undefined })), /^No label column yet: choose the column/);
    assert.match(labelSummary(datasetState(3, { labelCounts: {} })), /^The label column "label" has no values/);
    assert.equal(labelSummary(datasetState(3, { labelCounts: { '1': 60 } })), 'Only one label ("1", 60 rows): a classifier needs at least two.');
    const many = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`c${i}`, 1]));
    assert.match(labelSummary(datasetState(3, { labelCounts: many })), /^13 labels · c0 7\.7% .* c11 7\.7% · …$/);
  });

  test('token lengths', () => {
    assert.deepEqual(lengthLabels(LENGTHS), ['≤16', '17–32', '33–64', '65–128']);
    assert.deepEqual(lengthLabels(undefined), []);
    assert.equal(lengthSummary(LENGTHS), 'max_seq_length 48: 20.0% of rows truncated · median 20 · p95 90 · longest 120 tokens');
    assert.match(lengthSummary(undefined), /^No text column yet/);
    const words: LengthHistogram = { unit: 'words', buckets: [1, 2], counts: [3, 4], p50: 2, p95: 2, max: 2 };
    assert.equal(
      lengthSummary(words),
      'median 2 · p95 2 · longest 2 words. Choose the model’s tokenizer above to see tokens and how many rows max_seq_length cuts.',
    );
    assert.equal(lengthTitle(words), 'Text lengths in words');
    assert.equal(lengthTitle(LENGTHS), 'Token lengths (t)');
    assert.equal(maxLengthSlot(words), undefined);
    assert.equal(truncatedBucket(words, 1), false);
    // buckets whose rows are all longer than max_seq_length are drawn red
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => truncatedBucket(LENGTHS, i)),
      [false, false, false, true],
    );
    assert.equal(truncatedBucket(undefined, 3), false);
  });

  test('where max_seq_length falls on the histogram', () => {
    assert.deepEqual(maxLengthSlot(LENGTHS), { index: 2, frac: 0.5 });
    assert.deepEqual(maxLengthSlot({ ...LENGTHS, maxSeqLength: 8 }), { index: 0, frac: 0.5 });
    assert.deepEqual(maxLengthSlot({ ...LENGTHS, maxSeqLength: 128 }), { index: 3, frac: 1 });
    assert.deepEqual(maxLengthSlot({ ...LENGTHS, maxSeqLength: 512 }), { index: 3, frac: 1, beyond: true });
  });
});

describe('long-text counts', () => {
  test('the summary: rows over max_seq_length, or none; nothing before a tokenizer', () => {
    assert.equal(
      longTextSummary(LONG_TEXT),
      '600 rows (5.0%) are longer than max_seq_length 128. What each long_text mode reads of them, and the model inputs it makes of all the rows (training and prediction time grow with them):',
    );
    assert.equal(
      longTextSummary({ ...LONG_TEXT, rowsOverLength: 0, rowsOverLengthShare: 0 }),
      'No row is longer than max_seq_length 128: every long_text mode reads every token.',
    );
    assert.equal(longTextSummary(undefined), '');
  });

  test('one row per mode: what it reads of the long rows, the model inputs', () => {
    assert.deepEqual(longTextRows(LONG_TEXT), [
      { mode: 'truncate', reads: '55% of their tokens (the first)', inputs: '12,000 (one per row)' },
      { mode: 'head_tail', reads: '55% of their tokens (the first and the last)', inputs: '12,000 (one per row)' },
      { mode: 'sliding_window', reads: 'all of them, in chunks overlapping by 32 tokens (doc_stride)', inputs: '13,100 (1.09 per row, at most 6)' },
    ]);
  });
});
