/**
 * The ONNX Runtime fact exact resume relies on: a Dropout kernel is seeded from its `seed`
 * attribute and advances that seed by one per run, so run k (from 0) of a session created with
 * seed s draws the mask that run 0 of a session created with seed s + k draws.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import { type DType, tensor } from '../../../../src/core/engine/tensor.js';

const N = 128;

function dropoutModel(seed: number, dtype: DType): Uint8Array {
  const g = new GraphBuilder('dropout_seed');
  const x = g.input('x', dtype, [N]);
  const [y, mask] = g.dropout(x, 0.5, seed);
  g.output(y, 'y');
  g.output(mask, 'mask');
  return serialize(g);
}

async function masks(seed: number, runs: number, dtype: DType): Promise<string[]> {
  const session = await createSession(dropoutModel(seed, dtype), { threads: 1 });
  try {
    const x = tensor(dtype, [N], Array.from({ length: N }, (_, i) => i + 1));
    const out: string[] = [];
    for (let k = 0; k < runs; k++) out.push(Array.from((await session.run({ x }, ['mask'])).mask!.data as Uint8Array).join(''));
    return out;
  } finally {
    await session.dispose();
  }
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`${dtype}: the second run of seed s draws the first mask of seed s+1`, async () => {
    for (const s of [5, 1234]) {
      const [m1, m2, m3] = await masks(s, 3, dtype);
      const [next] = await masks(s + 1, 1, dtype);
      const [twoOn] = await masks(s + 2, 1, dtype);
      assert.notEqual(m1, m2, 'successive runs of one session draw different masks');
      assert.equal(next, m2, `seed ${s + 1} run 1 != seed ${s} run 2`);
      assert.equal(twoOn, m3, `seed ${s + 2} run 1 != seed ${s} run 3`);
      // A fresh session with the same seed repeats the sequence.
      assert.deepEqual(await masks(s, 2, dtype), [m1, m2]);
    }
  });
}
