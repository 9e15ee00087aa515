// Tokenizing prepared splits (real bert-base-uncased vocabulary), dynamic padding into the
// engine's Batch, and dataset statistics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  collate,
  datasetStats,
  encodeDataset,
  type EncodedDataset,
  loadClassificationData,
  percentile,
  type ClassificationData,
} from '../../../../src/core/data/index.js';
import { Tokenizer } from '../../../../src/core/tokenizer/index.js';
import type { Batch } from '../../../../src/core/step/engine.js';
import { fixture, TempFiles, TOKENIZERS } from './helpers.js';

const tmp = new TempFiles();
after(() => tmp.cleanup());

let tok: Tokenizer;
let data: ClassificationData;
let enc: EncodedDataset;

before(async () => {
  tok = await Tokenizer.fromFolder(`${TOKENIZERS}bert-base-uncased`);
  // ids: hello 7592, world 2088, a..j 1037..1046, the 1996, cat 4937, sat 2938; [CLS] 101, [SEP] 102, [PAD] 0
  const train = tmp.write('train.csv', 'label,text\npos,hello world\nneg,a b c d e f g h i j\npos,the cat sat\nneg,hello world\n');
  const val = tmp.write('val.csv', 'label,text\npos,hello world\nneg,the dog\n');
  data = await loadClassificationData({ trainFile: train, validationFile: val });
  enc = await encodeDataset(data, tok, { maxSeqLength: 8 });
});

describe('encoding', () => {
  test('rows are [CLS] ids [SEP], truncated at max_seq_length, unpadded', () => {
    const t = enc.train;
    assert.equal(t.size, 4);
    assert.equal(t.maxLength, 8);
    assert.deepEqual(t.row(0), { inputIds: [101, 7592, 2088, 102], attentionMask: [1, 1, 1, 1], tokenTypeIds: [0, 0, 0, 0], label: 1 });
    assert.deepEqual(t.row(1).inputIds, [101, 1037, 1038, 1039, 1040, 1041, 1042, 102]);
    assert.deepEqual(Array.from(t.lengths()), [4, 8, 5, 4]);
    assert.deepEqual(Array.from(t.fullLengths), [4, 12, 5, 4]);
    assert.equal(t.padTokenId, 0);
  });

  test('same result as tokenizer.encode row by row', () => {
    data.train.texts.forEach((text, i) => {
      assert.deepEqual(enc.train.row(i).inputIds, tok.encode(text, null, { maxLength: 8, truncation: true }).inputIds);
    });
  });

  test('pairs: token types 0 then 1; longest_first truncation', async () => {
    const p = tmp.write('pairs.csv', 'label,s1,s2\n1,the cat,a dog\n0,a b c d e f,g h i j\n');
    const d = await loadClassificationData({ trainFile: p, textColumns: 's1', pairColumn: 's2' });
    const e = await encodeDataset(d, tok, { maxSeqLength: 9 });
    assert.deepEqual(e.train.row(0).inputIds, [101, 1996, 4937, 102, 1037, 3899, 102]);
    assert.deepEqual(e.train.row(0).tokenTypeIds, [0, 0, 0, 0, 1, 1, 1]);
    // 6 + 4 word pieces + 3 specials = 13 > 9: longest_first removes 4 -> 3 + 3
    assert.deepEqual(e.train.row(1).inputIds, [101, 1037, 1038, 1039, 102, 1043, 1044, 1045, 102]);
    assert.equal(e.train.fullLengths[1], 13);
  });
});

