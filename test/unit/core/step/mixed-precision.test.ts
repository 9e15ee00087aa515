/**
 * fp16 mixed precision in the training engine (autocast graphs + GradScaler), on the CPU provider
 * (ONNX Runtime runs the float16 nodes through inserted casts, so the float16 roundings are real):
 * it tracks the float32 run, and an overflowing loss scale skips the step and backs off, in both
 * step designs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../../src/core/model/presets.js';
import { type StepMode, TrainingEngine } from '../../../../src/core/step/engine.js';
import { syntheticBatch } from '../../../helpers/batches.js';
import { updateDistance } from '../../../helpers/weights.js';

const VOCAB = 120;

function engine(opts: { fp16: boolean; mode?: StepMode; initScale?: number; growthInterval?: number; dropout?: number }) {
  const d = opts.dropout ?? 0;
  const model = createModel({
    preset: 'bert-tiny',
    vocabSize: VOCAB,
    numLabels: 3,
    seed: 5,
    overrides: { hidden_dropout_prob: d, attention_probs_dropout_prob: d },
  });
  const initial = new Map([...model.weights].map(([n, t]) => [n, Float32Array.from(t.data as Float32Array)]));
  const e = new TrainingEngine({
    config: model.config,
    weights: model.weights,
    threads: 2,
    executionProvider: 'cpu',
    adam: { weightDecay: 0.01 },
    dropoutSeed: 3,
    ...(opts.mode ? { mode: opts.mode } : {}),
    ...(opts.fp16
      ? {
          mixedPrecision: 'fp16' as const,
          gradScaler: { ...(opts.initScale ? { initScale: opts.initScale } : {}), ...(opts.growthInterval ? { growthInterval: opts.growthInterval } : {}) },
        }
      : {}),
  });
  return { e, initial };
}

const batches = [1, 2, 3].map((seed) => syntheticBatch({ batch: 6, seq: 14, vocab: VOCAB, numLabels: 3, seed, ragged: true }));

describe('fp16 mixed precision', () => {
  for (const mode of ['grads', 'fused'] as const) {
    test(`${mode}: 6 steps track the float32 run (loss, grad norm, weights)`, async () => {
      const full = engine({ fp16: false, mode, dropout: 0.1 });
      const half = engine({ fp16: true, mode, dropout: 0.1 });
      assert.ok(half.e.mixedPrecision);
      const lr = 1e-3;
      for (let step = 0; step < 6; step++) {
        const b = batches[step % 3]!;
        const [h, f] = [await half.e.trainStep([b], lr), await full.e.trainStep([b], lr)];
        assert.equal(h.skipped, false);
        assert.ok(Math.abs(h.loss - f.loss) <= 2e-3 * f.loss, `step ${step}: loss ${h.loss} in fp16, ${f.loss} in fp32`);
        assert.ok(Math.abs(h.gradNorm - f.gradNorm) <= 1e-2 * f.gradNorm, `step ${step}: grad norm ${h.gradNorm} vs ${f.gradNorm}`);
      }
      assert.equal(half.e.optimizer.state.step, 6);
      assert.equal(half.e.scaler!.scale, 65536);
      // How far fp16 lands from fp32, against how far training moved the weights.
      const ratio = updateDistance(half.e.weights, full.e.weights, full.initial);
      assert.ok(ratio <= 0.1, `fp16 weights are ${ratio} of the update away from fp32's`);
      assert.ok(ratio > 0, 'fp16 weights equal fp32 weights bit for bit: no float16 arithmetic ran');
      await half.e.dispose();
      await full.e.dispose();
    });

    test(`${mode}: an overflowing loss scale skips the step, leaves weights and moments, and backs off`, async () => {
      const { e, initial } = engine({ fp16: true, mode, initScale: 2 ** 40 });
      const r = await e.trainStep([batches[0]!], 1e-3);
      assert.equal(r.skipped, true);
      assert.ok(!Number.isFinite(r.gradNorm));
      assert.ok(Number.isFinite(r.loss), 'the loss itself is float32 and finite');
      assert.equal(e.optimizer.state.step, 0);
      assert.equal(e.scaler!.scale, 2 ** 39);
      for (const [n, t] of e.weights) assert.deepEqual(t.data, initial.get(n), `${n} changed on a skipped step`);
      for (const m of e.optimizer.state.m.values()) assert.ok(m.every((x) => x === 0));
      // Backing off reaches a scale float16 holds; from there steps are taken.
      let skips = 1;
      let taken = 0;
      for (let i = 0; i < 40 && taken < 2; i++) {
        const s = await e.trainStep([batches[i % 3]!], 1e-3);
        if (s.skipped) skips++;
        else taken++;
      }
      assert.equal(taken, 2);
      assert.equal(e.optimizer.state.step, 2);
      assert.equal(e.scaler!.scale, 2 ** (40 - skips));
      assert.ok(e.scaler!.scale <= 2 ** 30, `scale ${e.scaler!.scale}`);
      await e.dispose();
    });
  }

  test('the scale grows after growth_interval finite steps; gradient accumulation unscales once', async () => {
    const { e } = engine({ fp16: true, initScale: 1024, growthInterval: 2 });
    const scales: number[] = [];
    for (let i = 0; i < 4; i++) {
      await e.trainStep([batches[i % 3]!, batches[(i + 1) % 3]!], 1e-3);
      scales.push(e.scaler!.scale);
    }
    assert.deepEqual(scales, [1024, 2048, 2048, 4096]);
    // Same micro-batches in float32: the unscaled gradient norm matches.
    const full = engine({ fp16: false });
    const half = engine({ fp16: true, initScale: 4096 });
    const [h, f] = [await half.e.trainStep([batches[0]!, batches[1]!], 1e-3), await full.e.trainStep([batches[0]!, batches[1]!], 1e-3)];
    assert.ok(Math.abs(h.gradNorm - f.gradNorm) <= 1e-2 * f.gradNorm, `grad norm ${h.gradNorm} vs ${f.gradNorm}`);
    for (const x of [e, full.e, half.e]) await x.dispose();
  });
});
