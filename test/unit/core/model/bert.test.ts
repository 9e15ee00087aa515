import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSession } from '../../../../src/core/engine/runtime.js';
import type { HostTensor } from '../../../../src/core/engine/tensor.js';
import { bertParamSpecs } from '../../../../src/core/model/architectures/bert.js';
import { BERT_DEFAULTS, type ModelConfig, type ProblemType, defaultLabels } from '../../../../src/core/model/config.js';
import { initWeights } from '../../../../src/core/model/init.js';
import { createModel, PRESETS } from '../../../../src/core/model/presets.js';
import { buildGraph, gradName } from '../../../../src/core/step/graphs.js';
import { syntheticBatch } from '../../../helpers/batches.js';
import { rng } from '../../../helpers/gradcheck.js';

function tinyConfig(problem: ProblemType, numLabels: number): ModelConfig {
  return {
    ...BERT_DEFAULTS,
    vocab_size: 23,
    hidden_size: 8,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 12,
    max_position_embeddings: 10,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    initializer_range: 0.5,
    num_labels: numLabels,
    ...defaultLabels(numLabels),
    problem_type: problem,
  };
}

function toFloat64(w: HostTensor): HostTensor {
  return { dtype: 'float64', dims: w.dims, data: Float64Array.from(w.data as Float32Array) };
}

/** Runs a grads graph and returns loss + gradients for the given weights and batch. */
async function runGrads(config: ModelConfig, dtype: 'float32' | 'float64', weights: Map<string, HostTensor>, classWeights?: number[]) {
  const built = buildGraph({ kind: 'grads', config, dtype, classWeights: !!classWeights });
  const session = await createSession(built.model, { threads: 1 });
  const problem = config.problem_type!;
  const batch = syntheticBatch({
    batch: 3,
    seq: 5,
    vocab: config.vocab_size,
    numLabels: config.num_labels,
    ragged: true,
    tokenTypes: true,
    labelKind: problem === 'single_label_classification' ? 'single' : problem === 'multi_label_classification' ? 'multi' : 'regression',
  });
  const dims = [batch.batch, batch.seq];
  const feeds: Record<string, HostTensor> = {
    input_ids: { dtype: 'int64', dims, data: batch.inputIds },
    attention_mask: { dtype: 'int64', dims, data: batch.attentionMask },
    token_type_ids: { dtype: 'int64', dims, data: batch.tokenTypeIds! },
    loss_scale: { dtype, dims: [], data: dtype === 'float64' ? Float64Array.of(1) : Float32Array.of(1) },
    labels:
      problem === 'single_label_classification'
        ? { dtype: 'int64', dims: [batch.batch], data: batch.labels! }
        : {
            dtype,
            dims: problem === 'multi_label_classification' ? [batch.batch, config.num_labels] : [batch.batch],
            data: dtype === 'float64' ? Float64Array.from(batch.labels as Float32Array) : batch.labels!,
          },
  };
  if (classWeights)
    feeds.class_weights = { dtype, dims: [classWeights.length], data: dtype === 'float64' ? Float64Array.from(classWeights) : Float32Array.from(classWeights) };
  for (const [n, w] of weights) feeds[n] = dtype === 'float64' ? toFloat64(w) : w;
  const out = await session.run(feeds);
  return { session, feeds, out, built };
}

describe('BERT parameters', () => {
  test('Hugging Face names and [out, in] Linear shapes', () => {
    const c = { ...tinyConfig('single_label_classification', 3) };
    const specs = bertParamSpecs(c);
    const byName = new Map(specs.map((s) => [s.name, s.shape]));
    assert.deepEqual(byName.get('bert.embeddings.word_embeddings.weight'), [23, 8]);
    assert.deepEqual(byName.get('bert.encoder.layer.1.intermediate.dense.weight'), [12, 8]);
    assert.deepEqual(byName.get('bert.encoder.layer.1.output.dense.weight'), [8, 12]);
    assert.deepEqual(byName.get('bert.encoder.layer.0.attention.output.LayerNorm.bias'), [8]);
    assert.deepEqual(byName.get('classifier.weight'), [3, 8]);
    // 5 embedding tensors + 16 per layer + 4 (pooler, classifier)
    assert.equal(specs.length, 5 + 16 * 2 + 4);
  });

  test('random init follows _init_weights and is seeded', () => {
    const { config, weights } = createModel({ preset: 'bert-tiny', vocabSize: 500, seed: 5 });
    const word = weights.get('bert.embeddings.word_embeddings.weight')!.data as Float32Array;
    const H = PRESETS['bert-tiny'].hidden_size;
    assert.ok(
      word.slice(0, H).every((x) => x === 0),
      'padding row is zero',
    );
    const rest = word.slice(H);
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    const std = Math.sqrt(rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length);
    assert.ok(Math.abs(mean) < 1e-3, `mean ${mean}`);
    assert.ok(Math.abs(std - config.initializer_range) < 5e-4, `std ${std}`);
    assert.ok((weights.get('bert.encoder.layer.0.output.LayerNorm.weight')!.data as Float32Array).every((x) => x === 1));
    assert.ok((weights.get('bert.pooler.dense.bias')!.data as Float32Array).every((x) => x === 0));
    const again = initWeights(config, 5).get('bert.encoder.layer.1.attention.self.key.weight')!.data;
    assert.deepEqual(again, weights.get('bert.encoder.layer.1.attention.self.key.weight')!.data);
    const other = initWeights(config, 6).get('bert.encoder.layer.1.attention.self.key.weight')!.data;
    assert.notDeepEqual(other, again);
  });
});

