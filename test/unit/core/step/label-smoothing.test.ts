/** --label_smoothing_factor: the Trainer's LabelSmoother in the loss graph, and its gradient. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createModel } from '../../../../src/core/model/presets.js';
import { TrainingEngine } from '../../../../src/core/step/engine.js';
import { syntheticBatch } from '../../../helpers/batches.js';

const noDropout = { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };

/** LabelSmoother: (1 - eps) * mean NLL + eps * mean over rows and classes of -log softmax. */
function smoothedLoss(logits: Float32Array, labels: readonly number[], classes: number, eps: number): number {
  let nll = 0;
  let all = 0;
  for (let i = 0; i < labels.length; i++) {
    const z = Array.from(logits.subarray(i * classes, (i + 1) * classes));
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
    nll += lse - z[labels[i]!]!;
    for (const x of z) all += lse - x;
  }
  const n = labels.length;
  return (1 - eps) * (nll / n) + eps * (all / (n * classes));
}

describe('label smoothing', () => {
  for (const eps of [0.1, 0.3]) {
    test(`eps ${eps}: the evaluation loss is the LabelSmoother's formula of the logits`, async () => {
      const model = createModel({ preset: 'bert-tiny', vocabSize: 100, numLabels: 4, seed: 9, overrides: noDropout });
      const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 1, labelSmoothing: eps });
      const batch = syntheticBatch({ batch: 6, seq: 9, vocab: 100, numLabels: 4, ragged: true, seed: 5 });
      const { loss, logits } = await engine.evaluate(batch);
      const labels = Array.from(batch.labels as BigInt64Array, Number);
      const want = smoothedLoss(logits.data as Float32Array, labels, 4, eps);
      await engine.dispose();
      assert.ok(Math.abs(loss - want) < 1e-5 * Math.max(1, want), `loss ${loss} vs ${want}`);
    });
  }

  test('the gradient: d loss / d classifier bias is the mean of softmax - (1 - eps) onehot - eps / C', async () => {
    const eps = 0.2;
    const C = 3;
    const model = createModel({ preset: 'bert-tiny', vocabSize: 100, numLabels: C, seed: 2, overrides: noDropout });
    const engine = new TrainingEngine({ config: model.config, weights: model.weights, threads: 1, mode: 'grads', labelSmoothing: eps });
    const batch = syntheticBatch({ batch: 8, seq: 7, vocab: 100, numLabels: C, seed: 6 });
    const { logits } = await engine.accumulate(batch, 1, true);
    const grad = engine.gradient('classifier.bias')!;
    const labels = Array.from(batch.labels as BigInt64Array, Number);
    const z = logits.data as Float32Array;
    const want = new Array<number>(C).fill(0);
    labels.forEach((y, i) => {
      const row = Array.from(z.subarray(i * C, (i + 1) * C));
      const m = Math.max(...row);
      const e = row.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < C; c++) want[c]! += (e[c]! / sum - (1 - eps) * (c === y ? 1 : 0) - eps / C) / labels.length;
    });
    await engine.dispose();
    for (let c = 0; c < C; c++) assert.ok(Math.abs(grad[c]! - want[c]!) < 1e-6, `class ${c}: ${grad[c]} vs ${want[c]}`);
  });
});
