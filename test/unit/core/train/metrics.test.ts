// Metrics against values worked out by hand (scikit-learn semantics), and streaming: any split of
// the rows into batches gives the same result.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Average,
  ClassificationMetrics,
  createMetrics,
  MultiLabelMetrics,
  precisionRecallF1,
  RegressionMetrics,
} from '../../../../src/core/train/metrics.js';

const close = (got: number, want: number, what: string): void => assert.ok(Math.abs(got - want) < 1e-9, `${what}: ${got} != ${want}`);

/** Logits whose argmax is `pred` (c classes). */
function logitsFor(preds: readonly number[], c: number): Float32Array {
  const out = new Float32Array(preds.length * c).fill(-1);
  preds.forEach((p, i) => (out[i * c + p] = 2));
  return out;
}

describe('single-label classification', () => {
  // Binary example:
  //   true = 1 0 1 1 0 1 0 0
  //   pred = 1 0 0 1 1 1 0 1
  //   tp = 3 (rows 0, 3, 5), tn = 2 (rows 1, 6), fn = 1 (row 2), fp = 2 (rows 4, 7)
  //   accuracy = 5/8; precision = 3/5; recall = 3/4; f1 = 2*3 / (2*3 + 2 + 1) = 6/9
  //   confusion (rows true, columns pred) = [[2, 2], [1, 3]]
  //   class 0: predicted 0 three times (2 right) -> precision 2/3, support 4 -> recall 2/4, f1 = 4/7
  const yTrue = [1, 0, 1, 1, 0, 1, 0, 0];
  const yPred = [1, 0, 0, 1, 1, 1, 0, 1];

  test('binary (pos_label 1) by hand, confusion matrix and per-class report', () => {
    const m = new ClassificationMetrics({ numLabels: 2, labelNames: ['neg', 'pos'] });
    assert.equal(m.average, 'binary');
    m.add(logitsFor(yPred, 2), BigInt64Array.from(yTrue.map(BigInt)));
    const r = m.compute();
    close(r.metrics.accuracy!, 5 / 8, 'accuracy');
    close(r.metrics.precision!, 3 / 5, 'precision');
    close(r.metrics.recall!, 3 / 4, 'recall');
    close(r.metrics.f1!, 6 / 9, 'f1');
    assert.deepEqual(Object.keys(r.metrics).sort(), ['accuracy', 'f1', 'precision', 'recall']);
    assert.deepEqual(r.confusionMatrix, [
      [2, 2],
      [1, 3],
    ]);
    const neg = r.perClass![0]!;
    assert.equal(neg.label, 'neg');
    close(neg.precision, 2 / 3, 'neg precision');
    close(neg.recall, 2 / 4, 'neg recall');
    close(neg.f1, 4 / 7, 'neg f1');
    assert.equal(neg.support, 4);
    assert.equal(r.perClass![1]!.support, 4);
    assert.equal(r.count, 8);
  });

  test('streaming: batches of 3, 3, 2 give the same numbers as one batch', () => {
    const whole = new ClassificationMetrics({ numLabels: 2 });
    whole.add(logitsFor(yPred, 2), yTrue);
    const parts = new ClassificationMetrics({ numLabels: 2 });
    for (const [a, b] of [
      [0, 3],
      [3, 6],
      [6, 8],
    ] as const) {
      parts.add(logitsFor(yPred.slice(a, b), 2), BigInt64Array.from(yTrue.slice(a, b).map(BigInt)));
    }
    assert.deepEqual(parts.compute(), whole.compute());
  });

  // 3 classes (scikit-learn's documented example):
  //   true = 0 1 2 0 1 2, pred = 0 2 1 0 0 1
  //   class 0: tp 2, fp 1, fn 0 -> P 2/3, R 1, F 4/5
  //   class 1: tp 0, fp 2, fn 2 -> 0, 0, 0;   class 2: tp 0, fp 1, fn 2 -> 0, 0, 0
  //   macro = weighted (equal supports) = (2/9, 1/3, 4/15); micro = tp 2 / 6 = 1/3 for all three
  const table: { average: Average; p: number; r: number; f: number }[] = [
    { average: 'macro', p: 2 / 9, r: 1 / 3, f: 4 / 15 },
    { average: 'weighted', p: 2 / 9, r: 1 / 3, f: 4 / 15 },
    { average: 'micro', p: 1 / 3, r: 1 / 3, f: 1 / 3 },
  ];
  for (const row of table) {
    test(`3 classes, average ${row.average}`, () => {
      const m = new ClassificationMetrics({ numLabels: 3, average: row.average });
      m.add(logitsFor([0, 2, 1, 0, 0, 1], 3), [0, 1, 2, 0, 1, 2]);
      const r = m.compute().metrics;
      close(r.precision!, row.p, 'precision');
      close(r.recall!, row.r, 'recall');
      close(r.f1!, row.f, 'f1');
      close(r.accuracy!, 2 / 6, 'accuracy');
    });
  }

  // 4 labels, label 3 never true nor predicted (sklearn leaves it out of the averages):
  //   true = 0 0 0 1 2 2, pred = 0 0 1 1 2 0
  //   class 0: tp 2, fp 1, fn 1 -> P 2/3, R 2/3, F 2/3 (support 3)
  //   class 1: tp 1, fp 1, fn 0 -> P 1/2, R 1,   F 2/3 (support 1)
  //   class 2: tp 1, fp 0, fn 1 -> P 1,   R 1/2, F 2/3 (support 2)
  //   macro P = (2/3 + 1/2 + 1) / 3 = 13/18, R = 13/18, F = 2/3
  //   weighted P = (3 * 2/3 + 1/2 + 2 * 1) / 6 = 3/4, R = (2 + 1 + 1) / 6 = 2/3, F = 2/3
  const table4: { average: Average; p: number; r: number; f: number }[] = [
    { average: 'macro', p: 13 / 18, r: 13 / 18, f: 2 / 3 },
    { average: 'weighted', p: 3 / 4, r: 2 / 3, f: 2 / 3 },
    { average: 'micro', p: 4 / 6, r: 4 / 6, f: 4 / 6 },
  ];
  for (const row of table4) {
    test(`absent label left out of the ${row.average} average`, () => {
      const m = new ClassificationMetrics({ numLabels: 4, average: row.average });
      m.addPredictions([0, 0, 1, 1, 2, 0], [0, 0, 0, 1, 2, 2]);
      const r = m.compute();
      close(r.metrics.precision!, row.p, 'precision');
      close(r.metrics.recall!, row.r, 'recall');
      close(r.metrics.f1!, row.f, 'f1');
      assert.deepEqual(r.perClass![3], { label: '3', precision: 0, recall: 0, f1: 0, support: 0 });
    });
  }

  test('zero_division: no positive rows and no positive predictions give 0, not NaN', () => {
    const m = new ClassificationMetrics({ numLabels: 2 });
    m.addPredictions([0, 0, 0], [0, 0, 0]);
    assert.deepEqual(m.compute().metrics, { accuracy: 1, precision: 0, recall: 0, f1: 0 });
  });

  test('argmax ties pick the first class (numpy)', () => {
    const m = new ClassificationMetrics({ numLabels: 3, average: 'micro' });
    m.add(Float32Array.of(1, 1, 0, 0, 2, 2), [0, 1]);
    assert.equal(m.compute().metrics.accuracy, 1);
  });

  test('bad shapes and labels are refused; reset clears', () => {
    const m = new ClassificationMetrics({ numLabels: 2 });
    assert.throws(() => m.add(new Float32Array(5), [0, 1]), /2 x 2 logits/);
    assert.throws(() => m.add(new Float32Array(4), [0, 2]), /not a class id/);
    assert.throws(() => new ClassificationMetrics({ numLabels: 3, average: 'binary' }), /binary/);
    m.addPredictions([1], [1]);
    m.reset();
    assert.equal(m.count, 0);
    assert.ok(Number.isNaN(m.compute().metrics.accuracy!));
  });

  test('precisionRecallF1 on a confusion matrix directly', () => {
    const r = precisionRecallF1(
      [
        [2, 2],
        [1, 3],
      ],
      'binary',
      0,
    );
    close(r.precision, 2 / 3, 'precision of class 0');
    close(r.recall, 1 / 2, 'recall of class 0');
  });
});

