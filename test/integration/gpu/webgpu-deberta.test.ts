/**
 * DeBERTa-v3 (the deberta-v3-tiny preset) on the WebGPU path: the relative-position index work, the
 * relative shift (negative Pad) and the head-major attention run with the weights and moments on the
 * device, and 6 steps agree with the CPU path. Skipped, saying why, where there is no WebGPU adapter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../src/core/model/presets.js';
import { type Batch, TrainingEngine } from '../../../src/core/step/engine.js';
import { syntheticBatch } from '../../helpers/batches.js';
import { webgpuUnavailable } from '../../helpers/webgpu.js';

const VOCAB = 150;
const skip = await webgpuUnavailable();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('WebGPU training of a DeBERTa-v3 model', { skip }, () => {
  test('weights and moments stay on the device; after 6 steps they agree with the CPU path', async () => {
    const make = (executionProvider: 'cpu' | 'webgpu'): TrainingEngine => {
      const model = createModel({ preset: 'deberta-v3-tiny', vocabSize: VOCAB, numLabels: 3, seed: 7 });
      return new TrainingEngine({
        config: model.config,
        weights: model.weights,
        threads: 2,
        executionProvider,
        adam: { weightDecay: 0.01, maxGradNorm: 1 },
        dropoutSeed: 11,
      });
    };
    const [cpu, gpu] = [make('cpu'), make('webgpu')];
    try {
      assert.equal(gpu.mode, 'device');
      const batches: Batch[] = [1, 2, 3].map((seed) => syntheticBatch({ batch: 5, seq: 12, vocab: VOCAB, numLabels: 3, seed, ragged: true }));
      const lr = 1e-3;
      for (let step = 0; step < 6; step++) {
        const b = batches[step % 3]!;
        const g = await gpu.trainStep([b], lr);
        const c = await cpu.trainStep([b], lr);
        assert.ok(Math.abs(g.loss - c.loss) <= 1e-5, `step ${step}: loss ${g.loss} on WebGPU, ${c.loss} on the CPU`);
        assert.ok(Math.abs(g.gradNorm - c.gradNorm) <= 1e-4 * c.gradNorm, `step ${step}: grad norm ${g.gradNorm} vs ${c.gradNorm}`);
      }
      assert.equal(gpu.deviceResident, gpu.trainable.length * 3);
      await gpu.sync();
      const [gw, cw] = [gpu.weights, cpu.weights];
      for (const [n, t] of cw) {
        const d = maxAbsDiff(gw.get(n)!.data as Float32Array, t.data as Float32Array);
        assert.ok(d <= 0.05 * lr, `${n} differs by ${d}`); // 5% of one Adam step
      }
    } finally {
      await gpu.dispose();
      await cpu.dispose();
    }
  });
});