describe('whole-model float64 gradient check (2 layers)', () => {
  const cases: { problem: ProblemType; labels: number; classWeights?: number[] }[] = [
    { problem: 'single_label_classification', labels: 3 },
    { problem: 'single_label_classification', labels: 3, classWeights: [0.5, 2, 1.25] },
    { problem: 'multi_label_classification', labels: 4 },
    { problem: 'regression', labels: 1 },
  ];
  for (const c of cases) {
    test(`${c.problem}${c.classWeights ? ' with class weights' : ''}`, async () => {
      const config = tinyConfig(c.problem, c.labels);
      const weights = initWeights(config, 11);
      // Non-trivial LayerNorm parameters so their gradients are exercised.
      const rand = rng(2);
      for (const [n, w] of weights) {
        if (n.includes('LayerNorm') || n.endsWith('.bias'))
          (w.data as Float32Array).forEach((_, i, a) => (a[i] = (n.endsWith('weight') ? 1 : 0) + (rand() - 0.5) * 0.4));
      }
      const { session, feeds, out, built } = await runGrads(config, 'float64', weights, c.classWeights);
      const lossAt = async (name: string, i: number, delta: number): Promise<number> => {
        const d = feeds[name]!.data as Float64Array;
        const keep = d[i]!;
        d[i] = keep + delta;
        const r = await session.run(feeds, ['loss']);
        d[i] = keep;
        return (r.loss!.data as Float64Array)[0]!;
      };
      const h = 1e-4;
      let worst = 0;
      let checked = 0;
      const pick = rng(9);
      for (const name of built.trainable) {
        // The attention key bias has an exactly zero gradient (softmax is shift invariant).
        if (name.endsWith('attention.self.key.bias')) continue;
        const analytic = out[gradName(name)]!.data as Float64Array;
        const scale = Math.max(...Array.from(analytic, Math.abs));
        for (let k = 0; k < 4; k++) {
          const i = Math.floor(pick() * analytic.length);
          const f = (m: number) => lossAt(name, i, m * h);
          const numeric = (-(await f(2)) + 8 * (await f(1)) - 8 * (await f(-1)) + (await f(-2))) / (12 * h);
          const denom = Math.max(Math.abs(numeric), Math.abs(analytic[i]!));
          if (denom < 1e-6 * scale || denom < 1e-10) continue;
          worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / denom);
          checked++;
        }
      }
      await session.dispose();
      assert.ok(checked > 60, `checked ${checked} coordinates`);
      assert.ok(worst <= 1e-6, `max relative error ${worst}`);
    });
  }

  test('float32 gradients agree with float64 to 1e-4 per tensor', async () => {
    const config = tinyConfig('single_label_classification', 3);
    const weights = initWeights(config, 12);
    const r64 = await runGrads(config, 'float64', weights);
    const r32 = await runGrads(config, 'float32', weights);
    let worst = 0;
    for (const name of r64.built.trainable) {
      if (name.endsWith('attention.self.key.bias')) continue;
      const a = r64.out[gradName(name)]!.data as Float64Array;
      const b = r32.out[gradName(name)]!.data as Float32Array;
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < a.length; i++) {
        diff += (a[i]! - b[i]!) ** 2;
        norm += a[i]! ** 2;
      }
      if (norm === 0) continue;
      worst = Math.max(worst, Math.sqrt(diff / norm));
    }
    await r64.session.dispose();
    await r32.session.dispose();
    assert.ok(worst <= 1e-4, `worst per-tensor relative difference ${worst}`);
  });
});