describe('multi-label classification', () => {
  // logits > 0 -> 1 (sigmoid > 0.5):
  //   row 0: logits  2 -1 0.5 -> 1 0 1, labels 1 0 0
  //   row 1: logits -1 -2 3   -> 0 0 1, labels 0 0 1   (exact)
  //   row 2: logits  0  1 -1  -> 0 1 0, labels 1 1 0   (0 is not > 0)
  //   row 3: logits -1 -1 -1  -> 0 0 0, labels 0 0 0   (exact)
  //   label 0: tp 1, fp 0, fn 1 -> F 2/3;  label 1: tp 1 -> F 1;  label 2: tp 1, fp 1 -> F 2/3
  //   micro: tp 3, fp 1, fn 1 -> P 3/4, R 3/4, F 6/8;  macro F = (2/3 + 1 + 2/3) / 3 = 7/9
  //   subset accuracy = 2/4
  const logits = Float32Array.of(2, -1, 0.5, -1, -2, 3, 0, 1, -1, -1, -1, -1);
  const labels = Float32Array.of(1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0);

  test('by hand', () => {
    const m = new MultiLabelMetrics({ numLabels: 3, labelNames: ['a', 'b', 'c'] });
    m.add(logits, labels);
    const r = m.compute();
    close(r.metrics.accuracy!, 0.5, 'subset accuracy');
    close(r.metrics.f1!, 0.75, 'f1 (micro)');
    close(r.metrics.f1_micro!, 0.75, 'f1_micro');
    close(r.metrics.f1_macro!, 7 / 9, 'f1_macro');
    close(r.metrics.precision!, 0.75, 'precision');
    close(r.metrics.recall!, 0.75, 'recall');
    assert.deepEqual(r.perClass![1], { label: 'b', precision: 1, recall: 1, f1: 1, support: 1 });
    assert.equal(r.count, 4);
  });

  test('streaming, one row at a time', () => {
    const m = new MultiLabelMetrics({ numLabels: 3 });
    for (let i = 0; i < 4; i++) m.add(logits.subarray(i * 3, i * 3 + 3), labels.subarray(i * 3, i * 3 + 3));
    const whole = new MultiLabelMetrics({ numLabels: 3 });
    whole.add(logits, labels);
    assert.deepEqual(m.compute(), whole.compute());
  });
});

