// Long documents: the plans of --long_text (truncate, head_tail, sliding_window) on token positions,
// encoding with them (real bert-base-uncased vocabulary), the chunk aggregation per document, the
// document loss and the statistics of what each mode keeps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ClassificationData,
  type Chunk,
  aggregateDocuments,
  documentLoss,
  encodeDataset,
  headTailSizes,
  loadClassificationData,
  longTextStats,
  planChunks,
  tokensRead,
  windowStarts,
} from '../../../../src/core/data/index.js';
import { Tokenizer } from '../../../../src/core/tokenizer/index.js';
import { TempFiles, TOKENIZERS } from './helpers.js';

const tmp = new TempFiles();
after(() => tmp.cleanup());

describe('plans', () => {
  test("head_tail sizes: Sun et al.'s 128 + 382 of 510, scaled", () => {
    assert.deepEqual(headTailSizes(510), { head: 128, tail: 382 });
    assert.deepEqual(headTailSizes(126), { head: 32, tail: 94 });
    assert.deepEqual(headTailSizes(6), { head: 2, tail: 4 });
    assert.deepEqual(headTailSizes(1), { head: 1, tail: 0 });
  });

  test('window starts: each window shares doc_stride tokens with the one before; the last may be short', () => {
    assert.deepEqual(windowStarts(10, 4, 1), [0, 3, 6]);
    assert.deepEqual(windowStarts(11, 4, 1), [0, 3, 6, 9]);
    assert.deepEqual(windowStarts(4, 4, 2), [0]);
    assert.throws(() => windowStarts(10, 4, 4), /doc_stride 4 must be less than the window of 4/);
  });

  const cases: { name: string; lenA: number; lenB: number | null; o: Parameters<typeof planChunks>[2]; want: Chunk[] }[] = [
    {
      name: 'short rows are one input whatever the mode',
      lenA: 5,
      lenB: null,
      o: { mode: 'sliding_window', budget: 6, maxLength: 8 },
      want: [{ a: [[0, 5]], b: null }],
    },
    { name: 'truncate keeps the head', lenA: 10, lenB: null, o: { mode: 'truncate', budget: 6, maxLength: 8 }, want: [{ a: [[0, 6]], b: null }] },
    {
      name: "truncate follows the tokenizer's side",
      lenA: 10,
      lenB: null,
      o: { mode: 'truncate', budget: 6, maxLength: 8, side: 'left' },
      want: [{ a: [[4, 10]], b: null }],
    },
    {
      name: 'head_tail: 2 head + 4 tail of 6',
      lenA: 20,
      lenB: null,
      o: { mode: 'head_tail', budget: 6, maxLength: 8 },
      want: [
        {
          a: [
            [0, 2],
            [16, 20],
          ],
          b: null,
        },
      ],
    },
    {
      name: "head_tail pairs: truncate's budget per text (7 + 8), each filled head + tail",
      lenA: 10,
      lenB: 20,
      o: { mode: 'head_tail', budget: 15, maxLength: 18 },
      want: [
        {
          a: [
            [0, 2],
            [5, 10],
          ],
          b: [
            [0, 2],
            [14, 20],
          ],
        },
      ],
    },
    {
      name: 'sliding windows over one text',
      lenA: 10,
      lenB: null,
      o: { mode: 'sliding_window', budget: 4, maxLength: 6, docStride: 1 },
      want: [
        { a: [[0, 4]], b: null },
        { a: [[3, 7]], b: null },
        { a: [[6, 10]], b: null },
      ],
    },
    {
      name: 'sliding windows over the pair, the first text in every chunk',
      lenA: 3,
      lenB: 20,
      o: { mode: 'sliding_window', budget: 9, maxLength: 12, docStride: 2 },
      want: [0, 4, 8, 12, 16].map((s) => ({ a: [[0, 3]] as [number, number][], b: [[s, Math.min(s + 6, 20)]] as [number, number][] })),
    },
    {
      name: 'a long first text keeps half the budget; the stride shrinks to half the window',
      lenA: 30,
      lenB: 12,
      o: { mode: 'sliding_window', budget: 10, maxLength: 13, docStride: 4 },
      want: [0, 3, 6, 9].map((s) => ({ a: [[0, 5]] as [number, number][], b: [[s, Math.min(s + 5, 12)]] as [number, number][] })),
    },
    {
      name: 'a long first text with a short pair keeps what the pair leaves',
      lenA: 30,
      lenB: 2,
      o: { mode: 'sliding_window', budget: 10, maxLength: 13 },
      want: [{ a: [[0, 8]], b: [[0, 2]] }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(planChunks(c.lenA, c.lenB, c.o), c.want));

  test('tokens read: overlaps counted once', () => {
    const chunks = planChunks(10, null, { mode: 'sliding_window', budget: 4, maxLength: 6, docStride: 1 });
    assert.equal(tokensRead(chunks, 'a'), 10);
    assert.equal(tokensRead(planChunks(20, null, { mode: 'head_tail', budget: 6, maxLength: 8 }), 'a'), 6);
  });
});

describe('encoding long rows', () => {
  let tok: Tokenizer;
  let data: ClassificationData;
  before(async () => {
    tok = await Tokenizer.fromFolder(`${TOKENIZERS}bert-base-uncased`);
    // a..j: 1037..1046, hello 7592, world 2088; [CLS] 101, [SEP] 102
    const file = tmp.write('long.csv', 'label,text\npos,a b c d e f g h i j\nneg,hello world\n');
    data = await loadClassificationData({ trainFile: file });
  });

  test('sliding_window: chunks are rows with their document label; documents say which', async () => {
    const e = (await encodeDataset(data, tok, { maxSeqLength: 6, longText: { mode: 'sliding_window', docStride: 1 } })).train;
    assert.equal(e.size, 4);
    assert.equal(e.documentCount, 2);
    assert.deepEqual(e.row(0).inputIds, [101, 1037, 1038, 1039, 1040, 102]);
    assert.deepEqual(e.row(1).inputIds, [101, 1040, 1041, 1042, 1043, 102]);
    assert.deepEqual(e.row(2).inputIds, [101, 1043, 1044, 1045, 1046, 102]);
    assert.deepEqual(e.row(3).inputIds, [101, 7592, 2088, 102]);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => e.row(i).label),
      [1, 1, 1, 0],
    );
    assert.deepEqual(Array.from(e.documents!.start), [0, 3, 4]);
    assert.deepEqual(e.documentLabels, data.train.labels);
    assert.deepEqual(Array.from(e.fullLengths), [12, 4]);
    const second = e.select([1, 0]);
    assert.deepEqual(Array.from(second.documents!.start), [0, 1, 4]);
    assert.deepEqual(second.row(0).inputIds, [101, 7592, 2088, 102]);
    assert.deepEqual(Array.from(second.fullLengths), [4, 12]);
  });

  test('sliding_window over pairs: the window moves over the second text, the first in every chunk', async () => {
    const file = tmp.write('pairs.csv', 'label,q,doc\npos,hello world,a b c d e f g h i j\nneg,hello,world\n');
    const d = await loadClassificationData({ trainFile: file, textColumns: 'q', pairColumn: 'doc' });
    const e = (await encodeDataset(d, tok, { maxSeqLength: 9, longText: { mode: 'sliding_window', docStride: 1 } })).train;
    // 9 - 3 specials = 6: hello world + a window of 4 over a..j, moving 3.
    assert.deepEqual(
      [0, 1, 2].map((i) => e.row(i).inputIds),
      [
        [101, 7592, 2088, 102, 1037, 1038, 1039, 1040, 102],
        [101, 7592, 2088, 102, 1040, 1041, 1042, 1043, 102],
        [101, 7592, 2088, 102, 1043, 1044, 1045, 1046, 102],
      ],
    );
    assert.deepEqual(e.row(0).tokenTypeIds, [0, 0, 0, 0, 1, 1, 1, 1, 1]);
    assert.equal(e.documentCount, 2);
    assert.equal(e.size, 4);
  });

  test('head_tail: the first and last tokens', async () => {
    const e = (await encodeDataset(data, tok, { maxSeqLength: 8, longText: { mode: 'head_tail' } })).train;
    assert.equal(e.size, 2);
    assert.equal(e.documents, null);
    // 6 content tokens: 2 head (a b) + 4 tail (g h i j)
    assert.deepEqual(e.row(0).inputIds, [101, 1037, 1038, 1043, 1044, 1045, 1046, 102]);
  });

  test('statistics: rows over the length and what each mode keeps', async () => {
    const e = (await encodeDataset(data, tok, { maxSeqLength: 6, longText: { mode: 'sliding_window', docStride: 1 } })).train;
    const s = longTextStats(e);
    assert.equal(s.rowsOverLength, 1);
    assert.equal(s.rowsOverLengthShare, 0.5);
    assert.equal(s.mode, 'sliding_window');
    assert.deepEqual(s.modes.sliding_window, { inputs: 4, inputsPerRow: 2, maxInputsPerRow: 3, keptTokenShare: 1, keptTokenShareOfLongRows: 1 });
    assert.deepEqual(s.modes.truncate, { inputs: 2, inputsPerRow: 1, maxInputsPerRow: 1, keptTokenShare: 6 / 12, keptTokenShareOfLongRows: 4 / 10 });
    assert.equal(s.modes.head_tail.keptTokenShare, 6 / 12);
  });
});

