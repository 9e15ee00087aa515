/** The explanation text both ends show: signed values, the top words, the reading note, the completeness check. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  completenessNote,
  needsMoreSteps,
  readingNote,
  shortReading,
  signed,
  topWords,
  type TextReading,
  type WordAttribution,
} from '../../../src/protocol/explain.js';

const word = (text: string, attribution: number, start = 0): WordAttribution => ({ text, start, end: start + text.length, sequence: 0, attribution });

describe('explanation text', () => {
  const signs: [number, number, string][] = [
    [0.4123, 3, '+0.412'],
    [-0.05, 3, '−0.050'],
    [0, 3, '+0.000'],
    [-0.00001, 3, '+0.000'],
    [-1.5, 1, '−1.5'],
  ];
  for (const [a, digits, want] of signs) test(`signed(${a}, ${digits}) = ${want}`, () => assert.equal(signed(a, digits), want));

  test('topWords: the strongest each way, in order, at most n and `against`', () => {
    const ws = [word('a', 0.1), word('b', -0.5), word('c', 0.9), word('d', 0), word('e', -0.2), word('f', 0.3), word('g', -0.01)];
    const top = topWords(ws, 2, 2);
    assert.deepEqual(
      top.for.map((w) => w.text),
      ['c', 'f'],
    );
    assert.deepEqual(
      top.against.map((w) => w.text),
      ['b', 'e'],
    );
    assert.deepEqual(topWords([word('x', 0)]), { for: [], against: [] });
  });

  const read = (r: Partial<TextReading>): TextReading => ({
    mode: 'truncate',
    aggregation: 'mean',
    maxLength: 128,
    chunks: 1,
    tokens: 40,
    tokensRead: 40,
    ...r,
  });
  const notes: [string, TextReading | undefined, string][] = [
    ['no reading', undefined, ''],
    ['read whole', read({}), ''],
    [
      'sliding windows',
      read({ mode: 'sliding_window', chunks: 3, tokens: 300, tokensRead: 300 }),
      'read in 3 chunks of 128 tokens (sliding_window, mean of the chunks)',
    ],
    ['sliding, max', read({ mode: 'sliding_window', aggregation: 'max', chunks: 2 }), 'read in 2 chunks of 128 tokens (sliding_window, max of the chunks)'],
    ['one window covers a short text', read({ mode: 'sliding_window' }), ''],
    ['truncated', read({ tokens: 300, tokensRead: 126 }), 'read 126 of 300 tokens (truncate at max_seq_length 128)'],
    [
      'head + tail',
      read({ mode: 'head_tail', tokens: 300, tokensRead: 126 }),
      'read its first and last tokens, 126 of 300 tokens (head_tail at max_seq_length 128)',
    ],
  ];
  for (const [name, r, want] of notes) test(`readingNote: ${name}`, () => assert.equal(readingNote(r), want));

  const short: [TextReading | undefined, string][] = [
    [undefined, ''],
    [read({}), ''],
    [read({ mode: 'sliding_window', chunks: 3 }), '3 chunks'],
    [read({ tokens: 300, tokensRead: 126 }), '126 of 300 tokens'],
  ];
  for (const [r, want] of short) test(`shortReading: "${want}"`, () => assert.equal(shortReading(r), want));

  const checks: [number, number, boolean][] = [
    [2.0, 0.05, false],
    [2.0, -0.1, false],
    [2.0, 0.2, true],
    [0.05, 0.009, false],
    [0.05, 0.02, true],
  ];
  for (const [gap, delta, want] of checks)
    test(`needsMoreSteps(gap ${gap}, delta ${delta}) = ${want}`, () => assert.equal(needsMoreSteps({ logit_gap: gap, delta }), want));

  test('completenessNote', () => {
    assert.equal(completenessNote({ logit_gap: 2.35, delta: -0.04, steps: 32 }), 'attributions sum to 2.310, the logit gap is 2.350 (delta −0.040; 32 steps)');
  });
});
