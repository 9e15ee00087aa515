/** The worker's explanation view: the parts of a text the model did not read, how it read it, the core's explanation as the extension shows it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Explanation } from '../../../src/core/predict/explain.js';
import { explanationView, readingOf, unreadSpans } from '../../../src/worker/explain.js';

describe('unreadSpans', () => {
  const text = 'one two three four five';
  const table: [string, [number, number][], [number, number][]][] = [
    [
      'all read',
      [
        [0, 3],
        [4, 7],
        [8, 13],
        [14, 18],
        [19, 23],
      ],
      [],
    ],
    [
      'truncated: the tail',
      [
        [0, 3],
        [4, 7],
      ],
      [[7, 23]],
    ],
    [
      'head + tail: the middle',
      [
        [0, 3],
        [19, 23],
      ],
      [[3, 19]],
    ],
    [
      'every skipped stretch',
      [
        [0, 3],
        [8, 13],
      ],
      [
        [3, 8],
        [13, 23],
      ],
    ],
    ['nothing read', [], [[0, 23]]],
  ];
  for (const [name, offsets, want] of table)
    test(name, () =>
      assert.deepEqual(
        unreadSpans(text, offsets, 0),
        want.map(([start, end]) => ({ sequence: 0, start, end })),
      ),
    );
  test('trailing white space alone is not unread; the pair keeps its sequence', () => {
    assert.deepEqual(unreadSpans('ab  ', [[0, 2]], 1), []);
    assert.deepEqual(unreadSpans('ab cd', [[0, 2]], 1), [{ sequence: 1, start: 2, end: 5 }]);
  });
});

test('readingOf: the settings and the counts', () => {
  assert.deepEqual(
    readingOf({ chunks: 3, tokens: 90, tokensRead: 90 }, { longText: { mode: 'sliding_window', docStride: 8 }, aggregation: 'max', maxLength: 32 }),
    { mode: 'sliding_window', aggregation: 'max', maxLength: 32, chunks: 3, tokens: 90, tokensRead: 90 },
  );
});

test('explanationView: the words, the unread parts of each text, the checks, the reading and the time', () => {
  const e: Explanation = {
    text: 'good food here',
    pair: 'yes it is',
    label: 'pos',
    score: 0.9,
    tokens: ['good', 'food', 'yes'],
    offsets: [
      [0, 4],
      [5, 9],
      [0, 3],
    ],
    sequence: [0, 0, 1],
    attributions: [0.5, 0.25, -0.1],
    logit_gap: 0.7,
    delta: -0.05,
    words: [
      { text: 'good', start: 0, end: 4, sequence: 0, attribution: 0.5, tokens: [0, 0] },
      { text: 'food', start: 5, end: 9, sequence: 0, attribution: 0.25, tokens: [1, 1] },
      { text: 'yes', start: 0, end: 3, sequence: 1, attribution: -0.1, tokens: [2, 2] },
    ],
    chunks: 1,
    steps: 16,
  };
  const read = { mode: 'truncate' as const, aggregation: 'mean' as const, maxLength: 6, chunks: 1, tokens: 6, tokensRead: 3 };
  const v = explanationView(e, read, 1.5);
  assert.deepEqual(v, {
    text: 'good food here',
    pair: 'yes it is',
    label: 'pos',
    score: 0.9,
    words: [
      { text: 'good', start: 0, end: 4, sequence: 0, attribution: 0.5 },
      { text: 'food', start: 5, end: 9, sequence: 0, attribution: 0.25 },
      { text: 'yes', start: 0, end: 3, sequence: 1, attribution: -0.1 },
    ],
    unread: [
      { sequence: 0, start: 9, end: 14 },
      { sequence: 1, start: 3, end: 9 },
    ],
    logit_gap: 0.7,
    delta: -0.05,
    steps: 16,
    chunks: 1,
    read,
    seconds: 1.5,
  });
  assert.equal(explanationView({ ...e, label: 'value' }, read, 1.5, true).regression, true);
});
