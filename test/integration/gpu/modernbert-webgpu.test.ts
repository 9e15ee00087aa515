/**
 * ModernBERT on the WebGPU training path (weights on the device), with attention and MLP dropout and
 * rows longer than the sliding window: the losses and gradient norms agree with the CPU path.
 * Skipped, saying why, where there is no WebGPU adapter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../src/core/model/presets.js';
import { TrainingEngine } from '../../../src/core/step/engine.js';
import { syntheticBatch } from '../../helpers/batches.js';
import { webgpuUnavailable } from '../../helpers/webgpu.js';

const skip = await webgpuUnavailable();

describe('ModernBERT on WebGPU', { skip }, () => {
  test('4 steps (window 32, rows up to 70 tokens, dropout 0.1) agree with the CPU path', async () => {
    const make = (executionProvider: 'cpu' | 'webgpu') => {
      const model = createModel({
        preset: 'modernbert-tiny',
        vocabSize: 150,
        numLabels: 3,
        seed: 7,
        overrides: { hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 },
      });
      return new TrainingEngine({
        config: model.config,
        weights: model.weights,
        threads: 2,
        executionProvider,
        adam: { weightDecay: 0.01, maxGradNorm: 1 },
        dropoutSeed: 11,
      });
    };
    const cpu = make('cpu');
    const gpu = make('webgpu');
    try {
      assert.equal(gpu.mode, 'device');
      for (let step = 0; step < 4; step++) {
        const b = syntheticBatch({ batch: 5, seq: 70, vocab: 150, numLabels: 3, seed: step + 1, ragged: true });
        const g = await gpu.trainStep([b], 1e-3);
        const c = await cpu.trainStep([b], 1e-3);
        assert.ok(Math.abs(g.loss - c.loss) <= 1e-5 * Math.max(1, c.loss), `step ${step}: loss ${g.loss} on WebGPU, ${c.loss} on the CPU`);
        assert.ok(Math.abs(g.gradNorm - c.gradNorm) <= 1e-4 * c.gradNorm, `step ${step}: grad norm ${g.gradNorm} vs ${c.gradNorm}`);
      }
    } finally {
      await cpu.dispose();
      await gpu.dispose();
    }
  });
});