describe('collate (dynamic padding)', () => {
  test('single-label batch: padded to the longest row with the pad id, mask 0, int64 labels', () => {
    const b: Batch = collate(enc.train, [0, 2]);
    assert.equal(b.batch, 2);
    assert.equal(b.seq, 5);
    assert.deepEqual(Array.from(b.inputIds), [101n, 7592n, 2088n, 102n, 0n, 101n, 1996n, 4937n, 2938n, 102n]);
    assert.deepEqual(Array.from(b.attentionMask), [1n, 1n, 1n, 1n, 0n, 1n, 1n, 1n, 1n, 1n]);
    assert.deepEqual(Array.from(b.tokenTypeIds!), new Array(10).fill(0n));
    assert.ok(b.labels instanceof BigInt64Array);
    assert.deepEqual(Array.from(b.labels), [1n, 1n]);
  });

  test('pad_to_multiple_of and a fixed length', () => {
    assert.equal(collate(enc.train, [0, 2], { padToMultipleOf: 8 }).seq, 8);
    const fixed = collate(enc.train, [0], { padTo: 6 });
    assert.equal(fixed.seq, 6);
    assert.deepEqual(Array.from(fixed.attentionMask), [1n, 1n, 1n, 1n, 0n, 0n]);
  });

  test('multi-label batch: float32 multi-hot [B * C]', async () => {
    const d = await loadClassificationData({ trainFile: fixture('topics.jsonl'), labelColumn: 'labels' });
    const e = await encodeDataset(d, tok);
    const b = collate(e.train, [2, 0]);
    assert.ok(b.labels instanceof Float32Array);
    // labels: finance, health, politics; row 2 = politics + health, row 0 = finance + politics
    assert.deepEqual(Array.from(b.labels), [0, 1, 1, 1, 0, 1]);
    assert.deepEqual(b.indices, [2, 0]);
  });

  test('regression batch: float32 targets [B]', async () => {
    const d = await loadClassificationData({ trainFile: fixture('stsb.json'), labelColumn: 'score' });
    const e = await encodeDataset(d, tok);
    const b = collate(e.train, [1, 3]);
    assert.ok(b.labels instanceof Float32Array);
    assert.deepEqual(Array.from(b.labels), [Math.fround(0.2), 5]);
    // pairs: token type 1 after the first [SEP]
    const firstRow = Array.from(b.tokenTypeIds!.subarray(0, b.seq));
    assert.equal(firstRow[0], 0n);
    assert.ok(firstRow.includes(1n));
  });

  test('an unlabelled split has no labels', async () => {
    const train = tmp.write('l.csv', 'label,text\n1,a\n0,b\n');
    const testFile = tmp.write('nolabel.csv', 'text\nc\n');
    const d = await loadClassificationData({ trainFile: train, testFile });
    const e = await encodeDataset(d, tok);
    assert.equal(collate(e.test!, [0]).labels, undefined);
  });
});

describe('statistics', () => {
  test('rows, dropped, duplicates, overlap, label counts, token-length percentiles, truncation', async () => {
    const s = datasetStats(data, enc);
    assert.equal(s.train.rows, 4);
    assert.equal(s.train.duplicates, 1); // "hello world" twice
    assert.deepEqual(s.train.labelCounts, { neg: 2, pos: 2 });
    assert.equal(s.validation?.overlapWithTrain, 1);
    // full lengths sorted [4, 4, 5, 12]; numpy linear: p50 at 1.5 -> 4.5, p90 at 2.7 -> 5 + 0.7 * 7 = 9.9
    const t = s.train.tokens!;
    assert.equal(t.p50, 4.5);
    assert.ok(Math.abs(t.p90 - 9.9) < 1e-12);
    assert.ok(Math.abs(t.p95 - 10.95) < 1e-12);
    assert.ok(Math.abs(t.p99 - 11.79) < 1e-12);
    assert.equal(t.max, 12);
    assert.equal(t.mean, 6.25);
    assert.equal(t.truncatedRows, 1);
    assert.equal(t.truncatedShare, 0.25);
  });

  test('dropped rows and blank lines are reported', async () => {
    const d = await loadClassificationData({ trainFile: fixture('reviews.csv') });
    const s = datasetStats(d);
    assert.deepEqual(s.train.dropped, { emptyText: 1, emptyLabel: 1 });
    assert.equal(s.train.droppedTotal, 2);
    assert.equal(s.train.emptyRows, 1);
    assert.equal(s.train.readRows, 7);
    assert.equal(s.train.tokens, undefined);
  });

  test('regression targets', async () => {
    const d = await loadClassificationData({ trainFile: fixture('stsb.json'), labelColumn: 'score' });
    const s = datasetStats(d).train.target!;
    assert.equal(s.min, Math.fround(0.2));
    assert.equal(s.max, 5);
    // mean of 4.8, 0.2, 3.75, 5, 4.1 = 17.85 / 5 = 3.57
    assert.ok(Math.abs(s.mean - 3.57) < 1e-6);
  });

  test('percentile (numpy linear)', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});
