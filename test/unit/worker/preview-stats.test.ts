/** The dataset preview's figures from the cells: words, histogram, label counts and the warnings. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countLabels,
  duplicateWarning,
  example,
  histogram,
  labelWarnings,
  leakageWarning,
  truncationWarning,
  wordCount,
} from '../../../src/worker/preview-stats.js';

describe('wordCount', () => {
  const cases: [string, number][] = [
    ['the food was great', 4],
    ['  spaced   out  ', 2],
    ['很快，好吃', 4],
    ['送餐 fast!', 3],
    ['— !!', 0],
    ['', 0],
    ['I paid $12.50', 3],
  ];
  for (const [text, want] of cases) test(JSON.stringify(text), () => assert.equal(wordCount(text), want));
});

describe('histogram', () => {
  test('words: buckets from 1 to the longest, counts add up, percentiles', () => {
    const h = histogram([1, 2, 2, 3, 10], 'words');
    assert.equal(h.unit, 'words');
    assert.deepEqual(h.buckets, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(h.counts, [1, 2, 1, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal(h.p50, 2);
    assert.equal(h.max, 10);
    assert.equal(h.maxSeqLength, undefined);
  });
  test('tokens: the buckets reach past max_seq_length; the share over it', () => {
    const h = histogram([10, 20, 30, 200], 'tokens', 64);
    assert.equal(h.buckets.at(-1)! >= 200, true);
    assert.equal(
      h.counts.reduce((a, b) => a + b, 0),
      4,
    );
    assert.equal(h.maxSeqLength, 64);
    assert.equal(h.truncatedShare, 0.25);
  });
  test('tokens: a limit far past every row is not drawn to (the bars would be a sliver)', () => {
    const h = histogram([5, 8, 10], 'tokens', 128);
    assert.equal(h.buckets.at(-1), 10);
    assert.equal(h.maxSeqLength, 128);
    assert.equal(h.truncatedShare, 0);
    assert.equal(histogram([5, 8, 70], 'tokens', 128).buckets.at(-1)! >= 128, true);
  });
  test('no rows', () => assert.deepEqual(histogram([], 'words').counts, [0]));
});

test('countLabels: empty labels left out, trimmed; names most frequent first (integer names in their own order, as objects keep them)', () => {
  assert.deepEqual(countLabels(['1', '0', '1', ' ', '1 ', '2']), { '0': 1, '1': 3, '2': 1 });
  assert.deepEqual(Object.keys(countLabels(['ham', 'spam', 'spam', 'eggs'])), ['spam', 'eggs', 'ham']);
});

describe('labelWarnings', () => {
  test('one label: says what to do, with the count', () => {
    const [w] = labelWarnings({ '1': 60 }, 'label', 60);
    assert.equal(w!.kind, 'one-label');
    assert.equal(w!.count, 60);
    assert.match(w!.message, /Every row has the label "1" in the column "label"/);
    assert.deepEqual(w!.examples, ['1: 60 of 60 rows']);
  });
  const cases: [string, Record<string, number>, string[]][] = [
    ['balanced: nothing', { a: 50, b: 40 }, []],
    ['3:1 is imbalanced', { a: 75, b: 25 }, ['imbalance']],
    ['2.9:1 is not', { a: 29, b: 10 }, []],
    ['no labels', {}, []],
  ];
  for (const [name, counts, kinds] of cases)
    test(name, () =>
      assert.deepEqual(
        labelWarnings(counts, 'label', 100).map((w) => w.kind),
        kinds,
      ),
    );
  test('imbalance names the labels and the ratio', () => {
    const [w] = labelWarnings({ ham: 1750, spam: 250 }, 'label', 2000);
    assert.match(w!.message, /"ham" has 7\.0× the rows of "spam"/);
    assert.equal(w!.count, 250);
  });
});

test('duplicateWarning: count and the first repeated texts', () => {
  const keys = ['a', 'b', 'a', 'c', 'a', 'b'];
  const w = duplicateWarning(keys, keys);
  assert.equal(w?.count, 3);
  assert.deepEqual(w?.examples, ['a', 'b']);
  assert.equal(duplicateWarning(['a', 'b'], ['a', 'b']), undefined);
});

test('leakageWarning: validation rows also in training', () => {
  const w = leakageWarning(['a', 'b', 'c'], ['c', 'd', 'a'], ['C', 'D', 'A'], 'a 10% split');
  assert.equal(w?.count, 2);
  assert.deepEqual(w?.examples, ['C', 'A']);
  assert.match(w!.message, /2 of 3 validation rows \(a 10% split\)/);
  assert.equal(leakageWarning(['a'], ['b'], ['b'], 'x'), undefined);
});

test('truncationWarning: the longest rows first', () => {
  const w = truncationWarning([10, 300, 129, 50], ['s', 'long', 'just over', 'm'], 128);
  assert.equal(w?.count, 2);
  assert.deepEqual(w?.examples, ['300 tokens: long', '129 tokens: just over']);
  assert.equal(truncationWarning([1, 2], ['a', 'b'], 128), undefined);
});

test('example: one line, 80 characters at most', () => {
  assert.equal(example('a\n b\tc'), 'a b c');
  assert.equal(example('x'.repeat(100)).length, 80);
});