describe('regression', () => {
  // y = 1 2 3 4, p = 1.5 2 2.5 5
  //   errors -0.5 0 0.5 -1: mse = (0.25 + 0 + 0.25 + 1) / 4 = 0.375, mae = 2 / 4 = 0.5
  //   mean y = 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5 -> r2 = 1 - 1.5 / 5 = 0.7
  //   mean p = 2.75; dy = -1.5 -0.5 0.5 1.5; dp = -1.25 -0.75 -0.25 2.25
  //   cov = 1.875 + 0.375 - 0.125 + 3.375 = 5.5, sum dp^2 = 7.25 -> pearson = 5.5 / sqrt(5 * 7.25)
  test('by hand, in two batches', () => {
    const m = new RegressionMetrics();
    m.add(Float32Array.of(1.5, 2), Float32Array.of(1, 2));
    m.add(Float32Array.of(2.5, 5), Float32Array.of(3, 4));
    const r = m.compute().metrics;
    close(r.mse!, 0.375, 'mse');
    close(r.mae!, 0.5, 'mae');
    close(r.r2!, 0.7, 'r2');
    close(r.pearson!, 5.5 / Math.sqrt(36.25), 'pearson');
  });

  test('constant targets: r2 1 when exact, else 0 (sklearn); pearson NaN (scipy)', () => {
    const exact = new RegressionMetrics();
    exact.add([2, 2], [2, 2]);
    assert.equal(exact.compute().metrics.r2, 1);
    const off = new RegressionMetrics();
    off.add([1, 3], [2, 2]);
    assert.equal(off.compute().metrics.r2, 0);
    assert.ok(Number.isNaN(off.compute().metrics.pearson!));
  });
});

test('createMetrics picks the accumulator for the problem type', () => {
  assert.ok(createMetrics('regression', 1) instanceof RegressionMetrics);
  assert.ok(createMetrics('multi_label_classification', 4) instanceof MultiLabelMetrics);
  const m = createMetrics('single_label_classification', 3, { average: 'weighted' });
  assert.ok(m instanceof ClassificationMetrics);
  assert.equal((m as ClassificationMetrics).average, 'weighted');
  assert.equal((createMetrics('single_label_classification', 3) as ClassificationMetrics).average, 'macro');
});
