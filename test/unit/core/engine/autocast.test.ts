/**
 * float16 support in the graph: the number <-> half conversions, torch.autocast's op policy in
 * the builder, and an autocast graph that ONNX Runtime runs with float32-level agreement.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradients } from '../../../../src/core/engine/autodiff/index.js';
import { GraphBuilder, type Value } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import { fromHalfBits, type HostTensor, tensor, toHalfBits } from '../../../../src/core/engine/tensor.js';
import { halfToFloat32 } from '../../../../src/core/model/checkpoint/index.js';

describe('float16 conversion', () => {
  const cases: [string, number, number][] = [
    ['one', 1, 0x3c00],
    ['minus two', -2, 0xc000],
    ['largest half', 65504, 0x7bff],
    ['rounds down to the largest half', 65519, 0x7bff],
    ['overflows to infinity', 65520, 0x7c00],
    ['0.1 (rounded to nearest)', 0.1, 0x2e66],
    ['smallest subnormal', 2 ** -24, 0x0001],
    ['half the smallest subnormal: tie to even zero', 2 ** -25, 0x0000],
    ['three halves of the smallest subnormal: tie to even 2', 3 * 2 ** -25, 0x0002],
    ['1 + 2^-11: tie to even 1', 1 + 2 ** -11, 0x3c00],
    ['1 + 3 * 2^-11: tie to even 1 + 2^-9', 1 + 3 * 2 ** -11, 0x3c02],
    ['rounding carries into the exponent', 2047.9, 0x6800],
    ['negative zero', -0, 0x8000],
    ['-infinity', -Infinity, 0xfc00],
    ['NaN stays NaN', NaN, 0x7e00],
  ];
  for (const [name, x, bits] of cases) {
    test(name, () => {
      assert.equal(toHalfBits(x).toString(16), bits.toString(16));
    });
  }

  test('every half pattern decodes as the checkpoint reader does and encodes back to itself', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const reference = halfToFloat32(all);
    for (let h = 0; h < 65536; h++) {
      const v = fromHalfBits(h);
      if (Number.isNaN(reference[h]!)) {
        assert.ok(Number.isNaN(v));
        continue;
      }
      assert.equal(v, reference[h], `pattern ${h.toString(16)}`);
      assert.equal(toHalfBits(v), h, `pattern ${h.toString(16)} round trip`);
    }
  });

  test('float16 tensors store half bit patterns', () => {
    assert.deepEqual(Array.from(tensor('float16', [3], [1, -2, 0.5]).data as Uint16Array), [0x3c00, 0xc000, 0x3800]);
  });
});

/** A two-layer block in the shape of a BERT layer: Linear, scaled scores, mask, softmax, LayerNorm, loss. */
function block(
  g: GraphBuilder,
  x: Value,
  w1: Value,
  b1: Value,
  w2: Value,
  gamma: Value,
  beta: Value,
  mask: Value,
  labels: Value,
): { logits: Value; loss: Value } {
  const h = g.gelu(g.linear(x, w1, b1));
  const scores = g.add(g.div(g.matmul(h, g.transpose(h, [1, 0])), g.scalarConst('float32', 4)), mask);
  const probs = g.softmax(scores, -1);
  const mixed = g.add(g.matmul(probs, h), h);
  const normed = g.layerNorm(mixed, gamma, beta, 1e-12)[0];
  const logits = g.linear(normed, w2);
  const loss = g.softmaxCrossEntropy(logits, labels);
  return { logits, loss };
}

function build(autocast: boolean): { g: GraphBuilder; grads: Map<Value, Value | undefined>; params: Value[] } {
  const g = new GraphBuilder('block');
  const x = g.input('x', 'float32', [6, 8]);
  const mask = g.input('mask', 'float32', [6, 6]);
  const labels = g.input('labels', 'int64', [6]);
  const w1 = g.input('w1', 'float32', [16, 8]);
  const b1 = g.input('b1', 'float32', [16]);
  const w2 = g.input('w2', 'float32', [3, 16]);
  const gamma = g.input('gamma', 'float32', [16]);
  const beta = g.input('beta', 'float32', [16]);
  if (autocast) g.autocast = 'float16';
  const { logits, loss } = block(g, x, w1, b1, w2, gamma, beta, mask, labels);
  g.autocast = undefined;
  const params = [w1, b1, w2, gamma, beta];
  const grads = gradients(g, loss, params);
  g.output(loss, 'loss');
  g.output(g.cast(logits, 'float32'), 'logits');
  for (const [i, p] of params.entries()) g.output(grads.get(p)!, `grad${i}`);
  return { g, grads, params };
}

