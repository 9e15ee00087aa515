// Calibration fitting: temperature scaling recovers a known temperature and lowers the ECE on a
// held-back split, the ECE and reliability bins of a hand-made table, F1-best thresholds, the
// abstain threshold for a target precision, and the fitted file for each problem type.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Random } from '../../../../src/core/random.js';
import {
  type LabelledLogits,
  abstainThreshold,
  bestF1Threshold,
  calibrationMetrics,
  fitCalibration,
  fitTemperature,
  nllAt,
  reliability,
} from '../../../../src/core/train/calibration.js';
import { decide, probabilitiesOf } from '../../../../src/core/predict/calibration.js';

/**
 * n rows of C classes whose labels are drawn from softmax(z), presented as logits z * scale: a model
 * overconfident by `scale` (the best temperature is `scale`).
 */
function overconfident(n: number, C: number, scale: number, seed: number): LabelledLogits {
  const r = new Random(seed);
  const logits = new Float32Array(n * C);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: C }, () => 1.5 * r.normal());
    const p = probabilitiesOf(false, z);
    let u = r.next();
    let y = 0;
    while (y < C - 1 && u >= p[y]!) u -= p[y++]!;
    ids[i] = y;
    z.forEach((v, k) => (logits[i * C + k] = v * scale));
  }
  return { problemType: 'single_label_classification', logits, width: C, labels: { kind: 'single', ids } };
}

function overconfidentMulti(n: number, C: number, scale: number, seed: number): LabelledLogits {
  const r = new Random(seed);
  const logits = new Float32Array(n * C);
  const multiHot = new Uint8Array(n * C);
  for (let j = 0; j < n * C; j++) {
    const z = 2 * r.normal();
    multiHot[j] = r.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    logits[j] = z * scale;
  }
  return { problemType: 'multi_label_classification', logits, width: C, labels: { kind: 'multi', numLabels: C, multiHot } };
}

describe('temperature scaling', () => {
  for (const [name, make, scale] of [
    ['single-label, 3 classes, 2.5x overconfident', () => overconfident(6000, 3, 2.5, 1), 2.5],
    ['single-label, 2 classes, underconfident (0.5x)', () => overconfident(6000, 2, 0.5, 2), 0.5],
    ['multi-label, 4 labels, 3x overconfident', () => overconfidentMulti(2000, 4, 3, 3), 3],
  ] as const) {
    test(`${name}: the fitted T is near ${scale}, the NLL is at its minimum there`, () => {
      const s = make();
      const T = fitTemperature(s);
      assert.ok(Math.abs(T / scale - 1) < 0.08, `T = ${T}`);
      for (const f of [0.9, 1.1]) assert.ok(nllAt(s, T) <= nllAt(s, T * f), `NLL(${T}) > NLL(${T * f})`);
    });
  }

  test('fitted on one split, the ECE and NLL of a held-back split go down', () => {
    const fitOn = overconfident(3000, 3, 2.5, 10);
    const heldBack = overconfident(3000, 3, 2.5, 11);
    const T = fitTemperature(fitOn);
    const before = calibrationMetrics(heldBack, 1);
    const after = calibrationMetrics(heldBack, T);
    assert.ok(after.ece <= before.ece, `ECE ${before.ece} -> ${after.ece}`);
    assert.ok(before.ece > 0.1 && after.ece < 0.03, `ECE ${before.ece} -> ${after.ece}`);
    assert.ok(after.nll < before.nll);
  });

  test('a split every row of which is right pushes T to its lower bound (0.05), not to zero', () => {
    const s: LabelledLogits = {
      problemType: 'single_label_classification',
      logits: Float32Array.from([3, 0, 0, 2, 4, 1]),
      width: 2,
      labels: { kind: 'single', ids: Int32Array.from([0, 1, 0]) },
    };
    assert.equal(fitTemperature(s), 0.05);
  });
});

describe('ECE and reliability bins (15 equal-width bins, (lower, upper])', () => {
  const cases: { name: string; confidence: number[]; correct: number[]; ece: number; filled: Record<number, [number, number, number]> }[] = [
    {
      name: 'two bins, both 0.4 off',
      confidence: [0.9, 0.9, 0.6, 0.6],
      correct: [1, 0, 1, 1],
      ece: 0.4,
      filled: { 13: [2, 0.9, 0.5], 8: [2, 0.6, 1] },
    },
    { name: 'perfectly calibrated', confidence: [0.5, 0.5, 1, 1], correct: [1, 0, 1, 1], ece: 0, filled: { 7: [2, 0.5, 0.5], 14: [2, 1, 1] } },
    {
      name: 'a bin edge (1/15) belongs to the lower bin',
      confidence: [1 / 15, 2 / 15],
      correct: [0, 0],
      ece: 0.1,
      filled: { 0: [1, 1 / 15, 0], 1: [1, 2 / 15, 0] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = reliability(c.confidence, c.correct);
      assert.equal(r.bins.length, 15);
      assert.ok(Math.abs(r.ece - c.ece) < 1e-12, `ece ${r.ece}`);
      r.bins.forEach((b, i) => {
        assert.ok(Math.abs(b.lower - i / 15) < 1e-12 && Math.abs(b.upper - (i + 1) / 15) < 1e-12);
        const want = c.filled[i];
        if (!want) return assert.equal(b.count, 0, `bin ${i}`);
        assert.equal(b.count, want[0]);
        assert.ok(Math.abs(b.confidence - want[1]) < 1e-12 && Math.abs(b.accuracy - want[2]) < 1e-12, `bin ${i}`);
      });
    });
  }
});

