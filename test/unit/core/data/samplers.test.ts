// Samplers: file order, seeded shuffles that resume mid-epoch exactly, transformers'
// length-grouped order (every row once per epoch, longest batch first), evaluation order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchSampler,
  evalBatches,
  lengthGroupedIndices,
  permutation,
  RowOrder,
  type SamplerKind,
  shuffledLengthGroupedIndices,
} from '../../../../src/core/data/index.js';
import { Random } from '../../../../src/core/model/init.js';

function lengthsOf(n: number, seed: number): Int32Array {
  const r = new Random(seed);
  return Int32Array.from({ length: n }, () => 3 + Math.floor(r.next() * 120));
}

function sortedCopy(a: readonly number[]): number[] {
  return [...a].sort((x, y) => x - y);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** transformers' get_length_grouped_indices, written out again from its source, on a given permutation. */
function referenceGrouped(perm: number[], lengths: ArrayLike<number>, batchSize: number): number[] {
  const n = perm.length;
  let mult = Math.min(Math.floor(n / (batchSize * 4)), 50);
  if (mult === 0) mult = 1;
  const size = mult * batchSize;
  const megabatches: number[][] = [];
  for (let i = 0; i < n; i += size) {
    const mb = perm.slice(i, i + size);
    // Python's sorted(..., reverse=True) is stable: equal lengths keep their order
    const keyed = mb.map((idx, pos) => ({ idx, pos }));
    keyed.sort((a, b) => lengths[b.idx]! - lengths[a.idx]! || a.pos - b.pos);
    megabatches.push(keyed.map((k) => k.idx));
  }
  const maxima = megabatches.map((m) => lengths[m[0]!]!);
  const maxIdx = maxima.indexOf(Math.max(...maxima)); // torch.argmax: first maximum
  const t = megabatches[0]![0]!;
  megabatches[0]![0] = megabatches[maxIdx]![0]!;
  megabatches[maxIdx]![0] = t;
  return megabatches.flat();
}

describe('length-grouped sampler (transformers semantics)', () => {
  const table: { n: number; batchSize: number; seed: number }[] = [
    { n: 1000, batchSize: 8, seed: 1 }, // mult = min(1000 / 32, 50) = 31
    { n: 10_000, batchSize: 16, seed: 2 }, // mult = 50
    { n: 37, batchSize: 16, seed: 3 }, // tiny: mult 0 -> 1
    { n: 5, batchSize: 2, seed: 4 },
  ];
  for (const row of table) {
    test(`n=${row.n} batch=${row.batchSize}: matches the reference, every row once, longest first`, () => {
      const lengths = lengthsOf(row.n, row.seed + 100);
      const got = lengthGroupedIndices(lengths, row.batchSize, new Random(row.seed));
      const want = referenceGrouped(permutation(new Random(row.seed), row.n), lengths, row.batchSize);
      assert.deepEqual(got, want);
      assert.deepEqual(sortedCopy(got), range(row.n));
      const max = Math.max(...lengths);
      assert.equal(lengths[got[0]!], max);
    });
  }

  test('epochs through the sampler: each covers every row exactly once, first batch holds the longest row', () => {
    const n = 500;
    const lengths = lengthsOf(n, 9);
    const s = new BatchSampler({ kind: 'length-grouped', size: n, batchSize: 12, seed: 11, lengths });
    assert.equal(s.batchesPerEpoch, 42);
    const epochs: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const seen: number[] = [];
      for (let b = 0; b < s.batchesPerEpoch; b++) {
        const batch = s.next();
        assert.equal(batch.epoch, e);
        assert.equal(batch.batchIndex, b);
        if (b === 0) assert.equal(Math.max(...batch.indices.map((i) => lengths[i]!)), Math.max(...lengths));
        seen.push(...batch.indices);
      }
      assert.deepEqual(sortedCopy(seen), range(n));
      epochs.push(seen);
    }
    assert.notDeepEqual(epochs[0], epochs[1]);
    // batches hold similar lengths: the mean spread inside a batch is far below the global spread
    const s2 = new BatchSampler({ kind: 'length-grouped', size: n, batchSize: 12, seed: 11, lengths });
    let spread = 0;
    const batches = s2.epochBatches();
    for (const b of batches) spread += Math.max(...b.map((i) => lengths[i]!)) - Math.min(...b.map((i) => lengths[i]!));
    assert.ok(spread / batches.length < 20, `mean in-batch spread ${spread / batches.length}`);
  });

  test('deterministic per seed', () => {
    const lengths = lengthsOf(300, 5);
    const a = new BatchSampler({ kind: 'length-grouped', size: 300, batchSize: 8, seed: 3, lengths }).epochBatches();
    const b = new BatchSampler({ kind: 'length-grouped', size: 300, batchSize: 8, seed: 3, lengths }).epochBatches();
    const c = new BatchSampler({ kind: 'length-grouped', size: 300, batchSize: 8, seed: 4, lengths }).epochBatches();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});

describe('length-shuffled sampler (--group_by_length)', () => {
  const cut = (order: number[], b: number): number[][] => Array.from({ length: Math.ceil(order.length / b) }, (_, i) => order.slice(i * b, (i + 1) * b));
  const table = [
    { n: 1000, batchSize: 8, seed: 1 },
    { n: 10_000, batchSize: 64, seed: 2 }, // 157 batches, the last one short (16 rows)
    { n: 37, batchSize: 16, seed: 3 }, // 3 batches: only the middle one could move
  ];
  for (const row of table) {
    test(`n=${row.n} batch=${row.batchSize}: the transformers batches, longest first, a short one last, the rest permuted`, () => {
      const lengths = lengthsOf(row.n, row.seed + 100);
      const grouped = cut(lengthGroupedIndices(lengths, row.batchSize, new Random(row.seed)), row.batchSize);
      const shuffled = cut(shuffledLengthGroupedIndices(lengths, row.batchSize, new Random(row.seed)), row.batchSize);
      // The same batches (same rows together), a different order.
      const key = (b: number[]): string => sortedCopy(b).join(',');
      assert.deepEqual(shuffled.map(key).sort(), grouped.map(key).sort());
      assert.deepEqual(shuffled[0], grouped[0]);
      if (row.n % row.batchSize) assert.deepEqual(shuffled[shuffled.length - 1], grouped[grouped.length - 1]);
      if (grouped.length > 3) assert.notDeepEqual(shuffled.map(key), grouped.map(key));
    });
  }

  test('no drift: batch lengths no longer run from long to short within a mega-batch', () => {
    // transformers order: inside each mega-batch, each batch is no longer than the one before.
    const n = 6400;
    const lengths = lengthsOf(n, 12);
    const maxLen = (order: number[]): number[] => cut(order, 32).map((b) => Math.max(...b.map((i) => lengths[i]!)));
    const descents = (xs: number[]): number => xs.slice(1).filter((x, i) => x <= xs[i]!).length;
    const hf = maxLen(lengthGroupedIndices(lengths, 32, new Random(5)));
    const ours = maxLen(shuffledLengthGroupedIndices(lengths, 32, new Random(5)));
    assert.ok(descents(hf) >= hf.length - 5, `transformers order: ${descents(hf)} of ${hf.length - 1} steps go down`);
    assert.ok(descents(ours) < 0.7 * ours.length, `shuffled order: ${descents(ours)} of ${ours.length - 1} steps go down`);
  });
});

describe('sequential and random samplers', () => {
  test('sequential: file order every epoch, last batch short', () => {
    const s = new BatchSampler({ kind: 'sequential', size: 7, batchSize: 3 });
    const got = Array.from({ length: 6 }, () => s.next().indices);
    assert.deepEqual(got, [[0, 1, 2], [3, 4, 5], [6], [0, 1, 2], [3, 4, 5], [6]]);
    assert.equal(s.state().rng, null);
  });

  test('drop_last', () => {
    const s = new BatchSampler({ kind: 'random', size: 7, batchSize: 3, dropLast: true, seed: 1 });
    assert.equal(s.batchesPerEpoch, 2);
    const e = s.epochBatches();
    assert.deepEqual(
      e.map((b) => b.length),
      [3, 3],
    );
  });

  test('random: a permutation per epoch, different each epoch, same for the same seed', () => {
    const a = new BatchSampler({ kind: 'random', size: 50, batchSize: 8, seed: 42 });
    const b = new BatchSampler({ kind: 'random', size: 50, batchSize: 8, seed: 42 });
    const e0 = a.epochBatches().flat();
    assert.deepEqual(sortedCopy(e0), range(50));
    assert.deepEqual(b.epochBatches().flat(), e0);
    for (let i = 0; i < a.batchesPerEpoch; i++) a.next();
    const e1 = a.epochBatches().flat();
    assert.notDeepEqual(e1, e0);
    assert.deepEqual(sortedCopy(e1), range(50));
  });

  const kinds: SamplerKind[] = ['random', 'length-grouped', 'length-shuffled', 'sequential'];
  for (const kind of kinds) {
    test(`${kind}: resumes mid-epoch exactly from a saved state (JSON round trip)`, () => {
      const n = 103;
      const lengths = lengthsOf(n, 1);
      const opts = { kind, size: n, batchSize: 10, seed: 7, lengths };
      const full = new BatchSampler(opts);
      const reference = Array.from({ length: 40 }, () => full.next()); // about 3.6 epochs
      for (const stopAt of [0, 3, 10, 11, 25, 33]) {
        const first = new BatchSampler(opts);
        for (let k = 0; k < stopAt; k++) first.next();
        const saved = JSON.parse(JSON.stringify(first.state())) as ReturnType<typeof first.state>;
        assert.equal(saved.epoch, Math.floor(stopAt / 11));
        assert.equal(saved.batchIndex, stopAt % 11);
        const resumed = new BatchSampler({ ...opts, state: saved });
        for (let k = stopAt; k < 40; k++) assert.deepEqual(resumed.next(), reference[k], `${kind}: batch ${k} after resuming at ${stopAt}`);
      }
    });
  }

  test('a state of another kind is refused', () => {
    const s = new BatchSampler({ kind: 'random', size: 10, batchSize: 2 });
    assert.throws(() => new BatchSampler({ kind: 'sequential', size: 10, batchSize: 2, state: s.state() }), /saved sampler is 'random'/);
  });
});

describe('evaluation order', () => {
  test('batches sorted by length, longest first, and outputs put back in row order', () => {
    const lengths = [5, 9, 2, 9, 7];
    const batches = evalBatches(lengths, 2);
    assert.deepEqual(batches, [[1, 3], [4, 0], [2]]);
    const out = new RowOrder(5, 2);
    // a fake model: logits of row i are [i, -i]
    for (const b of batches)
      out.add(
        b,
        b.flatMap((i) => [i, -i]),
      );
    assert.ok(out.complete);
    assert.deepEqual(Array.from(out.values), [0, -0, 1, -1, 2, -2, 3, -3, 4, -4]);
    assert.deepEqual(evalBatches(lengths, 2, false), [[0, 1], [2, 3], [4]]);
  });
});
