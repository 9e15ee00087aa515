/**
 * The blocked sliding-window attention against a brute-force window (every query over its keys
 * |i - j| <= r of the same sequence), for stream lengths below, at and across block boundaries and
 * several sequences packed in one stream; its float64 gradients numerically; and its shape: no
 * value of the forward or backward graph has two length-dependent dims (no [seq, seq] anything).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradients } from '../../../../src/core/engine/autodiff/index.js';
import { GraphBuilder, type Value } from '../../../../src/core/engine/graph.js';
import { serialize } from '../../../../src/core/engine/onnx/serialize.js';
import { createSession } from '../../../../src/core/engine/runtime.js';
import { tensor } from '../../../../src/core/engine/tensor.js';
import { banding, localAttention } from '../../../../src/core/model/architectures/modernbert-attention.js';
import { gradcheck, randn, rng } from '../../../helpers/gradcheck.js';

const H = 2;
const D = 3;

function bruteForce(q: number[], k: number[], v: number[], tags: number[], n: number, r: number): number[] {
  const out = new Array<number>(H * n * D).fill(0);
  const at = (x: number[], h: number, i: number, d: number): number => x[(h * n + i) * D + d]!;
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < n; i++) {
      const keys = [...Array(n).keys()].filter((j) => Math.abs(i - j) <= r && tags[j] === tags[i]);
      const s = keys.map((j) => [...Array(D).keys()].reduce((a, d) => a + at(q, h, i, d) * at(k, h, j, d), 0) / Math.sqrt(D));
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < D; d++) out[(h * n + i) * D + d] = keys.reduce((a, j, t) => a + (e[t]! / z) * at(v, h, j, d), 0);
    }
  }
  return out;
}

function build(g: GraphBuilder, n: number | string, r: number): { q: Value; k: Value; v: Value; tags: Value; out: Value } {
  const q = g.input('q', 'float64', [1, H, n, D]);
  const k = g.input('k', 'float64', [1, H, n, D]);
  const v = g.input('v', 'float64', [1, H, n, D]);
  const tags = g.input('tags', 'int64', [1, n]);
  return { q, k, v, tags, out: localAttention(g, q, k, v, banding(g, tags, r, 'float64')) };
}

/** Sequences of the given lengths packed one after another, then `padding` positions tagged -1. */
const tagsOf = (lengths: number[], padding = 0): number[] => [
  ...lengths.flatMap((l, s) => new Array<number>(l).fill(s)),
  ...new Array<number>(padding).fill(-1),
];

const CASES: { name: string; lengths: number[]; padding?: number; r: number }[] = [
  { name: 'one token', lengths: [1], r: 4 },
  { name: 'shorter than a block', lengths: [3], r: 4 },
  { name: 'exactly two blocks', lengths: [8], r: 4 },
  { name: 'across block boundaries', lengths: [13], r: 4 },
  { name: 'three packed sequences', lengths: [7, 2, 11], r: 3 },
  { name: 'sequences with padding positions (a padded row)', lengths: [9], padding: 6, r: 2 },
  { name: 'window wider than the stream', lengths: [5, 4], r: 16 },
];

describe('ModernBERT sliding-window attention (blocked)', () => {
  for (const c of CASES) {
    test(`${c.name}: equals the brute-force window`, async () => {
      const tags = tagsOf(c.lengths, c.padding);
      const n = tags.length;
      const g = new GraphBuilder('window');
      const { out } = build(g, 'n', c.r);
      g.output(out, 'out');
      const s = await createSession(serialize(g), { threads: 1, optimizationLevel: 'basic' });
      const rand = rng(n * 31 + c.r);
      const [q, k, v] = [0, 1, 2].map(() => randn(rand, H * n * D, 1.5));
      const feeds = {
        q: tensor('float64', [1, H, n, D], q!),
        k: tensor('float64', [1, H, n, D], k!),
        v: tensor('float64', [1, H, n, D], v!),
        tags: tensor('int64', [1, n], tags),
      };
      const got = (await s.run(feeds)).out!;
      await s.dispose();
      assert.deepEqual(got.dims, [1, H, n, D]);
      const want = bruteForce(q!, k!, v!, tags, n, c.r);
      for (let h = 0; h < H; h++)
        for (let i = 0; i < n; i++) {
          if (tags[i]! < 0) continue; // padding queries: nobody reads them
          for (let d = 0; d < D; d++) {
            const j = (h * n + i) * D + d;
            assert.ok(Math.abs((got.data as Float64Array)[j]! - want[j]!) < 1e-12, `head ${h} query ${i}: ${(got.data as Float64Array)[j]} vs ${want[j]}`);
          }
        }
    });
  }

  test('float64 gradients of q, k and v match central differences (3 packed sequences, 19 positions, r 3)', async () => {
    const tags = tagsOf([8, 3, 8]);
    const n = tags.length;
    const res = await gradcheck(
      [
        { name: 'q', dims: [1, H, n, D] },
        { name: 'k', dims: [1, H, n, D] },
        { name: 'v', dims: [1, H, n, D] },
        { name: 'tags', dims: [1, n], dtype: 'int64', grad: false, values: tags },
      ],
      (g, x) => localAttention(g, x.q!, x.k!, x.v!, banding(g, x.tags!, 3, 'float64')),
    );
    assert.ok(res.checked > 0);
    assert.ok(res.maxRelError <= 1e-6, `max relative error ${res.maxRelError}`);
  });

  test('no value of the forward or backward graph has two length-dependent dims', () => {
    const g = new GraphBuilder('window');
    const { q, k, v, out } = build(g, 'n', 64);
    const loss = g.reduceSum(g.mul(out, out), [0, 1, 2, 3]);
    const grads = gradients(g, loss, [q, k, v]);
    assert.equal([...grads.values()].filter(Boolean).length, 3);
    const symbolic = (x: Value): number => x.shape.filter((d) => typeof d === 'string').length;
    const values = g.nodes.flatMap((node) => node.outputs);
    const worst = values.filter((x) => symbolic(x) > 1);
    assert.deepEqual(
      worst.map((x) => `${x.name} [${x.shape.join(', ')}]`),
      [],
    );
    // The scores are [1, heads, blocks, r, 3r].
    assert.ok(values.some((x) => x.shape.length === 5 && x.shape[3] === 64 && x.shape[4] === 192));
  });
});