describe('decision thresholds', () => {
  const f1Cases: { name: string; p: number[]; y: number[]; threshold: number; f1: number }[] = [
    { name: 'separable: between the classes', p: [0.9, 0.8, 0.3, 0.2], y: [1, 1, 0, 0], threshold: 0.55, f1: 1 },
    { name: 'low probabilities still separate: below 0.5', p: [0.3, 0.25, 0.1, 0.05], y: [1, 1, 0, 0], threshold: 0.175, f1: 1 },
    { name: 'no positive row: 0.5', p: [0.3, 0.2], y: [0, 0], threshold: 0.5, f1: 0 },
    { name: 'ties move together', p: [0.7, 0.7, 0.7, 0.1], y: [1, 0, 1, 0], threshold: 0.4, f1: 0.8 },
  ];
  for (const c of f1Cases) {
    test(`F1-best threshold: ${c.name}`, () => {
      const r = bestF1Threshold(c.p, c.y);
      assert.ok(Math.abs(r.threshold - c.threshold) < 1e-12, `threshold ${r.threshold}`);
      assert.ok(Math.abs(r.f1 - c.f1) < 1e-12, `f1 ${r.f1}`);
    });
  }

  const abstainCases: { name: string; conf: number[]; correct: number[]; target: number; want: [number, number, number] | null }[] = [
    // sorted: .95 ok, .9 ok, .8 wrong, .7 ok, .6 wrong: precision 1, 1, .667, .75, .6
    { name: 'the lowest threshold that still reaches 0.75', conf: [0.6, 0.95, 0.8, 0.7, 0.9], correct: [0, 1, 0, 1, 1], target: 0.75, want: [0.7, 0.75, 0.8] },
    { name: 'precision 1: only the top two', conf: [0.6, 0.95, 0.8, 0.7, 0.9], correct: [0, 1, 0, 1, 1], target: 1, want: [0.9, 1, 0.4] },
    { name: 'reached by every row: never abstain (threshold 0)', conf: [0.6, 0.9], correct: [1, 1], target: 0.9, want: [0, 1, 1] },
    { name: 'unreachable: the most confident row is wrong', conf: [0.6, 0.9], correct: [1, 0], target: 0.9, want: null },
  ];
  for (const c of abstainCases) {
    test(`abstain threshold: ${c.name}`, () => {
      const r = abstainThreshold(c.conf, c.correct, c.target);
      if (c.want === null) return assert.equal(r, null);
      assert.ok(r);
      assert.deepEqual([r.threshold, Number(r.precision.toFixed(6)), r.coverage], c.want);
      // the rule, applied: rows at or above the threshold are answered
      const answered = c.conf.filter((x) => !decide(false, [x, 1 - x], ['a', 'b'], { abstain: r } as never).abstained);
      assert.equal(answered.length, Math.round(r.coverage * c.conf.length));
    });
  }
});

describe('fitCalibration', () => {
  test('single-label with a target precision: temperature, fit metrics, abstain rule; decide() withholds below it', () => {
    const s = overconfident(2000, 3, 2, 5);
    const r = fitCalibration(s, { names: ['a', 'b', 'c'], file: 'val.csv', targetPrecision: 0.9 });
    const c = r.calibration;
    assert.equal(c.method, 'temperature');
    assert.deepEqual(c.labels, ['a', 'b', 'c']);
    assert.ok(Math.abs(c.temperature - 2) < 0.2);
    assert.equal(c.fit.rows, 2000);
    assert.ok(c.fit.ece_after <= c.fit.ece_before);
    assert.equal(c.thresholds, undefined);
    assert.ok(c.abstain && c.abstain.precision >= 0.9 && c.abstain.coverage > 0 && c.abstain.coverage < 1);
    assert.equal(decide(false, [c.abstain.threshold - 1e-9, 0, 0], ['a', 'b', 'c'], c).abstained, true);
    assert.deepEqual(decide(false, [c.abstain.threshold, 0, 0], ['a', 'b', 'c'], c), { labels: ['a'], score: c.abstain.threshold, abstained: false });
  });

  test('multi-label: a threshold per label, used instead of 0.5', () => {
    const s = overconfidentMulti(800, 3, 2, 6);
    const c = fitCalibration(s, { names: ['x', 'y', 'z'], file: 'val.jsonl' }).calibration;
    assert.deepEqual(Object.keys(c.thresholds!), ['x', 'y', 'z']);
    const t = c.thresholds!;
    const probs = [t.x! + 0.01, t.y! - 0.01, t.z! + 0.01];
    assert.deepEqual(decide(true, probs, ['x', 'y', 'z'], c).labels, ['x', 'z']);
  });
});
