import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../../src/core/model/presets.js';
import { type Batch, type StepMode, TrainingEngine } from '../../../../src/core/step/engine.js';
import { createStepMode, defaultStepMode, DeviceStep, FusedStep, HostGradsStep, type StepContext, stepsOnHost } from '../../../../src/core/step/modes.js';
import { syntheticBatch } from '../../../helpers/batches.js';

const VOCAB = 90;

describe('step modes', () => {
  test('default mode per provider', () => {
    for (const [provider, mode] of [
      [undefined, 'grads'],
      ['cpu', 'grads'],
      ['auto', 'grads'],
      ['cuda', 'grads'],
      ['webgpu', 'device'],
    ] as const) {
      assert.equal(defaultStepMode(provider), mode, String(provider));
    }
  });

  test('each mode gets its class; the host-gradients step serves grads mode itself', () => {
    // The constructors keep the context for later; none reads it.
    const ctx = {} as StepContext;
    const host = new HostGradsStep(ctx, new Map(), null);
    const table: [StepMode, new (...args: never[]) => object, 'grads' | 'fused', boolean][] = [
      ['grads', HostGradsStep, 'grads', true],
      ['fused', FusedStep, 'fused', false],
      ['device', DeviceStep, 'fused', false],
    ];
    for (const [mode, cls, graph, onHost] of table) {
      const step = createStepMode(mode, ctx, host);
      assert.ok(step instanceof cls, mode);
      assert.equal(step.mode, mode);
      assert.equal(step.graph, graph);
      assert.equal(stepsOnHost(mode), onHost);
      assert.equal(step.stale, false);
      assert.equal(step.deviceResident, 0);
    }
    assert.equal(createStepMode('grads', ctx, host), host);
  });

  // With several micro-batches (and, for `device`, on the CPU) the fused modes take the host path:
  // the same arithmetic as `grads` without the WebAssembly arena, so the same bits.
  const micro: Batch[] = [1, 2].map((seed) => syntheticBatch({ batch: 3, seq: 7, vocab: VOCAB, numLabels: 2, seed, ragged: true }));
  const after = async (mode: StepMode, steps: readonly (readonly Batch[])[]) => {
    const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 2, seed: 5 });
    const engine = new TrainingEngine({
      config: model.config,
      weights: model.weights,
      threads: 2,
      mode,
      wasm: false,
      dropoutSeed: 3,
      adam: { weightDecay: 0.01 },
    });
    const results = [];
    for (const s of steps) results.push(await engine.trainStep(s, 1e-3));
    const state = { results, weights: engine.weights, m: engine.optimizer.state.m, step: engine.optimizer.state.step, resident: engine.deviceResident };
    await engine.dispose();
    return state;
  };
  for (const [mode, steps] of [
    ['fused', [micro, micro]],
    ['device', [micro, [micro[0]!]]],
  ] as const) {
    test(`${mode}: ${steps.map((s) => s.length).join(' then ')} micro-batches on the CPU take the host path, bit for bit`, async () => {
      const want = await after('grads', steps);
      const got = await after(mode, steps);
      assert.deepEqual(got.results, want.results);
      assert.equal(got.step, 2);
      assert.equal(got.resident, 0);
      for (const [n, t] of want.weights) assert.deepEqual(got.weights.get(n)!.data, t.data, n);
      for (const [n, m] of want.m) assert.deepEqual(got.m.get(n), m, n);
    });
  }
});
