import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdamW, clipCoefficient, globalNorm } from '../../../../src/core/step/adamw.js';
import { learningRate, lrLambda, type ScheduleOptions, warmupSteps } from '../../../../src/core/train/schedule.js';

describe('learning-rate schedules (transformers get_scheduler semantics)', () => {
  const table: { opts: ScheduleOptions; steps: number[]; expect: number[] }[] = [
    { opts: { type: 'linear', warmupSteps: 0, totalSteps: 10 }, steps: [0, 1, 5, 9, 10, 12], expect: [1, 0.9, 0.5, 0.1, 0, 0] },
    { opts: { type: 'linear', warmupSteps: 4, totalSteps: 12 }, steps: [0, 1, 2, 4, 8, 12], expect: [0, 0.25, 0.5, 1, 0.5, 0] },
    { opts: { type: 'constant', warmupSteps: 3, totalSteps: 10 }, steps: [0, 5, 10], expect: [1, 1, 1] },
    { opts: { type: 'constant_with_warmup', warmupSteps: 4, totalSteps: 10 }, steps: [0, 2, 4, 9], expect: [0, 0.5, 1, 1] },
    // cosine: 0.5 * (1 + cos(pi * progress)) after warmup
    { opts: { type: 'cosine', warmupSteps: 2, totalSteps: 10 }, steps: [0, 1, 2, 6, 10], expect: [0, 0.5, 1, 0.5, 0] },
  ];
  for (const row of table) {
    test(`${row.opts.type} warmup ${row.opts.warmupSteps}`, () => {
      row.steps.forEach((s, i) =>
        assert.ok(Math.abs(lrLambda(row.opts, s) - row.expect[i]!) < 1e-12, `step ${s}: ${lrLambda(row.opts, s)} != ${row.expect[i]}`),
      );
    });
  }
  test('warmup steps: explicit steps win over the ratio, the ratio rounds up', () => {
    assert.equal(warmupSteps(100, 7, 0.5), 7);
    assert.equal(warmupSteps(101, 0, 0.1), 11);
    assert.equal(warmupSteps(100, 0, 0), 0);
    assert.ok(Math.abs(learningRate(2e-5, { type: 'linear', warmupSteps: 0, totalSteps: 4 }, 1) - 1.5e-5) < 1e-20);
  });
});

describe('clip_grad_norm_ + AdamW (torch semantics)', () => {
  test('global norm and clip coefficient', () => {
    assert.equal(globalNorm([Float32Array.of(3), Float32Array.of(4)]), 5);
    assert.equal(clipCoefficient(5, 1), 1 / (5 + 1e-6));
    assert.equal(clipCoefficient(0.5, 1), 1);
    assert.equal(clipCoefficient(10, 0), 1);
  });

  test('three steps against an independent float64 computation', () => {
    // Two parameters: a weight (decayed) and a bias (not decayed, Trainer's rule).
    const names = ['layer.dense.weight', 'layer.dense.bias'];
    const p0 = [Float32Array.of(0.5, -1.25, 2), Float32Array.of(0.1, -0.2)];
    const grads = [
      [Float32Array.of(3, -1, 0.5), Float32Array.of(2, 2)],
      [Float32Array.of(0.01, 0.02, -0.03), Float32Array.of(-0.01, 0.005)],
      [Float32Array.of(-4, 4, 1), Float32Array.of(0, 1)],
    ];
    const lrs = [1e-3, 5e-4, 2.5e-4];
    const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };
    const opt = new AdamW(
      o,
      names.map((n, i) => [n, p0[i]!.length]),
    );
    const params = new Map(names.map((n, i) => [n, Float32Array.from(p0[i]!)]));

    // Reference, written out step by step.
    const ref = p0.map((p) => Array.from(p));
    const m = p0.map((p) => new Array<number>(p.length).fill(0));
    const v = p0.map((p) => new Array<number>(p.length).fill(0));
    for (let t = 1; t <= 3; t++) {
      const g = grads[t - 1]!.map((a) => Array.from(a));
      const norm = Math.sqrt(g.flat().reduce((s, x) => s + x * x, 0));
      const coef = Math.min(1, 1 / (norm + 1e-6));
      const gotNorm = opt.step(params, new Map(names.map((n, i) => [n, grads[t - 1]![i]!])), lrs[t - 1]!);
      assert.ok(Math.abs(gotNorm - norm) < 1e-6, `step ${t} grad norm ${gotNorm} vs ${norm}`);
      const lr = lrs[t - 1]!;
      for (let k = 0; k < 2; k++) {
        const wd = k === 0 ? 0.01 : 0;
        for (let i = 0; i < ref[k]!.length; i++) {
          const gi = g[k]![i]! * coef;
          m[k]![i] = 0.9 * m[k]![i]! + 0.1 * gi;
          v[k]![i] = 0.999 * v[k]![i]! + 0.001 * gi * gi;
          const mhat = m[k]![i]! / (1 - 0.9 ** t);
          const vhat = v[k]![i]! / (1 - 0.999 ** t);
          ref[k]![i] = ref[k]![i]! - lr * wd * ref[k]![i]! - (lr * mhat) / (Math.sqrt(vhat) + 1e-8);
        }
      }
      names.forEach((n, k) => {
        const got = params.get(n)!;
        ref[k]!.forEach((x, i) => assert.ok(Math.abs(got[i]! - x) <= 1e-6 * Math.max(1, Math.abs(x)), `step ${t} ${n}[${i}] ${got[i]} vs ${x}`));
      });
    }
    assert.equal(opt.state.step, 3);
  });
});
