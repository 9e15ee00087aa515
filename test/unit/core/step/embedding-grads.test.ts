import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelConfig } from '../../../../src/core/model/config.js';
import { createModel, type PresetName } from '../../../../src/core/model/presets.js';
import { EmbeddingGrads, scatterAdd } from '../../../../src/core/step/embedding-grads.js';
import { type Batch, TrainingEngine } from '../../../../src/core/step/engine.js';
import { buildGraph, gradName } from '../../../../src/core/step/graphs.js';
import { syntheticBatch } from '../../../helpers/batches.js';

const VOCAB = 90;

const ARCHITECTURES: { name: string; preset: PresetName; overrides: Partial<ModelConfig> }[] = [
  { name: 'bert', preset: 'bert-tiny', overrides: {} },
  {
    name: 'roberta (position ids from the mask, padding_idx 1)',
    preset: 'bert-tiny',
    overrides: { model_type: 'roberta', pad_token_id: 1, max_position_embeddings: 40 },
  },
  { name: 'distilbert', preset: 'bert-tiny', overrides: { model_type: 'distilbert' } },
  { name: 'modernbert', preset: 'modernbert-tiny', overrides: {} },
];

/** Gradients of a few accumulate calls: `batches[i]` is one optimizer step's micro-batches. */
async function gradientsOf(preset: PresetName, overrides: Partial<ModelConfig>, steps: Batch[][], embeddingRowsOut: boolean) {
  const model = createModel({ preset, vocabSize: VOCAB, numLabels: 3, seed: 5, overrides: { ...overrides } });
  const engine = new TrainingEngine({
    config: model.config,
    weights: model.weights,
    threads: 1,
    dropoutSeed: 7,
    adam: { weightDecay: 0.01 },
    embeddingRowsOut,
  });
  const out: { grads: Map<string, Float32Array>; norm: number }[] = [];
  for (const micro of steps) {
    for (const [i, b] of micro.entries()) await engine.accumulate(b, 1 / micro.length, i === 0);
    const grads = new Map(engine.trainable.map((n) => [n, engine.gradient(n)!.slice()]));
    out.push({ grads, norm: engine.applyGradients(1e-3) });
  }
  await engine.dispose();
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    n = Math.max(n, Math.abs(a[i]!));
  }
  return n === 0 ? d : d / n;
}

describe('embedding gradients assembled on the host', () => {
  const batch = (seed: number, b = 4) => syntheticBatch({ batch: b, seq: 9, vocab: VOCAB, numLabels: 3, ragged: true, tokenTypes: true, seed });
  // Two steps on different batches (the second clears only the rows the first wrote), then a step
  // of two micro-batches (the second adds into the first's rows).
  const steps = [[batch(1)], [batch(2, 5)], [batch(3), batch(4, 3)]];

  for (const a of ARCHITECTURES) {
    test(`${a.name}: the same gradients and norms as the scatter in the graph`, async () => {
      const graph = await gradientsOf(a.preset, a.overrides, steps, false);
      const host = await gradientsOf(a.preset, a.overrides, steps, true);
      graph.forEach((g, s) => {
        assert.ok(Math.abs(g.norm - host[s]!.norm) <= 1e-6 * g.norm, `step ${s}: norm ${g.norm} vs ${host[s]!.norm}`);
        for (const [n, want] of g.grads) {
          const got = host[s]!.grads.get(n)!;
          assert.ok(maxRelDiff(want, got) <= 1e-6, `step ${s}, ${n}: differs by ${maxRelDiff(want, got)} relative`);
        }
      });
    });
  }

  test('the grads graph hands out the lookups of tables read only by lookups, with their padding rows', () => {
    const { config } = createModel({
      preset: 'bert-tiny',
      vocabSize: VOCAB,
      overrides: { model_type: 'roberta', pad_token_id: 1, max_position_embeddings: 40 },
    });
    const built = buildGraph({ kind: 'grads', config, embeddingRowsOut: true });
    const tables = new Map(built.embeddingRows.map((t) => [t.param, t.lookups.map((l) => l.paddingIdx)]));
    assert.deepEqual(
      tables,
      new Map([
        ['roberta.embeddings.word_embeddings.weight', [1]],
        ['roberta.embeddings.token_type_embeddings.weight', [undefined]],
        ['roberta.embeddings.position_embeddings.weight', [1]],
      ]),
    );
    for (const p of tables.keys()) assert.ok(!built.outputs.includes(gradName(p)), `${p} has no gradient output`);
    assert.ok(built.outputs.includes(gradName('classifier.dense.weight')));
    // Off: every trainable parameter has its gradient output.
    const plain = buildGraph({ kind: 'grads', config });
    assert.deepEqual(plain.embeddingRows, []);
    for (const p of tables.keys()) assert.ok(plain.outputs.includes(gradName(p)));
  });

  test('scatterAdd sums repeated rows in order and skips the padding row', () => {
    const grad = new Float32Array(4 * 2);
    scatterAdd(grad, 2, Int32Array.of(2, 0, 2, 3), Float32Array.of(1, 2, 10, 20, 100, 200, 5, 6), 3);
    assert.deepEqual([...grad], [10, 20, 0, 0, 101, 202, 0, 0]);
  });

  test('a step clears the rows the previous one wrote, and refuses ids outside the table', () => {
    const tables = [{ param: 'e', lookups: [{ rows: 'r', ids: 'i' }] }];
    const grads = new Map([['e', new Float32Array(4 * 2).fill(9)]]);
    const out = (ids: number[]) => ({
      r: { dtype: 'float32' as const, dims: [ids.length, 2], data: Float32Array.from(ids.flatMap((i) => [i, -i])) },
      i: { dtype: 'int64' as const, dims: [ids.length], data: BigInt64Array.from(ids.map(BigInt)) },
    });
    const e = new EmbeddingGrads();
    e.accumulate(tables, out([1, 1]), grads, true); // nothing recorded yet: clears all
    assert.deepEqual([...grads.get('e')!], [0, 0, 2, -2, 0, 0, 0, 0]);
    e.accumulate(tables, out([3]), grads, true);
    assert.deepEqual([...grads.get('e')!], [0, 0, 0, 0, 0, 0, 3, -3]);
    e.accumulate(tables, out([2]), grads, false);
    assert.deepEqual([...grads.get('e')!], [0, 0, 0, 0, 2, -2, 3, -3]);
    assert.deepEqual(e.sumsq(grads), new Map([['e', 26]]));
    assert.throws(() => e.accumulate(tables, out([4]), grads, true), /row 4 is outside the table's 4 rows/);
  });
});
