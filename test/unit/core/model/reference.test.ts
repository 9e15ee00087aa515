/**
 * Parity with transformers: models loaded from the folders written by
 * scripts/make_reference_fixtures.py (a PyTorch reference written from transformers' modeling code)
 * give the fixture's logits, loss and gradients, in float64 tightly and in float32 to ~1e-5.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GraphBuilder } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import type { HostTensor } from '../../../../src/core/engine/tensor.js';
import { architecture } from '../../../../src/core/model/architectures/index.js';
import { bertPooled } from '../../../../src/core/model/architectures/bert.js';
import { DropoutSites } from '../../../../src/core/model/architectures/common.js';
import { resolveProblemType } from '../../../../src/core/model/config.js';
import { loadPretrained } from '../../../../src/core/model/load.js';
import type { Weights } from '../../../../src/core/model/params.js';
import { buildGraph, gradName } from '../../../../src/core/step/graphs.js';

const ROOT = 'test/fixtures/reference';

interface Fixture {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
  labels: number[] | number[][];
  logits: number[][];
  loss: number;
  grads: Record<string, number[]>;
  pooled?: number[][];
}

const fixture = (c: string): Fixture => JSON.parse(readFileSync(join(ROOT, c, 'fixture.json'), 'utf8')) as Fixture;
const flat = (x: number[][]): number[] => x.flat();
const ints = (x: number[][]): BigInt64Array => BigInt64Array.from(flat(x), (v) => BigInt(v));

function maxRel(a: ArrayLike<number>, b: readonly number[]): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(scale, 1e-12));
  return m;
}

async function run(dir: string, dtype: 'float32' | 'float64', fx: Fixture, weights: Weights, fp16 = false, packTokens = false) {
  // Dropout off, as the reference (eval mode, gradients on).
  const { config } = await loadPretrained(dir, { overrides: { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, classifier_dropout: 0 } });
  const built = buildGraph({ kind: 'grads', config, dtype, ...(fp16 ? { mixedPrecision: 'fp16' as const } : {}), packTokens });
  // ORT's extended optimizations fold the 1/sqrt(d) scale into a float32 FusedMatMul alpha;
  // float64 comparisons run at the basic level.
  const s = await createSession(built.model, { threads: 1, optimizationLevel: dtype === 'float64' ? 'basic' : 'all' });
  const dims = [fx.input_ids.length, fx.input_ids[0]!.length];
  const float = (v: number[]) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  const problem = resolveProblemType(config);
  const feeds: Record<string, HostTensor> = {
    input_ids: { dtype: 'int64', dims, data: ints(fx.input_ids) },
    attention_mask: { dtype: 'int64', dims, data: ints(fx.attention_mask) },
    loss_scale: { dtype, dims: [], data: float([1]) },
    labels:
      problem === 'single_label_classification'
        ? { dtype: 'int64', dims: [dims[0]!], data: BigInt64Array.from(fx.labels as number[], (v) => BigInt(v)) }
        : problem === 'multi_label_classification'
          ? { dtype, dims: [dims[0]!, config.num_labels], data: float((fx.labels as number[][]).flat()) }
          : { dtype, dims: [dims[0]!], data: float(fx.labels as number[]) },
  };
  if (architecture(config).usesTokenTypes)
    feeds.token_type_ids = { dtype: 'int64', dims, data: fx.token_type_ids ? ints(fx.token_type_ids) : new BigInt64Array(dims[0]! * dims[1]!) };
  for (const [n, w] of weights) feeds[n] = { dtype, dims: w.dims, data: float(Array.from(w.data as Float32Array)) };
  const out = await s.run(feeds);
  await s.dispose();
  return out;
}

const CASES = [
  'bert-single',
  'bert-multi',
  'bert-regression',
  'roberta-single',
  'xlm-roberta-single',
  'distilbert-single',
  'electra-single',
  'bert-torch-save',
  'bert-fp16',
];

describe('parity with the transformers reference (fixtures from scripts/make_reference_fixtures.py)', () => {
  for (const c of CASES) {
    test(c, async () => {
      const dir = join(ROOT, c);
      const fx = fixture(c);
      const logs: string[] = [];
      const model = await loadPretrained(dir, { log: (m) => logs.push(m) });
      assert.deepEqual(logs, [], 'a classifier checkpoint loads with no fresh or unused weights');
      for (const [dtype, tol, packed] of [
        ['float64', 1e-9, false],
        ['float64', 1e-9, true],
        ['float32', 2e-5, false],
        ['float32', 2e-5, true],
      ] as const) {
        const out = await run(dir, dtype, fx, model.weights, false, packed);
        const logitErr = maxRel(out.logits!.data as Float64Array, flat(fx.logits));
        assert.ok(logitErr <= tol, `${dtype} logits: max relative error ${logitErr}`);
        const lossErr = Math.abs((out.loss!.data as Float64Array)[0]! - fx.loss) / Math.abs(fx.loss);
        assert.ok(lossErr <= tol, `${dtype} loss: relative error ${lossErr}`);
        for (const [name, expected] of Object.entries(fx.grads)) {
          const got = out[gradName(name)];
          assert.ok(got, `no gradient output for ${name}`);
          const err = maxRel(got.data as Float64Array, expected);
          assert.ok(err <= (dtype === 'float64' ? 1e-8 : 1e-4), `${dtype} d/d ${name}: max relative error ${err}`);
        }
      }
    });
  }

  for (const c of CASES) {
    test(`${c}: fp16 autocast stays within float16 precision of the float32 reference`, async () => {
      const dir = join(ROOT, c);
      const fx = fixture(c);
      const model = await loadPretrained(dir);
      const out = await run(dir, 'float32', fx, model.weights, true);
      const logitErr = maxRel(out.logits!.data as Float32Array, flat(fx.logits));
      assert.ok(logitErr <= 1e-2 && logitErr > 0, `logits: max relative error ${logitErr}`);
      const lossErr = Math.abs((out.loss!.data as Float32Array)[0]! - fx.loss) / Math.abs(fx.loss);
      assert.ok(lossErr <= 1e-2, `loss: relative error ${lossErr}`);
      for (const [name, expected] of Object.entries(fx.grads)) {
        const err = maxRel(out[gradName(name)]!.data as Float32Array, expected);
        assert.ok(err <= 3e-2, `d/d ${name}: max relative error ${err}`);
      }
    });
  }

  test('bert-base-keys: a BertModel / BertForPreTraining checkpoint maps onto the classifier', async () => {
    const dir = join(ROOT, 'bert-base-keys');
    const fx = fixture('bert-base-keys');
    const logs: string[] = [];
    const model = await loadPretrained(dir, { labels: ['neg', 'pos'], log: (m) => logs.push(m) });
    assert.equal(logs.length, 2, logs.join('\n'));
    assert.match(logs[0]!, /were not used when initializing BertForSequenceClassification: \[cls\.predictions/);
    assert.match(logs[1]!, /newly initialized: \[classifier\.weight, classifier\.bias\]/);
    assert.deepEqual(model.config.id2label, { '0': 'neg', '1': 'pos' });
    // The pooled [CLS] vector equals the reference's (the body, pooler included, was loaded).
    const g = new GraphBuilder('pooled');
    const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
    const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
    const types = g.input('token_type_ids', 'int64', ['batch', 'seq']);
    const params = new Map([...model.weights].map(([n, w]) => [n, g.input(n, 'float64', w.dims)]));
    const pooled = bertPooled(
      g,
      model.config,
      { inputIds: ids, attentionMask: mask, tokenTypeIds: types },
      { train: false, param: (n) => params.get(n)! },
      new DropoutSites(g, false),
    );
    g.output(pooled, 'pooled');
    const s = await createSession(serialize(g), { threads: 1, optimizationLevel: 'basic' });
    const dims = [fx.input_ids.length, fx.input_ids[0]!.length];
    const feeds: Record<string, HostTensor> = {
      input_ids: { dtype: 'int64', dims, data: ints(fx.input_ids) },
      attention_mask: { dtype: 'int64', dims, data: ints(fx.attention_mask) },
      token_type_ids: { dtype: 'int64', dims, data: ints(fx.token_type_ids!) },
    };
    for (const [n, w] of model.weights) feeds[n] = { dtype: 'float64', dims: w.dims, data: Float64Array.from(w.data as Float32Array) };
    const out = await s.run(feeds);
    await s.dispose();
    const err = maxRel(out.pooled!.data as Float64Array, flat(fx.pooled!));
    assert.ok(err <= 1e-9, `pooled: max relative error ${err}`);
  });
});
