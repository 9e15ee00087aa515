// Confident learning on out-of-sample probabilities: thresholds, the confident joint, its
// calibration, flipped labels found and ranked first, the estimate of how many, both rankings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Random } from '../../../../src/core/random.js';
import { calibrateJoint, classThresholds, confidentJoint, findLabelIssues, roundPreservingSum } from '../../../../src/core/train/label-issues.js';

/** n rows of K classes; a model right about 90% of the time; `flips` rows get another given label. */
function noisy(n: number, K: number, flips: number, seed: number): { probs: Float64Array; given: Int32Array; flipped: Set<number> } {
  const r = new Random(seed);
  const probs = new Float64Array(n * K);
  const given = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const truth = Math.floor(r.next() * K);
    given[i] = truth;
    // The model's probabilities: mostly on the true class, sometimes confused.
    const z = Array.from({ length: K }, (_, k) => (k === truth ? 3 : 0) + r.normal());
    const e = z.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (probs[i * K + k] = v / s));
  }
  const flipped = new Set<number>();
  while (flipped.size < flips) {
    const i = Math.floor(r.next() * n);
    if (flipped.has(i)) continue;
    flipped.add(i);
    given[i] = (given[i]! + 1 + Math.floor(r.next() * (K - 1))) % K;
  }
  return { probs, given, flipped };
}

describe('confident learning', () => {
  test('thresholds are the mean self-confidence per class', () => {
    const probs = [0.9, 0.1, 0.7, 0.3, 0.4, 0.6, 0.2, 0.8];
    assert.deepEqual(
      classThresholds(probs, [0, 0, 1, 1], 2).map((x) => Number(x.toFixed(6))),
      [0.8, 0.7],
    );
  });

  test('the confident joint: rows counted at the class over its threshold (the most probable of several), none when none is', () => {
    // thresholds 0.5 / 0.5; row 2 reaches both (argmax 0); row 3 reaches none.
    const probs = [0.9, 0.1, 0.2, 0.8, 0.6, 0.55, 0.45, 0.45];
    const C = confidentJoint(probs, [0, 0, 1, 1], 2, [0.5, 0.5]);
    assert.deepEqual(C, [
      [1, 1],
      [1, 1],
    ]);
    assert.deepEqual(confidentJoint([0.9, 0.1, 0.8, 0.2], [0, 0], 2, [0.5, 0.5]), [
      [2, 0],
      [0, 1],
    ]);
  });

  for (const [xs, want] of [
    [
      [1.5, 1.5, 1],
      [2, 1, 1],
    ],
    [
      [0.2, 0.2, 0.6],
      [0, 0, 1],
    ],
    [
      [3, 0, 0],
      [3, 0, 0],
    ],
  ] as const) {
    test(`roundPreservingSum(${xs.join(', ')}) = ${want.join(', ')}`, () => assert.deepEqual(roundPreservingSum(xs), want));
  }

  test('the calibrated joint: row i sums to the rows labelled i', () => {
    const cal = calibrateJoint(
      [
        [8, 2],
        [1, 3],
      ],
      [20, 8],
    );
    assert.deepEqual(cal, [
      [16, 4],
      [2, 6],
    ]);
  });

  for (const K of [2, 4]) {
    test(`${K} classes, 1,500 rows, 75 flipped labels: most are flagged and ranked first; the estimate is near 75`, () => {
      const { probs, given, flipped } = noisy(1500, K, 75, 7 + K);
      const r = findLabelIssues({ probs, given, numClasses: K });
      const top = r.order.slice(0, 75);
      const found = top.filter((i) => flipped.has(i)).length;
      assert.ok(found >= 0.8 * 75, `${found} of the 75 flips in the top 75 (estimate ${r.estimatedIssues})`);
      assert.ok(r.estimatedIssues >= 50 && r.estimatedIssues <= 130, `estimate ${r.estimatedIssues}`);
      // the flagged rows come first, each group by rising quality
      const flaggedCount = r.flagged.reduce((a, b) => a + b, 0);
      assert.equal(flaggedCount, r.estimatedIssues);
      r.order.forEach((row, k) => assert.equal(r.flagged[row], k < flaggedCount ? 1 : 0));
      for (let k = 1; k < r.order.length; k++) {
        if (k === flaggedCount) continue;
        assert.ok(r.quality[r.order[k]!]! >= r.quality[r.order[k - 1]!]!, `order at ${k}`);
      }
      // a flagged row is never one the model agrees with; the suggestion is the most probable class
      for (let i = 0; i < given.length; i++) if (r.flagged[i]) assert.notEqual(r.suggested[i], given[i]);
    });
  }

  test('normalized margin: (p_given - max other + 1) / 2', () => {
    const probs = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3];
    const r = findLabelIssues({ probs, given: [0, 2], numClasses: 3, rankBy: 'normalized_margin' });
    assert.ok(Math.abs(r.quality[0]! - 0.65) < 1e-12);
    assert.ok(Math.abs(r.quality[1]! - 0.4) < 1e-12);
    const s = findLabelIssues({ probs, given: [0, 2], numClasses: 3 });
    assert.deepEqual(Array.from(s.quality), [0.6, 0.3]);
  });

  test('no noise, a confident model: nothing flagged', () => {
    const probs = [0.95, 0.05, 0.9, 0.1, 0.1, 0.9, 0.02, 0.98];
    const r = findLabelIssues({ probs, given: [0, 0, 1, 1], numClasses: 2 });
    assert.equal(r.estimatedIssues, 0);
  });
});
