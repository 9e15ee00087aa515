/**
 * ModernBERT parity with transformers: models loaded from the folders written by
 * scripts/make_modernbert_fixtures.py (a PyTorch reference written from transformers' modeling code)
 * give the fixture's logits, loss and gradients, in float64 to 1e-9 and in float32 to ~1e-5, on
 * padded batches and packed tokens alike; a MaskedLM checkpoint maps onto the classifier; a sharded
 * checkpoint loads the same weights.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { GraphBuilder } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import type { HostTensor } from '../../../../src/core/engine/tensor.js';
import { DropoutSites } from '../../../../src/core/model/architectures/common.js';
import { modernbertPooled } from '../../../../src/core/model/architectures/modernbert.js';
import { serializeSafetensors } from '../../../../src/core/model/checkpoint/index.js';
import { resolveProblemType } from '../../../../src/core/model/config.js';
import { loadPretrained } from '../../../../src/core/model/load.js';
import type { Weights } from '../../../../src/core/model/params.js';
import { buildGraph, gradName } from '../../../../src/core/step/graphs.js';

const ROOT = 'test/fixtures/reference';

interface Fixture {
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[] | number[][];
  logits: number[][];
  loss: number;
  grads: Record<string, number[]>;
  pooled: number[][];
}

const fixture = async (c: string): Promise<Fixture> => JSON.parse(await readFile(join(ROOT, c, 'fixture.json'), 'utf8')) as Fixture;
const ints = (x: number[][]): BigInt64Array => BigInt64Array.from(x.flat(), (v) => BigInt(v));

function maxRel(a: ArrayLike<number>, b: readonly number[]): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(scale, 1e-12));
  return m;
}

const floats = (dtype: 'float32' | 'float64', v: ArrayLike<number>) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));

async function run(dir: string, dtype: 'float32' | 'float64', fx: Fixture, weights: Weights, opts: { fp16?: boolean; packTokens?: boolean }) {
  const { config } = await loadPretrained(dir);
  const built = buildGraph({ kind: 'grads', config, dtype, ...(opts.fp16 ? { mixedPrecision: 'fp16' as const } : {}), packTokens: !!opts.packTokens });
  const s = await createSession(built.model, { threads: 1, optimizationLevel: dtype === 'float64' ? 'basic' : 'all' });
  const dims = [fx.input_ids.length, fx.input_ids[0]!.length];
  const problem = resolveProblemType(config);
  const feeds: Record<string, HostTensor> = {
    input_ids: { dtype: 'int64', dims, data: ints(fx.input_ids) },
    attention_mask: { dtype: 'int64', dims, data: ints(fx.attention_mask) },
    loss_scale: { dtype, dims: [], data: floats(dtype, [1]) },
    labels:
      problem === 'single_label_classification'
        ? { dtype: 'int64', dims: [dims[0]!], data: BigInt64Array.from(fx.labels as number[], (v) => BigInt(v)) }
        : problem === 'multi_label_classification'
          ? { dtype, dims: [dims[0]!, config.num_labels], data: floats(dtype, (fx.labels as number[][]).flat()) }
          : { dtype, dims: [dims[0]!], data: floats(dtype, fx.labels as number[]) },
  };
  for (const [n, w] of weights) feeds[n] = { dtype, dims: w.dims, data: floats(dtype, w.data as Float32Array) };
  const out = await s.run(feeds);
  await s.dispose();
  return out;
}

const CASES = ['modernbert-cls', 'modernbert-mean', 'modernbert-long', 'modernbert-torch-save'];

describe('ModernBERT parity with the transformers reference (scripts/make_modernbert_fixtures.py)', () => {
  for (const c of CASES) {
    test(`${c}: logits, loss and gradients, float64 to 1e-9 and float32 to 2e-5, padded and packed`, async (t) => {
      const dir = join(ROOT, c);
      const fx = await fixture(c);
      const logs: string[] = [];
      const model = await loadPretrained(dir, { log: (m) => logs.push(m) });
      assert.deepEqual(logs, [], 'a classifier checkpoint loads with no fresh or unused weights');
      for (const [dtype, tol, gradTol] of [
        ['float64', 1e-9, 1e-9],
        ['float32', 2e-5, 1e-4],
      ] as const) {
        let worst = 0;
        for (const packTokens of [false, true]) {
          const what = `${dtype} ${packTokens ? 'packed' : 'padded'}`;
          const out = await run(dir, dtype, fx, model.weights, { packTokens });
          const logitErr = maxRel(out.logits!.data as Float64Array, fx.logits.flat());
          assert.ok(logitErr <= tol, `${what} logits: max relative error ${logitErr}`);
          const lossErr = Math.abs((out.loss!.data as Float64Array)[0]! - fx.loss) / Math.abs(fx.loss);
          assert.ok(lossErr <= tol, `${what} loss: relative error ${lossErr}`);
          for (const [name, expected] of Object.entries(fx.grads)) {
            const got = out[gradName(name)];
            assert.ok(got, `no gradient output for ${name}`);
            const err = maxRel(got.data as Float64Array, expected);
            assert.ok(err <= gradTol, `${what} d/d ${name}: max relative error ${err}`);
            worst = Math.max(worst, err, logitErr, lossErr);
          }
        }
        t.diagnostic(`${dtype}: worst relative error ${worst.toExponential(2)}`);
      }
    });
  }

  for (const c of CASES.slice(0, 3)) {
    test(`${c}: fp16 autocast stays within float16 precision of the reference`, async () => {
      const dir = join(ROOT, c);
      const fx = await fixture(c);
      const model = await loadPretrained(dir);
      const out = await run(dir, 'float32', fx, model.weights, { fp16: true, packTokens: true });
      const logitErr = maxRel(out.logits!.data as Float32Array, fx.logits.flat());
      assert.ok(logitErr <= 1e-2 && logitErr > 0, `logits: max relative error ${logitErr}`);
      for (const [name, expected] of Object.entries(fx.grads)) {
        const err = maxRel(out[gradName(name)]!.data as Float32Array, expected);
        assert.ok(err <= 3e-2, `d/d ${name}: max relative error ${err}`);
      }
    });
  }

  test('modernbert-mlm-keys: a ModernBertForMaskedLM checkpoint maps onto the classifier (body and head.* kept)', async () => {
    const dir = join(ROOT, 'modernbert-mlm-keys');
    const fx = await fixture('modernbert-mlm-keys');
    const logs: string[] = [];
    const model = await loadPretrained(dir, { labels: ['neg', 'pos'], log: (m) => logs.push(m) });
    assert.equal(logs.length, 2, logs.join('\n'));
    assert.match(logs[0]!, /were not used when initializing ModernBertForSequenceClassification: \[decoder\.bias\]/);
    assert.match(logs[1]!, /newly initialized: \[classifier\.weight, classifier\.bias\]/);
    for (const packTokens of [false, true]) {
      const g = new GraphBuilder('pooled');
      const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
      const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
      const params = new Map([...model.weights].map(([n, w]) => [n, g.input(n, 'float64', w.dims)]));
      const opts = { train: false, packTokens, param: (n: string) => params.get(n)! };
      g.output(modernbertPooled(g, model.config, { inputIds: ids, attentionMask: mask }, opts, new DropoutSites(g, false)), 'pooled');
      const s = await createSession(serialize(g), { threads: 1, optimizationLevel: 'basic' });
      const dims = [fx.input_ids.length, fx.input_ids[0]!.length];
      const feeds: Record<string, HostTensor> = {
        input_ids: { dtype: 'int64', dims, data: ints(fx.input_ids) },
        attention_mask: { dtype: 'int64', dims, data: ints(fx.attention_mask) },
      };
      for (const [n, w] of model.weights) feeds[n] = { dtype: 'float64', dims: w.dims, data: Float64Array.from(w.data as Float32Array) };
      const out = await s.run(feeds);
      await s.dispose();
      const err = maxRel(out.pooled!.data as Float64Array, fx.pooled.flat());
      assert.ok(err <= 1e-9, `${packTokens ? 'packed' : 'padded'} pooled: max relative error ${err}`);
    }
  });

  test('a ModernBertModel checkpoint (keys without the model. prefix) loads its body; head and classifier start fresh', async () => {
    const src = join(ROOT, 'modernbert-cls');
    const full = await loadPretrained(src);
    const dir = await mkdtemp(join(tmpdir(), 'finetune-modernbert-base-'));
    try {
      const config = JSON.parse(await readFile(join(src, 'config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, architectures: ['ModernBertModel'] }));
      const body = [...full.weights].filter(([n]) => n.startsWith('model.')).map(([n, w]) => [n.slice('model.'.length), w] as const);
      await writeFile(join(dir, 'model.safetensors'), serializeSafetensors(new Map(body)));
      const logs: string[] = [];
      const base = await loadPretrained(dir, { log: (m) => logs.push(m) });
      assert.equal(logs.length, 1, logs.join('\n'));
      assert.match(logs[0]!, /newly initialized: \[head\.dense\.weight, head\.norm\.weight, classifier\.weight, classifier\.bias\]/);
      for (const [n, w] of full.weights) if (n.startsWith('model.')) assert.deepEqual(base.weights.get(n)!.data, w.data, n);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a sharded safetensors checkpoint (2 shards + index) loads the same weights', async () => {
    const src = join(ROOT, 'modernbert-cls');
    const single = await loadPretrained(src);
    const dir = await mkdtemp(join(tmpdir(), 'finetune-modernbert-shards-'));
    try {
      await writeFile(join(dir, 'config.json'), await readFile(join(src, 'config.json')));
      const names = [...single.weights.keys()];
      const half = Math.ceil(names.length / 2);
      const shards = [names.slice(0, half), names.slice(half)];
      const weightMap: Record<string, string> = {};
      for (const [i, part] of shards.entries()) {
        const file = `model-0000${i + 1}-of-00002.safetensors`;
        await writeFile(join(dir, file), serializeSafetensors(new Map(part.map((n) => [n, single.weights.get(n)!]))));
        for (const n of part) weightMap[n] = file;
      }
      await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
      const logs: string[] = [];
      const sharded = await loadPretrained(dir, { log: (m) => logs.push(m) });
      assert.deepEqual(logs, []);
      assert.deepEqual([...sharded.weights.keys()], names);
      for (const n of names) assert.deepEqual(sharded.weights.get(n)!.data, single.weights.get(n)!.data, n);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
