/** Classify Selection's hover text: the scores, the reading, the top words each way, the completeness check and the cost. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TextExplanation } from '../../../src/protocol/explain.js';
import type { Prediction } from '../../../src/protocol/worker.js';
import { code, hoverMarkdown } from '../../../src/extension/explain-text.js';

const P: Prediction = {
  text: 'the food was wonderful but cold',
  scores: [
    { label: 'pos', score: 0.931 },
    { label: 'neg', score: 0.069 },
  ],
};

const w = (text: string, attribution: number) => ({ text, start: 0, end: text.length, sequence: 0 as const, attribution });
const E: TextExplanation = {
  text: P.text,
  label: 'pos',
  score: 0.931,
  words: [w('the', 0.01), w('food', 0.2), w('was', -0.02), w('wonderful', 1.1), w('but', -0.3), w('cold', -0.5)],
  unread: [],
  logit_gap: 0.5,
  delta: -0.01,
  steps: 32,
  chunks: 1,
  read: { mode: 'truncate', aggregation: 'mean', maxLength: 128, chunks: 1, tokens: 6, tokensRead: 6 },
  seconds: 0.3,
};

describe('classify hover', () => {
  test('scores, top words toward the label and against, the check; no cost when quick', () => {
    assert.equal(
      hoverMarkdown(P, 'reviews-run', E),
      [
        '**pos 93.1%** · neg 6.9% — Finetune, reviews-run',
        'Top words toward **pos**: `wonderful` +1.100 · `food` +0.200 · `the` +0.010',
        'Against: `cold` −0.500 · `but` −0.300 · `was` −0.020',
        '_Integrated Gradients: attributions sum to 0.490, the logit gap is 0.500 (delta −0.010; 32 steps)_',
      ].join('\n\n'),
    );
  });

  test('a slow explanation says its cost and the setting; a text read in chunks says so', () => {
    const read = { mode: 'sliding_window' as const, aggregation: 'mean' as const, maxLength: 32, chunks: 4, tokens: 90, tokensRead: 90 };
    const md = hoverMarkdown({ ...P, read }, 'm', { ...E, seconds: 2.34, chunks: 4, read });
    assert.match(md, /\n\nRead in 4 chunks of 32 tokens \(sliding_window, mean of the chunks\)\.\n\n/);
    assert.match(md, /; 2\.3 s \(the finetune\.igSteps setting sets the steps\)_$/);
  });

  test('no word toward the label; an error instead of an explanation', () => {
    assert.match(hoverMarkdown(P, 'm', { ...E, words: [w('cold', -0.5)] }), /No word pushes toward \*\*pos\*\*\.\n\nAgainst: `cold` −0\.500/);
    assert.equal(hoverMarkdown(P, 'm', { error: 'the worker exited' }), '**pos 93.1%** · neg 6.9% — Finetune, m\n\nNo explanation: the worker exited');
  });

  test('a regression model: the words that raise its value and lower it', () => {
    const md = hoverMarkdown({ ...P, scores: [{ label: 'value', score: 3.2 }] }, 'm', { ...E, label: 'value', regression: true, score: 3.2 });
    assert.match(md, /\n\nWords raising the value: `wonderful` \+1\.100 · `food` \+0\.200 · `the` \+0\.010\n\nLowering it: `cold` −0\.500/);
  });

  test('words as inline code, backticks fenced', () => {
    assert.equal(code('great'), '`great`');
    assert.equal(code('a`b'), '`` a`b ``');
  });
});
