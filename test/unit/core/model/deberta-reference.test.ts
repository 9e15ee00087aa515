/**
 * DeBERTa-v2/v3 parity with transformers: the folders written by scripts/make_deberta_fixtures.py (a
 * PyTorch DebertaV2ForSequenceClassification written from transformers' modeling code) give the
 * fixture's logits, loss and the gradient of every parameter — in float64 to 1e-9 relative, padded
 * and packed, in float32 to ~1e-5, under fp16 autocast to float16 precision — from safetensors,
 * torch.save and sharded checkpoints; a base (DebertaV2Model) checkpoint with pre-training heads maps
 * onto the classifier; the relative-position buckets equal torch's.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GraphBuilder } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import type { HostTensor } from '../../../../src/core/engine/tensor.js';
import { takesTokenTypes } from '../../../../src/core/model/architectures/index.js';
import { DropoutSites } from '../../../../src/core/model/architectures/common.js';
import { debertaFirstToken } from '../../../../src/core/model/architectures/deberta.js';
import { logBucketPosition, relativeRowTable, relativeSpan } from '../../../../src/core/model/architectures/deberta-positions.js';
import { serializeSafetensors } from '../../../../src/core/model/checkpoint/index.js';
import { type ModelConfig, resolveProblemType } from '../../../../src/core/model/config.js';
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
  first_token_hidden?: number[][];
}

const fixture = (c: string): Fixture => JSON.parse(readFileSync(join(ROOT, c, 'fixture.json'), 'utf8')) as Fixture;
const ints = (x: number[][]): BigInt64Array => BigInt64Array.from(x.flat(), (v) => BigInt(v));

/** max |a - b| / max |b| (b: the reference). */
function maxRel(a: ArrayLike<number>, b: readonly number[]): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / Math.max(scale, 1e-300);
}

/**
 * Gradient check: relative to the tensor's largest entry; a tensor whose reference is zero up to
 * rounding (the key_proj bias: softmax ignores a per-query constant; unused parameters) must be as
 * small in absolute terms.
 */
function gradError(got: ArrayLike<number>, want: readonly number[], zeroBelow: number): number {
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (scale >= zeroBelow) return maxRel(got, want);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i]!));
  return m <= zeroBelow ? 0 : Infinity;
}

interface RunOptions {
  dtype: 'float32' | 'float64';
  packTokens?: boolean;
  fp16?: boolean;
}

