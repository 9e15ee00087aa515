import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../../src/core/model/presets.js';
import { TrainingEngine } from '../../../../src/core/step/engine.js';
import { syntheticBatch } from '../../../helpers/batches.js';
import { MaskDrawer, fillMaskScalar, keepThreshold, maskKernelAvailable, maskKey, noiseScale } from '../../../../src/core/step/dropout-masks.js';

/** The hash spelled out once more, independently of the module: lowbias32. */
function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

describe('dropout masks', () => {
  test('the SIMD kernel is available here and draws exactly the scalar definition', () => {
    assert.ok(maskKernelAvailable(), 'WebAssembly SIMD is expected on Node 20');
    const simd = new MaskDrawer(true);
    const scalar = new MaskDrawer(false);
    // Lengths around the 16-lane step, and two draws in one run (the second starts mid-buffer).
    for (const [n, p] of [
      [1, 0.5],
      [15, 0.1],
      [16, 0.1],
      [17, 0.9],
      [1000, 0.25],
      [65_543, 0.1],
    ] as const) {
      const key = maskKey(42, n, 3);
      simd.reset([7, n]);
      scalar.reset([7, n]);
      simd.draw(7, 1, keepThreshold(0.5));
      scalar.draw(7, 1, keepThreshold(0.5));
      const a = simd.draw(n, key, keepThreshold(p));
      const b = scalar.draw(n, key, keepThreshold(p));
      assert.equal(a.length, n);
      assert.deepEqual(Array.from(a), Array.from(b), `n ${n} p ${p}`);
    }
  });

  test('float32 noise is the same mask times float32(1 / float32(1 - p)), SIMD and scalar, after a mask in one run', () => {
    for (const [n, p] of [
      [1, 0.5],
      [15, 0.1],
      [17, 0.9],
      [1000, 0.25],
      [65_543, 0.1],
    ] as const) {
      const key = maskKey(3, n, 1);
      const scale = noiseScale(p);
      assert.equal(scale, new Float32Array([1 / new Float32Array([1 - p])[0]!])[0], 'the float32 division the graph does');
      for (const simd of [true, false]) {
        const d = new MaskDrawer(simd);
        d.reset([5, n, n], [false, true, false]);
        d.draw(5, 9, keepThreshold(0.5));
        const noise = d.drawNoise(n, key, keepThreshold(p), scale);
        const mask = d.draw(n, key, keepThreshold(p));
        assert.equal(noise.length, n);
        assert.deepEqual(
          Array.from(noise),
          Array.from(mask, (m) => (m ? scale : 0)),
          `n ${n} p ${p} simd ${simd}`,
        );
      }
    }
  });

  test('element i keeps iff lowbias32(lowbias32(i) ^ key) >= round(p * 2^32)', () => {
    const out = new Uint8Array(64);
    const key = maskKey(7, 0, 0);
    fillMaskScalar(out, key, keepThreshold(0.3));
    for (let i = 0; i < 64; i++) assert.equal(out[i], lowbias32((lowbias32(i) ^ key) >>> 0) >= Math.round(0.3 * 2 ** 32) ? 1 : 0, `element ${i}`);
  });

  test('a mask keeps 1 - p of its elements', () => {
    const d = new MaskDrawer();
    const n = 1 << 20;
    for (const p of [0.1, 0.5, 0.9]) {
      d.reset([n]);
      const m = d.draw(n, maskKey(1, 2, 3), keepThreshold(p));
      let kept = 0;
      for (const v of m) kept += v;
      // 5 standard deviations of a binomial draw
      const sd = Math.sqrt((p * (1 - p)) / n);
      assert.ok(Math.abs(kept / n - (1 - p)) < 5 * sd, `p ${p}: kept ${kept / n}`);
      assert.ok(m.every((v) => v === 0 || v === 1));
    }
  });

  test('seeds, runs and sites draw unrelated masks; the same triple draws the same mask', () => {
    const d = new MaskDrawer();
    const n = 4096;
    const draw = (seed: number, run: number, site: number): Uint8Array => {
      d.reset([n]);
      return d.draw(n, maskKey(seed, run, site), keepThreshold(0.5)).slice();
    };
    const base = draw(5, 10, 2);
    assert.deepEqual(draw(5, 10, 2), base);
    for (const other of [draw(6, 10, 2), draw(5, 11, 2), draw(5, 10, 3), draw(5, 10 + 2 ** 32, 2)]) {
      let same = 0;
      for (let i = 0; i < n; i++) same += other[i] === base[i] ? 1 : 0;
      // Unrelated fair coins agree on about half the elements.
      assert.ok(Math.abs(same / n - 0.5) < 0.05, `agreement ${same / n}`);
    }
    assert.equal(new Set([maskKey(0, 0, 0), maskKey(0, 0, 1), maskKey(0, 1, 0), maskKey(1, 0, 0)]).size, 4);
  });

  test('probabilities outside [0, 1) and draws past reset() are refused', () => {
    assert.throws(() => keepThreshold(1), /\[0, 1\)/);
    assert.throws(() => keepThreshold(-0.1), /\[0, 1\)/);
    assert.throws(() => keepThreshold(Number.NaN), /\[0, 1\)/);
    assert.equal(keepThreshold(0), 0);
    const d = new MaskDrawer();
    d.reset([10]);
    d.draw(10, 1, keepThreshold(0.5));
    assert.throws(() => d.draw(200_000, 1, keepThreshold(0.5)), /reset\(\)/);
  });
  test('dropout noise drawn on the host gives the gradients bool masks give, bit for bit (dropout on)', async () => {
    const run = async (dropoutNoise: boolean) => {
      const model = createModel({ preset: 'bert-tiny', vocabSize: 90, numLabels: 3, seed: 5 });
      const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 1, dropoutSeed: 11, dropoutNoise });
      await engine.accumulate(syntheticBatch({ batch: 4, seq: 9, vocab: 90, numLabels: 3, ragged: true, tokenTypes: true, seed: 6 }), 1, true);
      const grads = new Map(engine.trainable.map((n) => [n, engine.gradient(n)!.slice()]));
      await engine.dispose();
      return grads;
    };
    const masks = await run(false);
    const noise = await run(true);
    for (const [n, g] of masks) assert.deepEqual(noise.get(n), g, n);
  });
});
