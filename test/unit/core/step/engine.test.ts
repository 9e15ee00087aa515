import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HostTensor } from '../../../../src/core/engine/tensor.js';
import { createModel } from '../../../../src/core/model/presets.js';
import { type Batch, TrainingEngine } from '../../../../src/core/step/engine.js';
import { syntheticBatch } from '../../../helpers/batches.js';

const VOCAB = 120;
const noDropout = { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };

function argmaxRows(logits: HostTensor): number[] {
  const [b, c] = logits.dims as [number, number];
  const d = logits.data as Float32Array;
  return Array.from({ length: b }, (_, i) => {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[i * c + j]! > d[i * c + best]!) best = j;
    return best;
  });
}

function sliceBatch(b: Batch, from: number, to: number): Batch {
  const s = b.seq;
  return {
    batch: to - from,
    seq: s,
    inputIds: b.inputIds.slice(from * s, to * s),
    attentionMask: b.attentionMask.slice(from * s, to * s),
    tokenTypeIds: b.tokenTypeIds!.slice(from * s, to * s),
    labels: (b.labels as BigInt64Array).slice(from, to),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('training engine', () => {
  test('a tiny model memorises 64 labelled examples', async () => {
    const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 2, seed: 3, overrides: noDropout });
    const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 2, adam: { weightDecay: 0.01 } });
    const data = syntheticBatch({ batch: 64, seq: 16, vocab: VOCAB, numLabels: 2, ragged: true, seed: 21 });
    for (let epoch = 0; epoch < 40; epoch++) {
      for (let i = 0; i < 64; i += 16) await engine.trainStep([sliceBatch(data, i, i + 16)], 1e-3);
    }
    const predicted = argmaxRows(await engine.predict(data));
    const labels = Array.from(data.labels as BigInt64Array, Number);
    const correct = predicted.filter((p, i) => p === labels[i]).length;
    await engine.dispose();
    assert.equal(correct, 64, `training accuracy ${correct}/64`);
  });

  test('one session serves batches of different shapes; train-graph logits equal inference logits', async () => {
    const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 3, seed: 4, overrides: noDropout });
    const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 2 });
    for (const [b, s] of [
      [2, 7],
      [5, 3],
      [1, 16],
      [4, 9],
    ] as const) {
      const batch = syntheticBatch({ batch: b, seq: s, vocab: VOCAB, numLabels: 3, ragged: true, seed: b * 10 + s, tokenTypes: true });
      const inference = await engine.predict(batch);
      assert.deepEqual(inference.dims, [b, 3]);
      const train = await engine.accumulate(batch, 1, true);
      assert.deepEqual(train.logits.dims, [b, 3]);
      const diff = maxAbsDiff(train.logits.data as Float32Array, inference.data as Float32Array);
      assert.ok(diff <= 1e-6, `batch ${b}x${s}: logits differ by ${diff}`);
      const ev = await engine.evaluate(batch);
      assert.ok(Math.abs(ev.loss - train.loss) <= 1e-6, `eval loss ${ev.loss} vs train loss ${train.loss}`);
    }
    await engine.dispose();
  });

  test('gradient accumulation over 2 micro-batches equals one step on the whole batch', async () => {
    const data = syntheticBatch({ batch: 8, seq: 6, vocab: VOCAB, numLabels: 2, seed: 8 });
    const run = async (micro: Batch[]) => {
      const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 2, seed: 9, overrides: noDropout });
      const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 2, adam: { weightDecay: 0.01 } });
      let loss = 0;
      for (const [i, b] of micro.entries()) loss += (await engine.accumulate(b, 1 / micro.length, i === 0)).loss / micro.length;
      const grads = new Map(engine.trainable.map((n) => [n, engine.gradient(n)!.slice()]));
      const gradNorm = engine.applyGradients(1e-3);
      const w = engine.weights;
      await engine.dispose();
      return { r: { loss, gradNorm }, grads, w };
    };
    const whole = await run([data]);
    const split = await run([sliceBatch(data, 0, 4), sliceBatch(data, 4, 8)]);
    assert.ok(Math.abs(whole.r.gradNorm - split.r.gradNorm) <= 1e-5 * whole.r.gradNorm, `${whole.r.gradNorm} vs ${split.r.gradNorm}`);
    assert.ok(Math.abs(whole.r.loss - split.r.loss) <= 1e-6);
    for (const [n, g] of whole.grads) {
      const other = split.grads.get(n)!;
      let diff = 0;
      let norm = 0;
      g.forEach((x, i) => {
        diff += (x - other[i]!) ** 2;
        norm += x * x;
      });
      assert.ok(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm) + 1e-12, `${n}: gradients differ by ${Math.sqrt(diff / norm)} relative`);
    }
    // After the AdamW step the weights agree to a small fraction of the learning rate (Adam's
    // first step is ~lr * sign(g), so gradients near float noise may move by a few % of lr).
    for (const [n, t] of whole.w) {
      const d = maxAbsDiff(t.data as Float32Array, split.w.get(n)!.data as Float32Array);
      assert.ok(d <= 5e-5, `${n} differs by ${d}`);
    }
  });

  test('the WebAssembly SIMD AdamW and the scalar JS AdamW give the same weights', async () => {
    const data = syntheticBatch({ batch: 6, seq: 8, vocab: VOCAB, numLabels: 2, seed: 15, ragged: true });
    const after = async (wasm: boolean) => {
      const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 2, seed: 2 });
      const engine = new TrainingEngine({
        config: model.config,
        weights: model.weights,
        threads: 2,
        adam: { weightDecay: 0.01, maxGradNorm: 0.5 },
        dropoutSeed: 4,
        wasm,
      });
      const norms: number[] = [];
      for (let i = 0; i < 3; i++) norms.push((await engine.trainStep([data], 2e-3)).gradNorm);
      const w = engine.weights;
      await engine.dispose();
      return { w, norms };
    };
    const simd = await after(true);
    const js = await after(false);
    simd.norms.forEach((n, i) => assert.ok(Math.abs(n - js.norms[i]!) <= 1e-6 * n, `step ${i} grad norm ${n} vs ${js.norms[i]}`));
    for (const [n, t] of simd.w) {
      // The attention key bias has an exactly zero gradient (softmax is shift invariant): Adam
      // normalises its float noise, so it is not comparable between two float orders.
      if (n.endsWith('attention.self.key.bias')) continue;
      const d = maxAbsDiff(t.data as Float32Array, js.w.get(n)!.data as Float32Array);
      // float32 (SIMD) against float64 (JS) intermediates; 3 steps of lr 2e-3.
      assert.ok(d <= 2e-6, `${n} differs by ${d}`);
    }
  });

  test('fused graph step (clip + AdamW in ONNX) equals gradients-out + JS AdamW', async () => {
    const data = syntheticBatch({ batch: 6, seq: 8, vocab: VOCAB, numLabels: 2, seed: 5, ragged: true });
    const weightsAfter = async (mode: 'grads' | 'fused') => {
      const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 2, seed: 2 });
      const engine = new TrainingEngine({
        config: model.config,
        weights: model.weights,
        threads: 2,
        mode,
        adam: { weightDecay: 0.01, maxGradNorm: 0.5 },
        dropoutSeed: 4,
      });
      const norms: number[] = [];
      for (let i = 0; i < 3; i++) norms.push((await engine.trainStep([data], 2e-3)).gradNorm);
      const w = engine.weights;
      await engine.dispose();
      return { w, norms };
    };
    const a = await weightsAfter('grads');
    const b = await weightsAfter('fused');
    a.norms.forEach((n, i) => assert.ok(Math.abs(n - b.norms[i]!) <= 1e-5 * n, `step ${i} grad norm ${n} vs ${b.norms[i]}`));
    for (const [n, t] of a.w) {
      const d = maxAbsDiff(t.data as Float32Array, b.w.get(n)!.data as Float32Array);
      assert.ok(d <= 2e-6, `${n} differs by ${d}`);
    }
  });

  test('dropout differs at every step, and a session resumed at run k draws what run k drew', async () => {
    const data = syntheticBatch({ batch: 4, seq: 8, vocab: VOCAB, numLabels: 2, seed: 6 });
    const model = createModel({ preset: 'bert-tiny', vocabSize: VOCAB, numLabels: 2, seed: 1 });
    const freshWeights = () => new Map([...model.weights].map(([n, t]) => [n, { ...t, data: (t.data as Float32Array).slice() }]));
    const a = new TrainingEngine({ config: model.config, weights: freshWeights(), threads: 2, dropoutSeed: 77 });
    const l0 = (await a.accumulate(data, 1, true)).loss;
    const l1 = (await a.accumulate(data, 1, true)).loss;
    const l2 = (await a.accumulate(data, 1, true)).loss;
    await a.dispose();
    assert.notEqual(l0, l1, 'same weights, new dropout masks: a different loss');
    assert.notEqual(l1, l2);
    const resumed = new TrainingEngine({ config: model.config, weights: freshWeights(), threads: 2, dropoutSeed: 77, runCount: 2 });
    const r2 = (await resumed.accumulate(data, 1, true)).loss;
    await resumed.dispose();
    assert.equal(r2, l2);
  });
});