async function run(config: ModelConfig, fx: Fixture, weights: Weights, o: RunOptions) {
  // Dropout off, as the reference (eval mode, gradients on).
  const c: ModelConfig = {
    ...config,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    classifier_dropout: 0,
    deberta: { ...config.deberta!, pooler_dropout: 0 },
  };
  const built = buildGraph({ kind: 'grads', config: c, dtype: o.dtype, packTokens: !!o.packTokens, ...(o.fp16 ? { mixedPrecision: 'fp16' as const } : {}) });
  const s = await createSession(built.model, { threads: 1, optimizationLevel: o.dtype === 'float64' ? 'basic' : 'all' });
  const dims = [fx.input_ids.length, fx.input_ids[0]!.length];
  const float = (v: ArrayLike<number>) => (o.dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  const problem = resolveProblemType(c);
  const feeds: Record<string, HostTensor> = {
    input_ids: { dtype: 'int64', dims, data: ints(fx.input_ids) },
    attention_mask: { dtype: 'int64', dims, data: ints(fx.attention_mask) },
    loss_scale: { dtype: o.dtype, dims: [], data: float([1]) },
    labels:
      problem === 'single_label_classification'
        ? { dtype: 'int64', dims: [dims[0]!], data: BigInt64Array.from(fx.labels as number[], (v) => BigInt(v)) }
        : problem === 'multi_label_classification'
          ? { dtype: o.dtype, dims: [dims[0]!, c.num_labels], data: float((fx.labels as number[][]).flat()) }
          : { dtype: o.dtype, dims: [dims[0]!], data: float(fx.labels as number[]) },
  };
  if (takesTokenTypes(c))
    feeds.token_type_ids = { dtype: 'int64', dims, data: fx.token_type_ids ? ints(fx.token_type_ids) : new BigInt64Array(dims[0]! * dims[1]!) };
  for (const [n, w] of weights) feeds[n] = { dtype: o.dtype, dims: w.dims, data: float(w.data as Float32Array) };
  const out = await s.run(feeds);
  await s.dispose();
  return out;
}

const CASES = ['deberta-v3', 'deberta-v2', 'deberta-c2p', 'deberta-conv', 'deberta-norel'];

describe('DeBERTa-v2/v3 parity with the transformers reference (scripts/make_deberta_fixtures.py)', () => {
  for (const c of CASES) {
    test(`${c}: logits, loss and every gradient in float64 (1e-9) and float32, padded and packed`, async () => {
      const dir = join(ROOT, c);
      const fx = fixture(c);
      const logs: string[] = [];
      const model = await loadPretrained(dir, { log: (m) => logs.push(m) });
      assert.deepEqual(logs, [], 'a classifier checkpoint loads with no fresh or unused weights');
      assert.deepEqual(Object.keys(fx.grads).sort(), [...model.weights.keys()].sort(), 'the fixture has a gradient for every parameter');
      for (const [dtype, tol, gradTol, packTokens] of [
        ['float64', 1e-9, 1e-9, false],
        ['float64', 1e-9, 1e-9, true],
        ['float32', 2e-5, 1e-4, false],
        ['float32', 2e-5, 1e-4, true],
      ] as const) {
        const what = `${dtype}${packTokens ? ' packed' : ''}`;
        const out = await run(model.config, fx, model.weights, { dtype, packTokens });
        const logitErr = maxRel(out.logits!.data as Float64Array, fx.logits.flat());
        assert.ok(logitErr <= tol, `${what} logits: max relative error ${logitErr}`);
        const lossErr = Math.abs((out.loss!.data as Float64Array)[0]! - fx.loss) / Math.abs(fx.loss);
        assert.ok(lossErr <= tol, `${what} loss: relative error ${lossErr}`);
        for (const [name, expected] of Object.entries(fx.grads)) {
          const got = out[gradName(name)];
          assert.ok(got, `no gradient output for ${name}`);
          const err = gradError(got.data as Float64Array, expected, dtype === 'float64' ? 1e-12 : 1e-6);
          assert.ok(err <= gradTol, `${what} d/d ${name}: max relative error ${err}`);
        }
      }
    });
  }

  test('deberta-v3: fp16 autocast stays within float16 precision of the float32 reference', async () => {
    const fx = fixture('deberta-v3');
    const model = await loadPretrained(join(ROOT, 'deberta-v3'));
    const out = await run(model.config, fx, model.weights, { dtype: 'float32', fp16: true });
    const logitErr = maxRel(out.logits!.data as Float32Array, fx.logits.flat());
    assert.ok(logitErr <= 1e-2 && logitErr > 0, `logits: max relative error ${logitErr}`);
    for (const [name, expected] of Object.entries(fx.grads)) {
      const err = gradError(out[gradName(name)]!.data as Float32Array, expected, 1e-4);
      assert.ok(err <= 5e-2, `d/d ${name}: max relative error ${err}`);
    }
  });
});

describe('DeBERTa checkpoints: torch.save, sharded, and a base model with pre-training heads', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'finetune-deberta-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const logitsOf = async (dir: string, fx: Fixture): Promise<number> => {
    const model = await loadPretrained(dir);
    const out = await run(model.config, fx, model.weights, { dtype: 'float64' });
    return maxRel(out.logits!.data as Float64Array, fx.logits.flat());
  };

  test('pytorch_model.bin (torch.save zip) gives the same logits', async () => {
    assert.ok((await logitsOf(join(ROOT, 'deberta-v3-bin'), fixture('deberta-v3-bin'))) <= 1e-9);
  });

  test('model.safetensors split into two shards with an index gives the same logits', async () => {
    const { weights } = await loadPretrained(join(ROOT, 'deberta-v3'));
    const names = [...weights.keys()];
    const half = Math.ceil(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    shards.forEach((part, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeFileSync(join(tmp, file), serializeSafetensors(Object.fromEntries(part.map((n) => [n, weights.get(n)!])), { format: 'pt' }));
      for (const n of part) weightMap[n] = file;
    });
    writeFileSync(join(tmp, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
    copyFileSync(join(ROOT, 'deberta-v3', 'config.json'), join(tmp, 'config.json'));
    assert.ok((await logitsOf(tmp, fixture('deberta-v3'))) <= 1e-9);
  });

  test('deberta-base-keys: a DebertaV2Model checkpoint with lm_predictions / mask_predictions maps onto the classifier', async () => {
    const dir = join(ROOT, 'deberta-base-keys');
    const fx = fixture('deberta-base-keys');
    const logs: string[] = [];
    const model = await loadPretrained(dir, { labels: ['neg', 'pos'], log: (m) => logs.push(m) });
    assert.equal(logs.length, 2, logs.join('\n'));
    assert.match(logs[0]!, /not used when initializing DebertaV2ForSequenceClassification: \[lm_predictions\.lm_head\.LayerNorm\.bias, .*mask_predictions\./);
    assert.doesNotMatch(logs[0]!, /position_embeddings/, 'the unused position table is ignored silently, as transformers does');
    assert.match(logs[1]!, /newly initialized: \[pooler\.dense\.weight, pooler\.dense\.bias, classifier\.weight, classifier\.bias\]/);
    const g = new GraphBuilder('first-token');
    const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
    const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
    const params = new Map([...model.weights].map(([n, w]) => [n, g.input(n, 'float64', w.dims)]));
    const first = debertaFirstToken(
      g,
      model.config,
      { inputIds: ids, attentionMask: mask },
      { train: false, param: (n) => params.get(n)! },
      new DropoutSites(g, false),
    );
    g.output(first, 'first');
    const s = await createSession(serialize(g), { threads: 1, optimizationLevel: 'basic' });
    const dims = [fx.input_ids.length, fx.input_ids[0]!.length];
    const feeds: Record<string, HostTensor> = {
      input_ids: { dtype: 'int64', dims, data: ints(fx.input_ids) },
      attention_mask: { dtype: 'int64', dims, data: ints(fx.attention_mask) },
    };
    for (const [n, w] of model.weights) feeds[n] = { dtype: 'float64', dims: w.dims, data: Float64Array.from(w.data as Float32Array) };
    const out = await s.run(feeds);
    await s.dispose();
    const err = maxRel(out.first!.data as Float64Array, fx.first_token_hidden!.flat());
    assert.ok(err <= 1e-9, `first token hidden state: max relative error ${err}`);
  });
});

describe('DeBERTa relative positions', () => {
  const buckets = JSON.parse(readFileSync(join(ROOT, 'deberta-buckets', 'fixture.json'), 'utf8')) as {
    from: number;
    to: number;
    tables: Record<string, number[]>;
  };
  for (const [key, table] of Object.entries(buckets.tables)) {
    test(`make_log_bucket_position(r, ${key}) equals torch's float32 values for r in [${buckets.from}, ${buckets.to}]`, () => {
      const [size, maxPos] = key.split(',').map(Number) as [number, number];
      const ours = table.map((_, i) => logBucketPosition(buckets.from + i, size, maxPos));
      assert.deepEqual(ours, table);
    });
  }

  const span = (buckets: number, maxRel: number): ReturnType<typeof relativeSpan> => ({ span: buckets > 0 ? buckets : maxRel, maxRelative: maxRel, buckets });
  const cases: [string, ReturnType<typeof relativeSpan>, number][] = [
    ['v3: 256 buckets, 512 positions', span(256, 512), 512],
    ['no buckets, span 6', span(-1, 6), 6],
    ['8 buckets, 10 positions', span(8, 10), 10],
  ];
  for (const [name, s, reach] of cases) {
    test(`${name}: rows stay at their clamp from distance ${reach} on`, () => {
      const t = relativeRowTable(s);
      assert.equal(t.reach, reach);
      assert.equal(t.rows[0], 0);
      assert.equal(t.rows.at(-1), 2 * s.span - 1);
      for (let i = 1; i < t.rows.length; i++) assert.ok(t.rows[i]! >= t.rows[i - 1]!, 'monotone');
    });
  }
});
