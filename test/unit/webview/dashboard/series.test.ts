/** Training events folded into chart series: points, latest state, what changed, resumed runs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyChanges, metricLabel, perClassFromMatrix, RunSeries } from '../../../../webview/dashboard/series.js';
import type { TrainingEvent } from '../../../../src/core/contract/events.js';
import { evalEvent, logEvent, progress, runEvents, startEvent } from '../../../helpers/webview-fixtures.js';

describe('RunSeries', () => {
  test('a whole run: every curve, the latest progress / eval / confusion, done', () => {
    const s = new RunSeries();
    for (const e of runEvents(12)) s.add(e);
    s.add({ type: 'done', outputDir: '/o', modelDir: '/o', results: {}, bestCheckpoint: null, stoppedEarly: false, cancelled: false });
    assert.equal(s.stepLoss.length, 12);
    assert.deepEqual(s.stepLoss[0], { x: 1, y: 0.66 });
    assert.deepEqual(
      s.loggedLoss.map((p) => p.x),
      [2, 4, 6, 8, 10, 12],
    );
    assert.deepEqual(s.gradNorm[0], { x: 2, y: 1.85 });
    assert.deepEqual(s.learningRate[1], { x: 4, y: 2e-5 * (1 - 4 / 12) });
    assert.deepEqual(s.evalLoss, [
      { x: 4, y: 0.5 },
      { x: 8, y: 0.4 },
      { x: 12, y: 0.3 },
    ]);
    // timings are not plotted; known metrics in their order
    assert.deepEqual(s.metricNames(), ['eval_accuracy', 'eval_precision', 'eval_recall', 'eval_f1']);
    assert.deepEqual(s.evalMetrics.get('eval_accuracy'), [
      { x: 4, y: 0.75 },
      { x: 8, y: 0.85 },
      { x: 12, y: 0.95 },
    ]);
    assert.equal(s.lastProgress?.step, 12);
    assert.equal(s.lastEval?.step, 12);
    assert.equal(s.lastConfusion?.step, 12);
    assert.equal(s.stage?.message, 'Tokenized 280 rows');
    assert.equal(s.done?.cancelled, false);
  });

  const changes: [string, Parameters<RunSeries['add']>[0], Partial<ReturnType<typeof emptyChanges>>][] = [
    ['start', startEvent(), { status: true }],
    ['progress', progress(1), { progress: true }],
    ['log', logEvent(2), { log: true }],
    ['eval', evalEvent(1), { eval: true, newMetrics: ['eval_accuracy', 'eval_precision', 'eval_recall', 'eval_f1'] }],
    ['stage', { type: 'stage', stage: 'save', message: 'Saving' }, { progress: true }],
    ['error', { type: 'error', message: 'out of memory' }, { status: true }],
    ['checkpoint', { type: 'checkpoint', step: 4, path: '/c', removed: [] }, {}],
    ['info', { type: 'info', message: 'hi' }, {}],
  ];
  for (const [name, e, want] of changes) {
    test(`changes of ${name}`, () => assert.deepEqual(new RunSeries().add(e), { ...emptyChanges(), ...want }));
  }

  test('a metric is new only once; unknown metrics follow the known ones', () => {
    const s = new RunSeries();
    const ch = emptyChanges();
    s.add({ type: 'eval', step: 1, epoch: 1, metrics: { eval_custom: 1, eval_f1: 0.5, eval_bad: Number.NaN } }, ch);
    s.add({ type: 'eval', step: 2, epoch: 2, metrics: { eval_custom: 2, eval_f1: 0.6 } }, ch);
    assert.deepEqual(ch.newMetrics, ['eval_custom', 'eval_f1']);
    assert.deepEqual(s.metricNames(), ['eval_f1', 'eval_custom']);
    assert.equal(s.lastConfusion, undefined);
  });

  test('a resumed run drops the points after its checkpoint step', () => {
    const s = new RunSeries();
    for (const e of runEvents(8)) s.add(e);
    s.add({ type: 'error', message: 'crash' });
    const ch = s.add(startEvent({ resumedFromStep: 4 }));
    assert.equal(ch.truncated, true);
    assert.equal(s.error, undefined);
    assert.deepEqual(
      s.stepLoss.map((p) => p.x),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      s.evalMetrics.get('eval_f1')!.map((p) => p.x),
      [4],
    );
    // nothing after step 8: nothing to drop
    assert.equal(s.add(startEvent({ resumedFromStep: 8 })).truncated, false);
  });
});

describe('helpers', () => {
  test('metric labels', () => {
    assert.equal(metricLabel('eval_f1'), 'f1');
    assert.equal(metricLabel('train_loss'), 'train_loss');
  });

  test('per-class scores from a confusion matrix (rows true, columns predicted)', () => {
    const pc = perClassFromMatrix(
      ['neg', 'pos'],
      [
        [14, 6],
        [4, 16],
      ],
    );
    assert.deepEqual(
      pc.map((c) => [c.label, +c.precision.toFixed(4), +c.recall.toFixed(4), +c.f1.toFixed(4), c.support]),
      [
        ['neg', 0.7778, 0.7, 0.7368, 20],
        ['pos', 0.7273, 0.8, 0.7619, 20],
      ],
    );
    // a class never predicted and never present: zeros, not NaN
    assert.deepEqual(
      perClassFromMatrix(
        ['a', 'b'],
        [
          [3, 0],
          [0, 0],
        ],
      )[1],
      { label: 'b', precision: 0, recall: 0, f1: 0, support: 0 },
    );
  });

  test('the errors table follows the final evaluation (eval over a test table); the diagram the fitted calibration (over a measured one)', () => {
    const pred = (split: 'eval' | 'test', step: number): TrainingEvent => ({
      type: 'predictions',
      split,
      step,
      path: `/o/${split}.csv`,
      dataFile: '/d.csv',
      labels: ['a', 'b'],
      rows: 4,
      errors: 1,
      abstained: 0,
      calibrated: true,
    });
    const metrics = { ece: 0.1, nll: 0.3, bins: [] };
    const cal = (fitted: boolean, temperature: number): TrainingEvent => ({
      type: 'calibration',
      split: fitted ? 'eval' : 'test',
      fitted,
      path: '/o/calibration.json',
      temperature,
      before: metrics,
      after: metrics,
    });
    const table: [string, TrainingEvent[], { predictions: string | undefined; temperature: number | undefined; changed: [boolean, boolean] }][] = [
      ['an eval table', [pred('eval', 8)], { predictions: '/o/eval.csv', temperature: undefined, changed: [true, false] }],
      ['a test table, then the eval one', [pred('test', 8), pred('eval', 8)], { predictions: '/o/eval.csv', temperature: undefined, changed: [true, false] }],
      [
        'an eval table, then a test one: kept',
        [pred('eval', 8), pred('test', 8)],
        { predictions: '/o/eval.csv', temperature: undefined, changed: [true, false] },
      ],
      [
        'a fitted calibration, then a measured one: kept',
        [cal(true, 1.2), cal(false, 1.2)],
        { predictions: undefined, temperature: 1.2, changed: [false, true] },
      ],
      ['a measured calibration, then a fitted one', [cal(false, 1.1), cal(true, 1.3)], { predictions: undefined, temperature: 1.3, changed: [false, true] }],
    ];
    for (const [name, events, want] of table) {
      const s = new RunSeries();
      const ch = emptyChanges();
      for (const e of events) s.add(e, ch);
      assert.equal(s.predictions?.path, want.predictions, name);
      assert.equal(s.calibration?.temperature, want.temperature, name);
      assert.deepEqual([ch.predictions, ch.calibration], want.changed, name);
    }
  });
});
