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

test('a product with a number (as dimProduct writes it) resolves at run time: the number is a coefficient, not a symbol', async () => {
  const { GraphBuilder } = await import('../../../../src/core/engine/graph.js');
  const { serialize } = await import('../../../../src/core/engine/onnx/serialize.js');
  const { createSession } = await import('../../../../src/core/engine/runtime.js');
  const g = new GraphBuilder('dims');
  const x = g.input('x', 'float32', ['batch', 'seq', 3]);
  const n = dimProduct(x.shape);
  assert.equal(n, '3*batch*seq');
  g.output(g.reshape(g.expand(g.reshape(x, [n, 1]), [n, 2]), [n, 2]), 'y');
  const s = await createSession(serialize(g), { threads: 1 });
  const out = await s.run({ x: { dtype: 'float32', dims: [2, 5, 3], data: new Float32Array(30).fill(1) } });
  await s.dispose();
  assert.deepEqual(out.y!.dims, [30, 2]);
});