describe('documents from chunks', () => {
  const documents = { start: Int32Array.from([0, 2, 3]), labels: null };
  // Document 0: chunks with softmax (0.5, 0.5) and (0.9, 0.1); document 1: one chunk.
  const rows = Float32Array.from([0, 0, Math.log(9), 0, 1, 2]);

  test("mean: the average of the chunks' probabilities, as log-probabilities", () => {
    const z = aggregateDocuments(rows, 2, documents, 'single_label_classification', 'mean');
    assert.ok(Math.abs(Math.exp(z[0]!) - 0.7) < 1e-6 && Math.abs(Math.exp(z[1]!) - 0.3) < 1e-6);
    assert.deepEqual(Array.from(z.subarray(2)), [1, 2], 'a one-chunk document keeps its logits');
  });

  test('max: the most confident chunk per label, renormalized', () => {
    const z = aggregateDocuments(rows, 2, documents, 'single_label_classification', 'max');
    assert.ok(Math.abs(Math.exp(z[0]!) - 0.9 / 1.4) < 1e-6 && Math.abs(Math.exp(z[1]!) - 0.5 / 1.4) < 1e-6);
  });

  test('multi-label: per-label sigmoid probabilities; regression: the values', () => {
    const m = aggregateDocuments(Float32Array.from([0, 0, Math.log(9), -Math.log(9), 1, 1]), 2, documents, 'multi_label_classification', 'mean');
    assert.ok(Math.abs(1 / (1 + Math.exp(-m[0]!)) - 0.7) < 1e-6 && Math.abs(1 / (1 + Math.exp(-m[1]!)) - 0.3) < 1e-6);
    const r = aggregateDocuments(Float32Array.from([1, 3, 5]), 1, documents, 'regression', 'max');
    assert.deepEqual(Array.from(r), [3, 5]);
  });

  test('document loss: cross-entropy of the aggregated probabilities (weighted), BCE, squared error', () => {
    const z = Float32Array.from([Math.log(0.7), Math.log(0.3)]);
    const single = { kind: 'single' as const, ids: Int32Array.from([1]) };
    assert.ok(Math.abs(documentLoss('single_label_classification', z, 2, single) + Math.log(0.3)) < 1e-6);
    const two = Float32Array.from([Math.log(0.7), Math.log(0.3), Math.log(0.2), Math.log(0.8)]);
    const w = documentLoss(
      'single_label_classification',
      two,
      2,
      { kind: 'single', ids: Int32Array.from([0, 1]) },
      { classWeights: Float32Array.from([1, 3]) },
    );
    assert.ok(Math.abs(w - (-Math.log(0.7) - 3 * Math.log(0.8)) / 4) < 1e-6);
    const bce = documentLoss('multi_label_classification', Float32Array.from([0, 0]), 2, { kind: 'multi', numLabels: 2, multiHot: Uint8Array.from([1, 0]) });
    assert.ok(Math.abs(bce - Math.log(2)) < 1e-9);
    assert.equal(documentLoss('regression', Float32Array.from([3, 1]), 1, { kind: 'regression', values: Float32Array.from([1, 1]) }), 2);
  });
});