describe('autocast policy (torch.autocast float16)', () => {
  const { g, grads, params } = build(true);
  const byOp = (op: string) => g.nodes.filter((n) => n.op === op);

  test('matrix products run in float16, their float32 inputs cast down', () => {
    for (const op of ['MatMul', 'Linear']) {
      const nodes = byOp(op).filter((n) => g.nodes.indexOf(n) < g.nodes.findIndex((m) => m.op === 'SoftmaxCrossEntropy'));
      assert.ok(nodes.length > 0);
      for (const n of nodes) for (const v of n.inputs) if (v) assert.equal(v.dtype, 'float16', `${op} ${n.name} input ${v.name}`);
    }
  });

  test('softmax, LayerNorm and the loss run in float32', () => {
    for (const op of ['Softmax', 'LayerNorm', 'SoftmaxCrossEntropy']) {
      const n = byOp(op)[0]!;
      assert.equal(n.inputs[0]!.dtype, 'float32', op);
      assert.equal(n.outputs[0]!.dtype, 'float32', op);
    }
  });

  test('a scalar constant takes its tensor operand dtype; mixing float16 with float32 promotes', () => {
    const div = byOp('Div')[0]!;
    assert.deepEqual(
      div.inputs.map((v) => v!.dtype),
      ['float16', 'float16'],
    );
    const maskAdd = byOp('Add').find((n) => n.inputs.some((v) => v!.name === 'mask'))!;
    assert.deepEqual(
      maskAdd.inputs.map((v) => v!.dtype),
      ['float32', 'float32'],
    );
    assert.equal(maskAdd.inputs[0]!.producer!.op, 'Cast');
  });

  test('parameters are float32 master weights and get float32 gradients', () => {
    for (const p of params) {
      assert.equal(p.dtype, 'float32');
      assert.equal(grads.get(p)!.dtype, 'float32', p.name);
    }
  });

  test('without autocast the graph has no float16 value', () => {
    const plain = build(false).g;
    for (const n of plain.nodes) for (const v of [...n.inputs, ...n.outputs]) if (v) assert.notEqual(v.dtype, 'float16', `${n.op} ${v.name}`);
  });

  test('ONNX Runtime runs it; loss, logits and gradients agree with float32 to float16 precision', async () => {
    const rand = (n: number, seed: number, scale: number): Float32Array => {
      let s = seed;
      return Float32Array.from({ length: n }, () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return (s / 2147483648 - 0.5) * scale;
      });
    };
    const maskData = new Float32Array(36);
    for (let i = 0; i < 6; i++) maskData[i * 6 + 5] = -3.4028234663852886e38; // last position masked out
    const feeds: Record<string, HostTensor> = {
      x: { dtype: 'float32', dims: [6, 8], data: rand(48, 1, 2) },
      mask: { dtype: 'float32', dims: [6, 6], data: maskData },
      labels: { dtype: 'int64', dims: [6], data: BigInt64Array.from([0n, 1n, 2n, 1n, 0n, 2n]) },
      w1: { dtype: 'float32', dims: [16, 8], data: rand(128, 2, 0.6) },
      b1: { dtype: 'float32', dims: [16], data: rand(16, 3, 0.2) },
      w2: { dtype: 'float32', dims: [3, 16], data: rand(48, 4, 0.6) },
      gamma: { dtype: 'float32', dims: [16], data: Float32Array.from({ length: 16 }, (_, i) => 1 + i / 64) },
      beta: { dtype: 'float32', dims: [16], data: rand(16, 5, 0.1) },
    };
    const run = async (autocast: boolean) => {
      const s = await createSession(serialize(build(autocast).g), { executionProvider: 'cpu', threads: 1 });
      const out = await s.run(feeds);
      await s.dispose();
      return out;
    };
    const [half, full] = [await run(true), await run(false)];
    const loss = [(half.loss!.data as Float32Array)[0]!, (full.loss!.data as Float32Array)[0]!];
    assert.ok(Math.abs(loss[0]! - loss[1]!) <= 2e-3 * Math.abs(loss[1]!), `loss ${loss[0]} vs ${loss[1]}`);
    assert.equal(half.logits!.dtype, 'float32');
    for (const k of ['logits', 'grad0', 'grad1', 'grad2', 'grad3', 'grad4']) {
      const [a, b] = [half[k]!.data as Float32Array, full[k]!.data as Float32Array];
      assert.equal(half[k]!.dtype, 'float32', k);
      let num = 0;
      let den = 0;
      for (let i = 0; i < a.length; i++) {
        num += (a[i]! - b[i]!) ** 2;
        den += b[i]! ** 2;
      }
      // float16 keeps 11 significant bits (relative rounding 4.9e-4); a few roundings compound.
      assert.ok(Math.sqrt(num / den) <= 5e-3, `${k}: relative error ${Math.sqrt(num / den)}`);
      assert.ok(Math.sqrt(num / den) > 0, `${k}: identical to float32, so no float16 arithmetic ran`);
    }
  });
});
