import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Dim, dimProduct, evalDim } from '../../../../src/core/engine/graph.js';

const symbols = { batch: 4, seq: 7, tokens: 19 };

test('evalDim: numbers, symbols, products and sums of them', () => {
  const cases: [Dim, number][] = [
    [128, 128],
    ['batch', 4],
    ['batch*seq', 28],
    ['2*batch*seq', 56],
    [dimProduct(['batch', 'seq', 3]), 84],
    ['tokens+batch', 23],
    ['batch*seq+2', 30],
  ];
  for (const [d, want] of cases) assert.equal(evalDim(d, symbols), want, String(d));
});

test('evalDim: a symbol without a value is an error naming it', () => {
  assert.throws(() => evalDim('batch*heads', symbols), /dim batch\*heads: no value for heads/);
});
